"""After the load: read back what was stored, ask the dashboards and the export, run
`finance stats verify`, and hold all of it against the ledger."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from bench.loadtest import checks, oracle
from bench.loadtest.accounts import Account, Population
from bench.loadtest.attack import ThrottleTally
from bench.loadtest.checks import Check
from bench.loadtest.ledger import Ledger, RecordState
from bench.loadtest.postgres import finance, record_counts
from bench.loadtest.stored import read_stored
from bench.loadtest.transport import Client, Recorder
from bench.loadtest.workers import Worker

YEAR_RANGE = "date_from=2025-01-01&date_to=2025-12-31"


class _Comparison:
    """Figures compared so far, and the ones that differed."""

    def __init__(self, client: Client) -> None:
        self.client = client
        self.compared = 0
        self.differences: list[str] = []

    def ask(self, path: str, token: str, expected: Any, read: Callable[[Any], Any]) -> None:
        answer = self.client.call(
            "GET", path, group="reconcile.dashboard", expect=(200,), token=token
        )
        self.compared += 1
        if answer.status != 200:
            self.differences.append(f"{path}: {answer.status}")
            return
        answered = read(answer.json())
        if answered != expected:
            self.differences.append(f"{path}: answered {answered}, clients were told {expected}")


def dashboards(client: Client, population: Population, live: list[RecordState]) -> Check:
    admin = population.admin.access
    comparison = _Comparison(client)
    comparison.ask("/api/dashboard/summary/", admin, oracle.summary(live), oracle.answered_summary)
    for account in population.everyone():
        own = [state for state in live if state.owner_id == account.id]
        path = f"/api/dashboard/summary/?owner_id={account.id}"
        comparison.ask(path, admin, oracle.summary(own), oracle.answered_summary)
    for analyst in population.by_role.get("analyst", []):
        own = [state for state in live if state.owner_id == analyst.id]
        path = "/api/dashboard/summary/"
        comparison.ask(path, analyst.access, oracle.summary(own), oracle.answered_summary)
    comparison.ask(
        "/api/dashboard/category-totals/",
        admin,
        oracle.category_totals(live),
        oracle.answered_categories,
    )
    comparison.ask(
        f"/api/dashboard/monthly-trends/?{YEAR_RANGE}",
        admin,
        oracle.monthly_trends(live),
        oracle.answered_trends,
    )
    detail = (
        f"{comparison.compared} answers compared with Decimal sums over {len(live)} live records "
        f"(summary overall, per owner and as each analyst; category totals; 2025 by month): "
        f"{len(comparison.differences)} differ"
        + (f" ({comparison.differences[0][:300]})" if comparison.differences else "")
    )
    return Check(
        "Dashboard totals equal brute-force sums of what clients were told",
        not comparison.differences,
        detail,
    )


def _exported(row: dict[str, str]) -> tuple[str, ...]:
    return (
        row["date"],
        row["type"],
        row["category"],
        row["amount"],
        row["description"],
        row["owner_id"],
    )


def _told(state: RecordState) -> tuple[str, ...]:
    fields = (state.date, state.type, state.category, f"{state.amount:.2f}", state.description)
    return (*fields, str(state.owner_id))


def export(client: Client, admin: Account, live: list[RecordState]) -> Check:
    """The admin's export, row by row, against the live records clients were told about."""
    name = "The export is every live record, as clients were told"
    answer = client.call(
        "GET", "/api/records/export/", group="reconcile.export", expect=(200,), token=admin.access
    )
    if answer.status != 200:
        return Check(name, False, f"export answered {answer.status}")
    rows = list(csv.DictReader(io.StringIO(answer.body.decode(), newline="")))
    exported = {int(row["id"]): _exported(row) for row in rows}
    expected = {state.id: _told(state) for state in live}
    different = [rid for rid in expected.keys() & exported.keys() if expected[rid] != exported[rid]]
    only_exported = len(exported.keys() - expected.keys())
    only_told = len(expected.keys() - exported.keys())
    total = sum(Decimal(fields[3]) for fields in exported.values())
    detail = (
        f"{len(rows)} rows (total {total}) for {len(expected)} live records: "
        f"{len(different)} different, {only_exported} only exported, {only_told} missing"
        + (f" (#{different[0]}: {exported[different[0]]})" if different else "")
    )
    good = not different and not only_exported and not only_told and len(rows) == len(exported)
    return Check(name, good, detail)


def stats_verify(env: dict[str, str]) -> Check:
    result = finance(env, "stats", "verify")
    output = (result.stdout + result.stderr).strip().splitlines()
    detail = f"exit {result.returncode}" + (f": {output[-1][:200]}" if output else "")
    return Check(
        "`finance stats verify` finds the totals tables right", result.returncode == 0, detail
    )


def reconcile(
    ports: list[int],
    population: Population,
    ledger: Ledger,
    recorders: dict[str, Recorder],
    workers: list[Worker],
    tally: ThrottleTally,
    env: dict[str, str],
    log_errors: Callable[[], list[str]],
) -> list[Check]:
    """Every check, in the order the report lists them."""
    client = Client(ports, recorders["reconciliation"])
    try:
        stored = read_stored(client, population.admin.access)
        live = [state for state in ledger.expected_records().values() if not state.deleted]
        api_checks = [dashboards(client, population, live), export(client, population.admin, live)]
    finally:
        client.close()
    verdicts = [
        checks.expected_answers(recorders["load"]),
        checks.workers_finished(workers),
        checks.creates_once(ledger, stored),
        checks.idempotency(ledger, stored),
        checks.no_strangers(ledger, stored),
        checks.state_matches(ledger, stored),
        checks.client_observations(ledger),
        checks.imports_all_or_nothing(ledger, stored),
        checks.shared_records(ledger, stored),
        checks.listing(stored, record_counts(env["FINANCE_DATABASE_URL"])),
        *api_checks,
        stats_verify(env),
        checks.scope(ledger),
        checks.throttle(tally),
        checks.revocation(ledger),
    ]
    return [
        checks.server_errors(recorders, log_errors()),
        *verdicts,
        checks.conformance(recorders),
    ]
