"""The dashboard's sums in SQL, read from the totals tables (see ``totals``). A query covers
whole months of its range from the monthly table and the partial months at its edges from the
daily table, so its cost depends on the number of owners, months and categories, never on the
number of records."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    Subquery,
    Table,
    bindparam,
    delete,
    func,
    select,
    union_all,
)

from finance.adapters.sqlalchemy.tables import records
from finance.adapters.sqlalchemy.totals import (
    TotalsKey,
    add_to_totals,
    daily,
    month_start,
    monthly,
)
from finance.application.analytics.statistics import (
    CategoryTotal,
    DashboardQuery,
    MonthTotals,
    Totals,
)
from finance.application.ports import Progress
from finance.domain.months import add_months, month_end, month_of
from finance.domain.records import RecordType, category_key

#: How many record ids one GROUP BY of a check or a rebuild covers.
RECORDS_PER_PASS = 200_000


def _collation(dialect: str) -> str:
    """The collation that compares strings by code point."""
    return "BINARY" if dialect == "sqlite" else "C"


def split_range(
    date_from: date | None, date_to: date | None
) -> tuple[tuple[date | None, date | None] | None, list[tuple[date, date]]]:
    """Cover ``[date_from, date_to]`` exactly with whole months (first and last month, None
    where unbounded; None if there is no whole month) and day ranges for the partial months at
    the edges."""
    days: list[tuple[date, date]] = []
    first: date | None = None
    last: date | None = None
    if date_from is not None:
        first = date_from if date_from.day == 1 else add_months(month_of(date_from), 1)
        if first is None:
            return None, [(date_from, date_to or date.max)]
    if date_to is not None:
        last = month_of(date_to)
        if date_to != month_end(last):
            last = add_months(last, -1)
            if last is None:
                return None, [(date_from or date.min, date_to)]
    if first is not None and last is not None and first > last:
        assert date_from is not None and date_to is not None
        return None, [(date_from, date_to)]
    if date_from is not None and first is not None and date_from < first:
        days.append((date_from, first - timedelta(days=1)))
    if date_to is not None and last is not None and month_end(last) < date_to:
        days.append((month_end(last) + timedelta(days=1), date_to))
    return (first, last), days


@dataclass(frozen=True)
class _Shape:
    """Which conditions a dashboard read has; its statement is built once per shape and
    dialect, and the values are bound on each run."""

    dialect: str
    owner: bool
    type: bool
    category: bool
    month_from: bool
    month_to: bool
    whole_months: bool
    day_ranges: int


def _plan(
    dialect: str,
    query: DashboardQuery,
    type: RecordType | None,
    category_key: str | None,
) -> tuple[_Shape, dict[str, Any]]:
    months, day_ranges = split_range(query.date_from, query.date_to)
    first, last = months if months is not None else (None, None)
    values: dict[str, Any] = {
        "owner_id": query.owner_id,
        "type": type.value if type is not None else None,
        "category_key": category_key,
        "month_from": first,
        "month_to": last,
    }
    for n, (start, end) in enumerate(day_ranges):
        values[f"day_from_{n}"], values[f"day_to_{n}"] = start, end
    shape = _Shape(
        dialect,
        owner=query.owner_id is not None,
        type=type is not None,
        category=category_key is not None,
        month_from=first is not None,
        month_to=last is not None,
        whole_months=months is not None,
        day_ranges=len(day_ranges),
    )
    return shape, values


@cache
def _cells(shape: _Shape) -> Subquery:
    """The totals rows that together cover exactly the query's live records (of one type
    and category, if given), with a ``month`` column."""

    def part(table: Table, month: ColumnElement[date]) -> Select[Any]:
        conditions: list[ColumnElement[bool]] = [table.c.record_count > 0]
        if shape.owner:
            conditions.append(table.c.owner_id == bindparam("owner_id"))
        if shape.type:
            conditions.append(table.c.type == bindparam("type"))
        if shape.category:
            conditions.append(table.c.category_key == bindparam("category_key"))
        return select(
            month.label("month"),
            table.c.type,
            table.c.category,
            table.c.category_key,
            table.c.total_cents,
            table.c.record_count,
        ).where(*conditions)

    parts: list[Select[Any]] = []
    if shape.whole_months:
        statement = part(monthly, monthly.c.month)
        if shape.month_from:
            statement = statement.where(monthly.c.month >= bindparam("month_from"))
        if shape.month_to:
            statement = statement.where(monthly.c.month <= bindparam("month_to"))
        parts.append(statement)
    for n in range(shape.day_ranges):
        statement = part(daily, month_start(daily.c.day, shape.dialect))
        parts.append(
            statement.where(
                daily.c.day >= bindparam(f"day_from_{n}"), daily.c.day <= bindparam(f"day_to_{n}")
            )
        )
    if len(parts) == 1:
        return parts[0].subquery("cells")
    return union_all(*parts).subquery("cells")


@cache
def _totals_statement(shape: _Shape) -> Select[Any]:
    cells = _cells(shape)
    return select(
        cells.c.type, func.sum(cells.c.total_cents), func.sum(cells.c.record_count)
    ).group_by(cells.c.type)


@cache
def _count_statement(shape: _Shape) -> Select[Any]:
    return select(func.sum(_cells(shape).c.record_count))


@cache
def _category_statement(shape: _Shape) -> Select[Any]:
    cells = _cells(shape)
    spelling = func.min(cells.c.category.collate(_collation(shape.dialect)))
    return select(
        cells.c.type, spelling, func.sum(cells.c.total_cents), func.sum(cells.c.record_count)
    ).group_by(cells.c.type, cells.c.category_key)


@cache
def _monthly_statement(shape: _Shape) -> Select[Any]:
    cells = _cells(shape)
    return select(
        cells.c.month, cells.c.type, func.sum(cells.c.total_cents), func.sum(cells.c.record_count)
    ).group_by(cells.c.month, cells.c.type)


class SqlDashboardStatistics:
    def __init__(self, connection: Connection) -> None:
        self._conn = connection
        self._dialect = connection.dialect.name

    def _run(
        self,
        build: Any,
        query: DashboardQuery,
        type: RecordType | None = None,
        category_key: str | None = None,
    ) -> Any:
        shape, values = _plan(self._dialect, query, type, category_key)
        return self._conn.execute(build(shape), values)

    def totals(self, query: DashboardQuery) -> Totals:
        rows = self._run(_totals_statement, query).all()
        sums = {kind: (int(cents), int(count)) for kind, cents, count in rows}
        income = sums.get(RecordType.INCOME.value, (0, 0))
        expense = sums.get(RecordType.EXPENSE.value, (0, 0))
        return Totals(income[0], expense[0], income[1] + expense[1])

    def record_count(
        self, query: DashboardQuery, type: RecordType | None, category_key: str | None
    ) -> int:
        """How many live records the query holds, of one type and category if given."""
        total = self._run(_count_statement, query, type, category_key).scalar_one()
        return int(total or 0)

    def category_totals(
        self, query: DashboardQuery, type: RecordType | None
    ) -> list[CategoryTotal]:
        return [
            CategoryTotal(RecordType(kind), category, int(cents), int(count))
            for kind, category, cents, count in self._run(_category_statement, query, type)
        ]

    def monthly_totals(self, query: DashboardQuery) -> list[MonthTotals]:
        months: dict[date, list[int]] = {}
        for month, kind, cents, count in self._run(_monthly_statement, query):
            sums = months.setdefault(month, [0, 0, 0])
            sums[0 if kind == RecordType.INCOME.value else 1] += int(cents)
            sums[2] += int(count)
        return [MonthTotals(month, s[0], s[1], s[2]) for month, s in months.items()]

    def monthly_expenses(
        self, owners_and_categories: set[tuple[int, str]], first: date, last: date
    ) -> dict[tuple[int, str, date], int]:
        if not owners_and_categories:
            return {}
        owners = sorted({owner for owner, _ in owners_and_categories})
        keys = sorted({key for _, key in owners_and_categories})
        rows = self._conn.execute(
            select(
                monthly.c.owner_id,
                monthly.c.category_key,
                monthly.c.month,
                func.sum(monthly.c.total_cents),
            )
            .where(
                monthly.c.type == RecordType.EXPENSE.value,
                monthly.c.owner_id.in_(owners),
                monthly.c.category_key.in_(keys),
                monthly.c.month >= first,
                monthly.c.month <= last,
            )
            .group_by(monthly.c.owner_id, monthly.c.category_key, monthly.c.month)
        )
        return {
            (owner, key, month): int(cents)
            for owner, key, month, cents in rows
            if (owner, key) in owners_and_categories and cents
        }

    def differences(self, progress: Progress) -> list[str]:
        expected_days = self._sums_from_records(progress, "Checking the totals")
        expected_months: dict[TotalsKey, tuple[int, int]] = {}
        for (owner_id, day, kind, category), (cents, count) in expected_days.items():
            key = (owner_id, month_of(day), kind, category)
            before = expected_months.get(key, (0, 0))
            expected_months[key] = (before[0] + cents, before[1] + count)
        found = []
        for table, period, expected in (
            (daily, "day", expected_days),
            (monthly, "month", expected_months),
        ):
            stored = dict(self._stored(table, period))
            for key in sorted(set(expected) | set(stored)):
                want, have = expected.get(key, (0, 0)), stored.get(key, (0, 0))
                if want != have:
                    owner_id, when, kind, category = key
                    found.append(
                        f"{table.name}: owner {owner_id}, {period} {when}, {kind}, {category!r}:"
                        f" stored {have[0]} cents in {have[1]} records,"
                        f" the records give {want[0]} cents in {want[1]}"
                    )
        return found

    def _sums_from_records(
        self, progress: Progress, stage: str
    ) -> dict[TotalsKey, tuple[int, int]]:
        """The live records' sums per (owner, day, type, category), read a range of ids at a
        time: each GROUP BY sorts at most ``RECORDS_PER_PASS`` rows, so memory stays bounded
        (by the number of totals, not of records) and the time linear."""
        last_id: int = self._conn.execute(
            select(func.coalesce(func.max(records.c.id), 0))
        ).scalar_one()
        progress.begin(stage, last_id)
        sums: dict[TotalsKey, tuple[int, int]] = {}
        group = (records.c.owner_id, records.c.date, records.c.type, records.c.category)
        for first in range(1, last_id + 1, RECORDS_PER_PASS):
            last = min(first + RECORDS_PER_PASS - 1, last_id)
            rows = self._conn.execute(
                select(*group, func.sum(records.c.amount_cents), func.count())
                .where(records.c.id.between(first, last), records.c.is_deleted.is_(False))
                .group_by(*group)
            )
            for owner_id, day, kind, category, cents, count in rows:
                key = (owner_id, day, kind, category)
                before = sums.get(key, (0, 0))
                sums[key] = (before[0] + int(cents), before[1] + int(count))
            progress.advance(last - first + 1)
        return sums

    def _stored(self, table: Table, period: str) -> Iterable[tuple[TotalsKey, tuple[int, int]]]:
        rows = self._conn.execute(
            select(
                table.c.owner_id,
                table.c[period],
                table.c.type,
                table.c.category,
                table.c.category_key,
                table.c.total_cents,
                table.c.record_count,
            )
        )
        for owner_id, when, kind, category, key, cents, count in rows:
            if (cents, count) != (0, 0) or key != category_key(category):
                yield (owner_id, when, kind, category), (int(cents), int(count))

    def rebuild(self, progress: Progress) -> None:
        days = self._sums_from_records(progress, "Rebuilding the totals")
        self._conn.execute(delete(daily))
        self._conn.execute(delete(monthly))
        add_to_totals(self._conn, days)
