"""Records in SQL. Filtering, ordering, counting and keyset paging all happen in the
database; every write also moves the dashboard's totals, in the same transaction."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Connection, bindparam, func, insert, select, tuple_, update

from finance.adapters.sqlalchemy.bulk_insert import RecordLoader
from finance.adapters.sqlalchemy.dashboard_statistics import SqlDashboardStatistics
from finance.adapters.sqlalchemy.record_queries import SORT_COLUMNS, order_by, query_conditions
from finance.adapters.sqlalchemy.record_rows import record_columns, to_record
from finance.adapters.sqlalchemy.tables import records
from finance.adapters.sqlalchemy.totals import STORED_COLUMNS, TotalsDelta
from finance.application.analytics.statistics import DashboardQuery
from finance.application.pagination import Page, PageRequest
from finance.application.records.filters import KeysetPosition, RecordQuery
from finance.domain.records import Record

#: Built once: a record read is the most common query there is.
_BY_ID = select(records).where(records.c.id == bindparam("record_id"))
_BY_ID_FOR_UPDATE = _BY_ID.with_for_update()
_INSERT = insert(records)
_STORED = select(*STORED_COLUMNS).where(records.c.id == bindparam("record_id")).with_for_update()
_UPDATE = update(records).where(records.c.id == bindparam("record_id"))


class SqlRecordRepository:
    """The totals' moves of a unit of work are summed and written once, by ``before_commit``,
    so a bulk import touches each (owner, day, type, category) total once rather than once per
    record."""

    def __init__(self, connection: Connection) -> None:
        self._conn = connection
        self._totals = TotalsDelta()
        self._loader = RecordLoader(connection)

    def add(self, record: Record) -> Record:
        result = self._conn.execute(_INSERT, record_columns(record))
        assert result.inserted_primary_key is not None
        record.id = result.inserted_primary_key[0]
        self._totals.add(record)
        return record

    def add_many(self, new: list[Record]) -> list[Record]:
        if not new:
            return new
        for record, record_id in zip(new, self._loader.insert(new), strict=True):
            record.id = record_id
            self._totals.add(record)
        return new

    def get(self, record_id: int, *, for_update: bool = False) -> Record | None:
        statement = _BY_ID_FOR_UPDATE if for_update else _BY_ID
        row = self._conn.execute(statement, {"record_id": record_id}).first()
        return to_record(row) if row else None

    def save(self, record: Record) -> None:
        stored = self._conn.execute(_STORED, {"record_id": record.id}).first()
        if stored is not None:
            self._totals.remove(stored)
        self._conn.execute(_UPDATE, {"record_id": record.id, **record_columns(record)})
        self._totals.add(record)

    def before_commit(self) -> None:
        """Write the summed moves of the totals and build any index set aside."""
        self._write_totals()
        self._loader.finish()

    def _write_totals(self) -> None:
        self._totals.apply(self._conn)
        self._totals = TotalsDelta()

    def find_page(self, query: RecordQuery, page: PageRequest) -> Page[Record]:
        conditions = query_conditions(query, self._conn)
        rows = self._conn.execute(
            select(records)
            .where(*conditions)
            .order_by(*order_by(query))
            .limit(page.page_size)
            .offset(page.offset)
        )
        items = [to_record(r) for r in rows]
        # A short page that is the first or not past the end is the last one: its records
        # are all there are after the offset, so nothing needs counting.
        if len(items) < page.page_size and (items or page.offset == 0):
            return Page(items, page.offset + len(items), page)
        return Page(items, self._count(query, conditions), page)

    def _count(self, query: RecordQuery, conditions: list[ColumnElement[bool]]) -> int:
        """Live records filtered by no more than owner, type, category and dates are counted
        from the dashboard totals, which sum a few thousand rows where COUNT(*) would visit up
        to every record; this unit of work's own pending moves are written first, so the count
        includes its writes. Other queries are counted in the records table."""
        f = query.filter
        if query.deleted or f.q_key or f.min_cents is not None or f.max_cents is not None:
            counted: int = self._conn.execute(
                select(func.count()).select_from(records).where(*conditions)
            ).scalar_one()
            return counted
        self._write_totals()
        in_totals = DashboardQuery(f.owner_id, f.date_from, f.date_to)
        return SqlDashboardStatistics(self._conn).record_count(in_totals, f.type, f.category_key)

    def find_after(
        self, query: RecordQuery, after: KeysetPosition | None, limit: int
    ) -> list[Record]:
        conditions = query_conditions(query, self._conn)
        ordering = query.filter.ordering
        if after is not None:
            column = SORT_COLUMNS[ordering.field]
            if column is records.c.id:
                key: Any = records.c.id
                position: Any = after.record_id
            else:
                key = tuple_(column, records.c.id)
                position = (after.value, after.record_id)
            conditions.append(key < position if ordering.descending else key > position)
        rows = self._conn.execute(
            select(records).where(*conditions).order_by(*order_by(query)).limit(limit)
        )
        return [to_record(r) for r in rows]
