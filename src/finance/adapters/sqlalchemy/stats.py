"""The dashboard's sums in SQL, read from totals kept per (owner, day or month, type, category).

The record repository updates both totals tables in the transaction of every write, through
``TotalsDelta``. A query covers whole months of its range from the monthly table and the
partial months at its edges from the daily table, so its cost depends on the number of owners,
months and categories, never on the number of records. Sums are integer cents throughout."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Date,
    Select,
    Subquery,
    Table,
    cast,
    delete,
    func,
    insert,
    literal_column,
    select,
    type_coerce,
    union_all,
)
from sqlalchemy.dialects import postgresql, sqlite

from finance.adapters.sqlalchemy.tables import (
    record_daily_totals,
    record_monthly_totals,
    records,
)
from finance.application.analytics.months import add_months, month_end, month_of
from finance.application.analytics.statistics import (
    CategoryTotal,
    DashboardScope,
    MonthTotals,
    Totals,
)
from finance.domain.records import Record, RecordType, category_key

daily = record_daily_totals
monthly = record_monthly_totals
Cell = tuple[int, date, str, str]
#: Each type as stored; faster than the enum's ``value`` in loops over many records.
TYPE_TEXT = {kind: kind.value for kind in RecordType}


def month_start(day: ColumnElement[date], dialect: str) -> ColumnElement[date]:
    """The first day of ``day``'s month, as a date, in this database's SQL."""
    if dialect == "sqlite":
        return type_coerce(func.date(day, literal_column("'start of month'")), Date)
    return cast(func.date_trunc(literal_column("'month'"), day), Date)


def _collation(dialect: str) -> str:
    """The collation that compares strings by code point."""
    return "BINARY" if dialect == "sqlite" else "C"


class TotalsDelta:
    """How a write changes the totals: each live record that leaves counts minus, each live
    record that arrives counts plus; ``apply`` adds the net change to both tables."""

    def __init__(self) -> None:
        self._cells: dict[Cell, list[int]] = {}

    def _count(self, cell: Cell, cents: int, sign: int) -> None:
        sums = self._cells.get(cell)
        if sums is None:
            sums = self._cells[cell] = [0, 0]
        sums[0] += sign * cents
        sums[1] += sign

    def arrive(self, record: Record) -> None:
        if not record.is_deleted:
            cell = (record.owner_id, record.date, TYPE_TEXT[record.type], record.category)
            self._count(cell, record.amount.cents, +1)

    def leave(self, row: Any) -> None:
        """``row``: the stored columns owner_id, date, type, category, amount_cents,
        is_deleted."""
        if not row.is_deleted:
            self._count((row.owner_id, row.date, row.type, row.category), row.amount_cents, -1)

    def apply(self, connection: Connection) -> None:
        days = {cell: sums for cell, sums in self._cells.items() if sums != [0, 0]}
        months: dict[Cell, list[int]] = {}
        for (owner_id, day, kind, category), (cents, count) in days.items():
            sums = months.setdefault((owner_id, month_of(day), kind, category), [0, 0])
            sums[0] += cents
            sums[1] += count
        _upsert(connection, daily, "day", days)
        _upsert(connection, monthly, "month", months)


#: The stored columns ``TotalsDelta.leave`` needs, read before a record is overwritten.
STORED_COLUMNS = (
    records.c.owner_id,
    records.c.date,
    records.c.type,
    records.c.category,
    records.c.amount_cents,
    records.c.is_deleted,
)


def _upsert(
    connection: Connection, table: Table, period: str, cells: dict[Cell, list[int]]
) -> None:
    """Add to the rows' sums, creating missing rows; in key order, so that concurrent writers
    lock rows in the same order."""
    if not cells:
        return
    rows = [
        {
            "owner_id": owner_id,
            period: when,
            "type": kind,
            "category": category,
            "category_key": category_key(category),
            "total_cents": cents,
            "record_count": count,
        }
        for (owner_id, when, kind, category), (cents, count) in sorted(cells.items())
    ]
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(table)
    statement = statement.on_conflict_do_update(
        index_elements=["owner_id", period, "type", "category"],
        set_={
            "total_cents": table.c.total_cents + statement.excluded.total_cents,
            "record_count": table.c.record_count + statement.excluded.record_count,
        },
    )
    connection.execute(statement, rows)


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


class SqlDashboardStatistics:
    def __init__(self, connection: Connection) -> None:
        self._conn = connection
        self._dialect = connection.dialect.name

    def _cells(
        self,
        scope: DashboardScope,
        type: RecordType | None = None,
        category_key: str | None = None,
    ) -> Subquery:
        """The totals rows that together cover exactly the scope's live records (of one type
        and category, if given), with a ``month`` column."""
        months, day_ranges = split_range(scope.date_from, scope.date_to)
        parts: list[Select[Any]] = []

        def part(table: Table, month: ColumnElement[date]) -> Select[Any]:
            conditions: list[ColumnElement[bool]] = [table.c.record_count > 0]
            if scope.owner_id is not None:
                conditions.append(table.c.owner_id == scope.owner_id)
            if type is not None:
                conditions.append(table.c.type == type.value)
            if category_key is not None:
                conditions.append(table.c.category_key == category_key)
            return select(
                month.label("month"),
                table.c.type,
                table.c.category,
                table.c.category_key,
                table.c.total_cents,
                table.c.record_count,
            ).where(*conditions)

        if months is not None:
            first, last = months
            statement = part(monthly, monthly.c.month)
            if first is not None:
                statement = statement.where(monthly.c.month >= first)
            if last is not None:
                statement = statement.where(monthly.c.month <= last)
            parts.append(statement)
        for start, end in day_ranges:
            statement = part(daily, month_start(daily.c.day, self._dialect))
            parts.append(statement.where(daily.c.day >= start, daily.c.day <= end))
        if len(parts) == 1:
            return parts[0].subquery("cells")
        return union_all(*parts).subquery("cells")

    def totals(self, scope: DashboardScope) -> Totals:
        cells = self._cells(scope)
        rows = self._conn.execute(
            select(
                cells.c.type, func.sum(cells.c.total_cents), func.sum(cells.c.record_count)
            ).group_by(cells.c.type)
        ).all()
        sums = {kind: (int(cents), int(count)) for kind, cents, count in rows}
        income = sums.get(RecordType.INCOME.value, (0, 0))
        expense = sums.get(RecordType.EXPENSE.value, (0, 0))
        return Totals(income[0], expense[0], income[1] + expense[1])

    def record_count(
        self, scope: DashboardScope, type: RecordType | None, category_key: str | None
    ) -> int:
        """How many live records the scope holds, of one type and category if given."""
        cells = self._cells(scope, type, category_key)
        total = self._conn.execute(select(func.sum(cells.c.record_count))).scalar_one()
        return int(total or 0)

    def category_totals(
        self, scope: DashboardScope, type: RecordType | None
    ) -> list[CategoryTotal]:
        cells = self._cells(scope, type)
        spelling = func.min(cells.c.category.collate(_collation(self._dialect)))
        rows = self._conn.execute(
            select(
                cells.c.type,
                spelling,
                func.sum(cells.c.total_cents),
                func.sum(cells.c.record_count),
            ).group_by(cells.c.type, cells.c.category_key)
        )
        return [
            CategoryTotal(RecordType(kind), category, int(cents), int(count))
            for kind, category, cents, count in rows
        ]

    def monthly_totals(self, scope: DashboardScope) -> list[MonthTotals]:
        cells = self._cells(scope)
        rows = self._conn.execute(
            select(
                cells.c.month,
                cells.c.type,
                func.sum(cells.c.total_cents),
                func.sum(cells.c.record_count),
            ).group_by(cells.c.month, cells.c.type)
        )
        months: dict[date, list[int]] = {}
        for month, kind, cents, count in rows:
            sums = months.setdefault(month, [0, 0, 0])
            sums[0 if kind == RecordType.INCOME.value else 1] += int(cents)
            sums[2] += int(count)
        return [MonthTotals(month, s[0], s[1], s[2]) for month, s in months.items()]

    def differences(self) -> list[str]:
        expected_days = dict(self._from_records())
        expected_months: dict[Cell, tuple[int, int]] = {}
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

    def _from_records(self) -> Iterable[tuple[Cell, tuple[int, int]]]:
        for day, owner_id, kind, category, _, cents, count in self._conn.execute(daily_sums()):
            yield (owner_id, day, kind, category), (int(cents), int(count))

    def _stored(self, table: Table, period: str) -> Iterable[tuple[Cell, tuple[int, int]]]:
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

    def rebuild(self) -> None:
        rebuild_totals(self._conn)


def daily_sums() -> Select[Any]:
    """The live records' sums per day, owner, type and category (as spelled, with its key), in
    the daily table's column order."""
    group = (
        records.c.date,
        records.c.owner_id,
        records.c.type,
        records.c.category,
        records.c.category_key,
    )
    return (
        select(*group, func.sum(records.c.amount_cents), func.count())
        .where(records.c.is_deleted.is_(False))
        .group_by(*group)
    )


def rebuild_totals(connection: Connection) -> None:
    """Recompute both totals tables from the live records: the daily sums by one GROUP BY over
    the records, the monthly sums from the daily ones."""
    dialect = connection.dialect.name
    connection.execute(delete(daily))
    connection.execute(delete(monthly))
    columns = ["owner_id", "type", "category", "category_key", "total_cents", "record_count"]
    connection.execute(insert(daily).from_select(["day", *columns], daily_sums()))
    month = month_start(daily.c.day, dialect)
    connection.execute(
        insert(monthly).from_select(
            ["month", *columns],
            select(
                month,
                daily.c.owner_id,
                daily.c.type,
                daily.c.category,
                daily.c.category_key,
                func.sum(daily.c.total_cents),
                func.sum(daily.c.record_count),
            ).group_by(
                month, daily.c.owner_id, daily.c.type, daily.c.category, daily.c.category_key
            ),
        )
    )
