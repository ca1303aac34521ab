"""The reconciliation's verdicts, each from what clients were told (the ledger) and what was
stored; every check says what it compared, so a pass is not a pass over nothing."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from bench.loadtest.attack import ThrottleTally
from bench.loadtest.ledger import Ledger, tag_of
from bench.loadtest.stored import StoredRecords
from bench.loadtest.transport import CONNECTION_ERROR, Recorder
from bench.loadtest.workers import Worker

MAX_LOGIN_FAILURES = 5
REVOCATION_RULES = {
    "revocation-logout": ("logouts", "a token then accepted by another instance"),
    "revocation-reuse": ("refresh tokens sent to two instances at once", "not one success"),
    "revocation-password": ("password changes", "an old token or password then accepted"),
    "revocation-role": ("role changes", "a token from before then accepted"),
    "revocation-deactivated": ("deactivations", "a token from before or a sign-in accepted"),
}
CLIENT_RULES = {
    "read-after-write": "reads from either instance equal the last acknowledged write",
    "history-length": "history has one entry per version",
    "version-step": "each write adds exactly one to version",
    "create-echo": "creates answer what was sent",
    "update-echo": "updates answer what was sent",
    "restore-echo": "restores answer the record as it was",
    "import-count": "imports answer the number of rows sent",
    "import-visible": "imported rows are listed by the other instance at once",
    "export-header": "exports carry the documented header",
}


@dataclass(frozen=True)
class Check:
    name: str
    passed: bool
    detail: str


def server_errors(recorders: dict[str, Recorder], log_errors: list[str]) -> Check:
    parts, bad = [], 0
    for phase, recorder in recorders.items():
        statuses = Counter(sample.status for sample in recorder.samples)
        fives = sum(n for status, n in statuses.items() if status >= 500)
        lost = statuses[CONNECTION_ERROR]
        bad += fives + lost
        parts.append(f"{phase}: {fives} 5xx, {lost} connection errors")
    parts.append(f"{len(log_errors)} error lines in the server logs")
    return Check("No 5xx, no connection errors", bad == 0, "; ".join(parts))


def expected_answers(recorder: Recorder) -> Check:
    surprises = Counter(
        (u.group, u.method, u.status, u.expected)
        for u in recorder.unexpected
        if u.status != CONNECTION_ERROR and u.status < 500
    )
    total = sum(surprises.values())
    shown = ", ".join(
        f"{group} {method} {status} (expected {'/'.join(map(str, expected))}) x{n}"
        for (group, method, status, expected), n in surprises.most_common(6)
    )
    detail = f"{total} of {len(recorder.samples)} answers unexpected" + (
        f": {shown}" if shown else ""
    )
    return Check("Every answer had the status its request called for", total == 0, detail)


def conformance(recorders: dict[str, Recorder]) -> Check:
    problems: Counter[str] = Counter()
    answers = 0
    for recorder in recorders.values():
        problems.update(recorder.nonconforming)
        answers += len(recorder.samples)
    shown = ", ".join(f"{problem} x{n}" for problem, n in problems.most_common(5))
    detail = (
        f"{answers} answers checked for nosniff, X-Request-ID, no-store on tokens and the "
        f"JSON error shape: {sum(problems.values())} problems" + (f" ({shown})" if shown else "")
    )
    return Check("Every answer kept the headers and error shape", not problems, detail)


def workers_finished(workers: Iterable[Worker]) -> Check:
    crashed = [w for w in workers if w.crash]
    detail = "; ".join(f"{w.name}: {w.crash.strip().splitlines()[-1]}" for w in crashed if w.crash)
    return Check("Client threads ran to the end", not crashed, detail or "all ran to the end")


def creates_once(ledger: Ledger, stored: StoredRecords) -> Check:
    by_tag = stored.by_tag()
    acknowledged = missing = duplicated = moved = 0
    for partition in ledger.partitions.values():
        for tag, record_id in partition.created.items():
            acknowledged += 1
            found = by_tag.get(tag, [])
            missing += not found
            duplicated += len(found) > 1
            moved += len(found) == 1 and found[0].id != record_id
    detail = (
        f"{acknowledged} acknowledged creates: {missing} missing, {duplicated} stored more than "
        f"once, {moved} under another id"
    )
    return Check(
        "Every acknowledged create exists exactly once", missing + duplicated + moved == 0, detail
    )


def idempotency(ledger: Ledger, stored: StoredRecords) -> Check:
    by_tag = stored.by_tag()
    partitions = ledger.partitions.values()
    retries = sum(p.retries for p in partitions)
    concurrent = sum(p.concurrent_retries for p in partitions)
    refused = [tag for p in partitions for tag in p.refused_tags]
    stored_refused = sum(1 for tag in refused if by_tag.get(tag))
    kinds = ("idempotent-retry", "idempotent-concurrent", "idempotent-conflict")
    broken = sum(ledger.violations.counts[kind] for kind in kinds)
    detail = (
        f"{retries} retries in turn and {concurrent} at once on two instances "
        f"({ledger.checked['idempotent-concurrent-409']} answered 409 in progress first); "
        f"answers naming another record: {ledger.violations.summary('idempotent-retry')}; "
        f"two records from one key: {ledger.violations.summary('idempotent-concurrent')}; "
        f"{len(refused)} refused requests (same key, other body), {stored_refused} stored anyway"
    )
    return Check("Idempotent retries made no duplicates", broken + stored_refused == 0, detail)


def no_strangers(ledger: Ledger, stored: StoredRecords) -> Check:
    """Records nobody was told about: only a request without an answer may explain one."""
    expected = ledger.expected_records()
    known: set[str | None] = {tag_of(state.description) for state in ledger.hot.initial.values()}
    unknown: set[str] = set()
    for partition in ledger.partitions.values():
        known.update(partition.created, partition.imported)
        unknown.update(partition.unknown_tags)
    strangers = [
        state
        for state in stored.all().values()
        if state.id not in expected and tag_of(state.description) not in known
    ]
    explained = [s for s in strangers if tag_of(s.description) in unknown]
    unexplained = [s for s in strangers if tag_of(s.description) not in unknown]
    examples = ", ".join(f"#{s.id} {s.description[:40]!r}" for s in unexplained[:3])
    detail = (
        f"{len(stored.all())} stored records; {len(unexplained)} that no client was told about"
        + (f" ({examples})" if examples else "")
        + f"; {len(explained)} from {len(unknown)} requests whose outcome is unknown"
    )
    return Check("No record exists that no client was told about", not unexplained, detail)


def state_matches(ledger: Ledger, stored: StoredRecords) -> Check:
    expected = ledger.expected_records()
    everything = stored.all()
    missing = [rid for rid in expected if rid not in everything]
    different = [
        f"#{rid}: {'; '.join(state.differences(everything[rid]))}"
        for rid, state in expected.items()
        if rid in everything and state.differences(everything[rid])
    ]
    deleted = sum(state.deleted for state in expected.values())
    detail = (
        f"{len(expected)} records compared ({len(expected) - deleted} live, {deleted} deleted): "
        f"{len(missing)} missing, {len(different)} different"
        + (f" ({different[0]})" if different else "")
        + f"; {ledger.uncertain_count()} not compared (a write without an answer)"
    )
    return Check(
        "Every record is in its last acknowledged state", not missing and not different, detail
    )


def client_observations(ledger: Ledger) -> Check:
    broken = sum(ledger.violations.counts[kind] for kind in CLIENT_RULES)
    parts = [
        f"{rule}: {ledger.violations.summary(kind)} broken"
        + (f" of {ledger.checked[kind]}" if ledger.checked[kind] else "")
        for kind, rule in CLIENT_RULES.items()
    ]
    return Check(
        "Answers during the load agreed with acknowledged writes", not broken, "; ".join(parts)
    )


def imports_all_or_nothing(ledger: Ledger, stored: StoredRecords) -> Check:
    by_tag = stored.by_tag()
    accepted = {tag: rows for p in ledger.partitions.values() for tag, rows in p.imported.items()}
    rejected = [tag for p in ledger.partitions.values() for tag in p.rejected_imports]
    wrong = [tag for tag, rows in accepted.items() if len(by_tag.get(tag, [])) != rows]
    leaked = [tag for tag in rejected if by_tag.get(tag)]
    detail = (
        f"{len(accepted)} accepted imports ({sum(accepted.values())} rows): {len(wrong)} with "
        f"another number of rows stored; {len(rejected)} rejected (a bad row): {len(leaked)} "
        "stored something"
    )
    return Check("Imports stored all their rows or none", not wrong and not leaked, detail)


def shared_records(ledger: Ledger, stored: StoredRecords) -> Check:
    hot = ledger.hot
    everything = stored.all()
    acks = sum(len(states) for states in hot.acknowledged.values())
    twice = sum(
        len(states) - len({state.version for state in states})
        for states in hot.acknowledged.values()
    )
    wrong = [
        rid
        for rid in hot.initial
        if rid not in hot.uncertain
        and (rid not in everything or hot.expected(rid).differences(everything[rid]))
    ]
    races = ledger.checked["if-match-race"]
    detail = (
        f"{len(hot.initial)} shared records, {races} pairs of PATCHes with one ETag sent to two "
        f"instances at once, both won: {ledger.violations.summary('if-match-race')}; "
        f"{acks} acknowledged, {hot.conflicts} refused with 412; versions "
        f"acknowledged twice (lost updates): {twice}; final state not the highest acknowledged "
        f"version: {len(wrong)}"
    )
    good = not twice and not wrong and not ledger.violations.counts["if-match-race"]
    return Check("If-Match held on records every admin updates", good, detail)


def listing(stored: StoredRecords, sql: dict[str, int]) -> Check:
    live, deleted = len(stored.live), len(stored.deleted)
    counted_live = stored.counts.get("/api/records/")
    counted_deleted = stored.counts.get("/api/records/deleted/")
    good = (
        not stored.repeated
        and not stored.failures
        and counted_live == live
        and counted_deleted == deleted
        and sql == {"all": live + deleted, "live": live}
    )
    detail = (
        f"cursor pages: {live} live, {deleted} deleted, {len(stored.repeated)} ids twice; "
        f"page 1 count: {counted_live} live, {counted_deleted} deleted; SQL: {sql['all']} rows, "
        f"{sql['live']} live" + (f"; {'; '.join(stored.failures)}" if stored.failures else "")
    )
    return Check("Lists, their counts and the table agree", good, detail)


def scope(ledger: Ledger) -> Check:
    shown = ledger.violations.summary("scope")
    detail = f"{ledger.checked['scope']} answers checked; others' records shown: {shown}"
    return Check(
        "Analysts and viewers saw only their own records",
        not ledger.violations.counts["scope"],
        detail,
    )


def throttle(tally: ThrottleTally) -> Check:
    parts, good = [], tally.missing_retry_after == 0
    for victim, statuses in tally.statuses.items():
        right = tally.right_password.get(victim)
        good = good and statuses[401] <= MAX_LOGIN_FAILURES and right in (429, None)
        parts.append(
            f"{victim}: {statuses[401]} x 401, {statuses[429]} x 429"
            + (f", right password then {right}" if right is not None else "")
        )
    parts.append(f"429 without Retry-After: {tally.missing_retry_after}")
    good = good and bool(tally.statuses)
    return Check(
        f"Login throttling held across instances (at most {MAX_LOGIN_FAILURES} x 401 per email)",
        good,
        "; ".join(parts),
    )


def revocation(ledger: Ledger) -> Check:
    parts = [
        f"{ledger.checked[kind]} {trial}, {outcome}: {ledger.violations.summary(kind)}"
        for kind, (trial, outcome) in REVOCATION_RULES.items()
    ]
    broken = sum(ledger.violations.counts[kind] for kind in REVOCATION_RULES)
    tried = all(ledger.checked[kind] for kind in REVOCATION_RULES)
    return Check("Revocation held across instances", tried and not broken, "; ".join(parts))
