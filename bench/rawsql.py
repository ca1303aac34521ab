"""The endpoints' queries as plain SQL on the same SQLite file, one connection, no framework."""

from __future__ import annotations

import sqlite3
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

Query = Callable[[sqlite3.Connection], object]

COLUMNS = (
    "id, owner_id, created_by, amount_cents, type, category, category_key, description, "
    "search_key, date, created_at, updated_at, version, is_deleted, deleted_at"
)


@dataclass(frozen=True)
class Timing:
    runs: int
    per_s: float
    p50_ms: float
    p99_ms: float

    def row(self) -> list[str]:
        return [f"{self.per_s:,.0f}", f"{self.p50_ms:.2f}", f"{self.p99_ms:.2f}"]


def measure(
    connection: sqlite3.Connection, query: Query, seconds: float, max_runs: int = 20_000
) -> Timing:
    """Run ``query`` back to back for at most ``seconds`` and ``max_runs`` times."""
    query(connection)
    laps: list[float] = []
    deadline = time.perf_counter() + seconds
    while len(laps) < max_runs and time.perf_counter() < deadline:
        start = time.perf_counter()
        query(connection)
        laps.append(time.perf_counter() - start)
    laps.sort()
    p99 = laps[min(len(laps) - 1, int(len(laps) * 0.99))]
    return Timing(len(laps), len(laps) / sum(laps), statistics.median(laps) * 1000, p99 * 1000)


def fetch(sql: str, *params: object) -> Query:
    def run(connection: sqlite3.Connection) -> object:
        return connection.execute(sql, params).fetchall()

    return run


def both(*queries: Query) -> Query:
    def run(connection: sqlite3.Connection) -> object:
        return [query(connection) for query in queries]

    return run


def page(where: str, params: tuple[object, ...], size: int, offset: int) -> Query:
    """What page mode runs: a count, then one page by OFFSET."""
    return both(
        fetch(f"SELECT count(*) FROM records WHERE {where}", *params),
        fetch(
            f"SELECT {COLUMNS} FROM records WHERE {where} "
            "ORDER BY date DESC, id DESC LIMIT ? OFFSET ?",
            *params,
            size,
            offset,
        ),
    )


def create(owner_id: int) -> Query:
    """One record and its audit entry in one write transaction."""
    now = datetime.now(UTC).replace(tzinfo=None).isoformat(sep=" ")

    def run(connection: sqlite3.Connection) -> object:
        connection.execute("BEGIN IMMEDIATE")
        cursor = connection.execute(
            f"INSERT INTO records ({COLUMNS.split(', ', 1)[1]}) "
            "VALUES (?, ?, 1250, 'expense', 'Bench', 'bench', '', 'bench\x1f', "
            "'2026-01-15', ?, ?, 1, 0, NULL)",
            (owner_id, owner_id, now, now),
        )
        connection.execute(
            "INSERT INTO record_audit (record_id, at, actor_id, action, changes) "
            "VALUES (?, ?, ?, 'created', '{}')",
            (cursor.lastrowid, now, owner_id),
        )
        connection.execute("COMMIT")
        return cursor.lastrowid

    return run


def summary(scope: str, params: tuple[object, ...]) -> Query:
    return fetch(
        "SELECT sum(CASE WHEN type = 'income' THEN amount_cents ELSE 0 END), "
        "sum(CASE WHEN type = 'expense' THEN amount_cents ELSE 0 END), count(*) "
        f"FROM records WHERE is_deleted = 0{scope}",
        *params,
    )


def category_totals(scope: str, params: tuple[object, ...]) -> Query:
    return fetch(
        "SELECT type, min(category), sum(amount_cents) AS total, count(*) FROM records "
        f"WHERE is_deleted = 0{scope} GROUP BY type, category_key ORDER BY total DESC",
        *params,
    )


def recent(scope: str, params: tuple[object, ...]) -> Query:
    return fetch(
        f"SELECT {COLUMNS} FROM records WHERE is_deleted = 0{scope} "
        "ORDER BY date DESC, id DESC LIMIT 10",
        *params,
    )


def monthly(scope: str, params: tuple[object, ...], since: str) -> Query:
    return fetch(
        "SELECT substr(date, 1, 7) AS month, "
        "sum(CASE WHEN type = 'income' THEN amount_cents ELSE 0 END), "
        "sum(CASE WHEN type = 'expense' THEN amount_cents ELSE 0 END), count(*) "
        f"FROM records WHERE is_deleted = 0{scope} AND date >= ? GROUP BY month ORDER BY month",
        *params,
        since,
    )


def budgets(owner_id: int, month: str, next_month: str) -> Query:
    """The budget report from the records: each budget in force in ``month`` (first day) with
    what was spent in it and, for rollover budgets, in every earlier month since its start;
    then budgeted, carried, available, remaining and percent used per budget."""
    sql = (
        "SELECT b.id, b.amount_cents, b.rollover, b.start_month, "
        "coalesce(sum(CASE WHEN r.date >= :month THEN r.amount_cents END), 0), "
        "coalesce(sum(CASE WHEN r.date < :month THEN r.amount_cents END), 0) "
        "FROM budgets b LEFT JOIN records r ON r.owner_id = b.owner_id "
        "AND r.category_key = b.category_key AND r.type = 'expense' AND r.is_deleted = 0 "
        "AND r.date >= b.start_month AND r.date < :next AND (b.rollover OR r.date >= :month) "
        "WHERE b.owner_id = :owner AND b.start_month <= :month "
        "AND (b.end_month IS NULL OR b.end_month >= :month) GROUP BY b.id ORDER BY b.id"
    )
    params = {"owner": owner_id, "month": month, "next": next_month}
    year, number = int(month[:4]), int(month[5:7])

    def run(connection: sqlite3.Connection) -> object:
        lines = []
        for _, amount, rollover, start, spent, before in connection.execute(sql, params):
            months_before = (year - int(start[:4])) * 12 + number - int(start[5:7])
            carried = months_before * amount - before if rollover else 0
            available = amount + carried
            remaining = available - spent
            used = (spent * 2000 + available) // (2 * available) if available > 0 else None
            lines.append((amount, carried, available, spent, remaining, used))
        return lines

    return run
