"""The dashboard's totals tables, write side: live records' sums per (owner, day or month,
type, category as spelled), kept in step with every write in the writer's own transaction, and
rebuilt from the records when asked. Sums are integer cents throughout."""

from __future__ import annotations

from datetime import date
from functools import cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Date,
    Select,
    Table,
    cast,
    delete,
    func,
    insert,
    literal_column,
    select,
    type_coerce,
)
from sqlalchemy.dialects import postgresql, sqlite

from finance.adapters.sqlalchemy.tables import (
    record_daily_totals,
    record_monthly_totals,
    records,
)
from finance.domain.months import month_of
from finance.domain.records import Record, RecordType, category_key

daily = record_daily_totals
monthly = record_monthly_totals
#: Which row of a totals table a record counts in: (owner, day or month, type, category).
TotalsKey = tuple[int, date, str, str]
#: Each type as stored; faster than the enum's ``value`` in loops over many records.
TYPE_TEXT = {kind: kind.value for kind in RecordType}


def month_start(day: ColumnElement[date], dialect: str) -> ColumnElement[date]:
    """The first day of ``day``'s month, as a date, in this database's SQL."""
    if dialect == "sqlite":
        return type_coerce(func.date(day, literal_column("'start of month'")), Date)
    return cast(func.date_trunc(literal_column("'month'"), day), Date)


class TotalsDelta:
    """How the writes of a unit of work change the totals: a live record written counts plus,
    the stored version it replaces counts minus; ``apply`` adds the net change to both
    tables, once, just before the commit."""

    def __init__(self) -> None:
        # Two maps of plain ints (not one of [cents, count] lists): a dict of atomic values is
        # not tracked by Python's cycle collector, which a million-row load would otherwise
        # walk again and again.
        self._cents: dict[TotalsKey, int] = {}
        self._counts: dict[TotalsKey, int] = {}

    def _count(self, key: TotalsKey, cents: int, sign: int) -> None:
        self._cents[key] = self._cents.get(key, 0) + sign * cents
        self._counts[key] = self._counts.get(key, 0) + sign

    def add(self, record: Record) -> None:
        """Count a record as written."""
        if not record.is_deleted:
            key = (record.owner_id, record.date, TYPE_TEXT[record.type], record.category)
            self._count(key, record.amount.cents, +1)

    def remove(self, row: Any) -> None:
        """Uncount a stored row (``STORED_COLUMNS``) that a write replaces."""
        if not row.is_deleted:
            self._count((row.owner_id, row.date, row.type, row.category), row.amount_cents, -1)

    def apply(self, connection: Connection) -> None:
        days = {
            key: (cents, self._counts[key])
            for key, cents in self._cents.items()
            if (cents, self._counts[key]) != (0, 0)
        }
        add_to_totals(connection, days)


def add_to_totals(connection: Connection, days: dict[TotalsKey, tuple[int, int]]) -> None:
    """Add (cents, count) per (owner, day, type, category) to the daily table, and their sums
    per month to the monthly one."""
    months: dict[TotalsKey, tuple[int, int]] = {}
    for (owner_id, day, kind, category), (cents, count) in days.items():
        key = (owner_id, month_of(day), kind, category)
        before = months.get(key, (0, 0))
        months[key] = (before[0] + cents, before[1] + count)
    _upsert(connection, daily, "day", days)
    _upsert(connection, monthly, "month", months)


#: The stored columns ``TotalsDelta.remove`` needs, read before a record is overwritten.
STORED_COLUMNS = (
    records.c.owner_id,
    records.c.date,
    records.c.type,
    records.c.category,
    records.c.amount_cents,
    records.c.is_deleted,
)


def _upsert(
    connection: Connection, table: Table, period: str, cells: dict[TotalsKey, tuple[int, int]]
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
    connection.execute(_upsert_statement(connection.dialect.name, table, period), rows)


@cache
def _upsert_statement(dialect_name: str, table: Table, period: str) -> Any:
    """Built once per database and table: every write of a record runs two."""
    dialect = postgresql if dialect_name == "postgresql" else sqlite
    statement = dialect.insert(table)
    return statement.on_conflict_do_update(
        index_elements=["owner_id", period, "type", "category"],
        set_={
            "total_cents": table.c.total_cents + statement.excluded.total_cents,
            "record_count": table.c.record_count + statement.excluded.record_count,
        },
    )


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
