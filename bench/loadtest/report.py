"""The run's figures and verdicts as Markdown: printed, and written to bench/LOADTEST.md."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from bench.loadtest.checks import Check
from bench.loadtest.cpu import CpuUse
from bench.loadtest.settings import Settings
from bench.loadtest.transport import CONNECTION_ERROR, Sample

LOG_LINES_SHOWN = 20


@dataclass(frozen=True)
class GroupStats:
    group: str
    requests: int
    p50_ms: float
    p99_ms: float
    max_ms: float
    statuses: Counter[int]

    @classmethod
    def of(cls, group: str, samples: list[Sample]) -> GroupStats:
        times = sorted(sample.seconds * 1000 for sample in samples)
        return cls(
            group,
            len(samples),
            _percentile(times, 0.50),
            _percentile(times, 0.99),
            times[-1] if times else 0.0,
            Counter(sample.status for sample in samples),
        )

    def status_text(self) -> str:
        return ", ".join(
            f"{'no answer' if status == CONNECTION_ERROR else status} x{count}"
            for status, count in sorted(self.statuses.items())
        )


@dataclass(frozen=True)
class RunFacts:
    started: str
    commit: str
    database: str
    ports: list[int]
    threads: int
    cpus: int
    load_average: float
    load_seconds: float
    cpu: CpuUse


def _percentile(sorted_values: list[float], fraction: float) -> float:
    """Nearest-rank percentile."""
    if not sorted_values:
        return 0.0
    rank = max(1, math.ceil(fraction * len(sorted_values)))
    return sorted_values[rank - 1]


def by_group(samples: Iterable[Sample]) -> list[GroupStats]:
    grouped: dict[str, list[Sample]] = defaultdict(list)
    for sample in samples:
        grouped[sample.group].append(sample)
    return [GroupStats.of(group, grouped[group]) for group in sorted(grouped)]


def _settings_table(settings: Settings, facts: RunFacts) -> list[str]:
    users = ", ".join(f"{n} {role}s" for role, n in settings.users_per_role.items())
    return [
        "| setting | value |",
        "| --- | --- |",
        f"| instances | {settings.instances} x `finance serve` (gunicorn, {settings.workers} "
        f"workers x {settings.server_threads} threads each), ports {facts.ports} |",
        f"| database | PostgreSQL `{facts.database}`, empty schema at start |",
        f"| users | {users}, {settings.victims} attacked emails, 2 accounts for revocation |",
        f"| client threads | {facts.threads}: {settings.threads_per_user} per user, "
        f"{settings.attackers} attackers, 2 revocation checkers; keep-alive connections, "
        "each instance in turn |",
        f"| duration | {settings.duration:g} s, at most {settings.max_requests:,} requests "
        f"(ran {facts.load_seconds:.1f} s) |",
        f"| machine | {facts.cpus} CPUs shared by clients, servers and PostgreSQL on 127.0.0.1; "
        f"load average {facts.load_average:.1f} just before the run |",
    ]


def _load_section(stats: list[GroupStats], overall: GroupStats, facts: RunFacts) -> list[str]:
    fives = sum(n for status, n in overall.statuses.items() if status >= 500)
    seconds, cpu = facts.load_seconds, facts.cpu
    lines = [
        f"**{overall.requests:,} requests in {seconds:.1f} s: "
        f"{overall.requests / seconds:,.0f} req/s**; latency p50 {overall.p50_ms:.1f} ms, "
        f"p99 {overall.p99_ms:.1f} ms, max {overall.max_ms:.0f} ms; "
        f"**5xx: {fives}**, no answer: {overall.statuses[CONNECTION_ERROR]}.",
        "",
        f"Statuses: {overall.status_text()}.",
        "",
        f"CPU seconds during the load, of {seconds * facts.cpus:.0f} available: servers "
        f"{cpu.servers:.0f}, this load generator {cpu.generator:.0f}, everything else "
        f"(PostgreSQL, other processes) {cpu.others:.0f}.",
        "",
        "| endpoint group | requests | p50 ms | p99 ms | max ms | statuses |",
        "| --- | ---: | ---: | ---: | ---: | --- |",
    ]
    lines += [
        f"| {s.group} | {s.requests:,} | {s.p50_ms:.1f} | {s.p99_ms:.1f} | {s.max_ms:.0f} "
        f"| {s.status_text()} |"
        for s in stats
    ]
    return lines


def render(
    settings: Settings,
    facts: RunFacts,
    samples: list[Sample],
    verdicts: list[Check],
    log_errors: list[str],
) -> str:
    failed = [check for check in verdicts if not check.passed]
    overall = GroupStats.of("all", samples)
    lines = [
        "# Load test: two instances on one PostgreSQL database",
        "",
        f"`make loadtest` on {facts.started}, commit {facts.commit}. "
        f"**{len(verdicts) - len(failed)} of {len(verdicts)} checks passed.**",
        "",
        "## Settings",
        "",
        *_settings_table(settings, facts),
        "",
        "## Load",
        "",
        *_load_section(by_group(samples), overall, facts),
        "",
        "## Reconciliation",
        "",
        "| check | result | numbers |",
        "| --- | --- | --- |",
        *(
            f"| {c.name} | {'PASS' if c.passed else '**FAIL**'} | {c.detail.replace('|', '/')} |"
            for c in verdicts
        ),
    ]
    if log_errors:
        lines += ["", f"## Server log ({len(log_errors)} error lines, first {LOG_LINES_SHOWN})", ""]
        lines += ["```", *log_errors[:LOG_LINES_SHOWN], "```"]
    return "\n".join(lines) + "\n"
