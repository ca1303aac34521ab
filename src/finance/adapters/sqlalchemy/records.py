"""Records, their audit trail and idempotency keys in SQL. Filtering, ordering, counting and
keyset paging all happen in the database."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime
from itertools import islice
from operator import itemgetter
from typing import Any

from sqlalchemy import (
    Column,
    ColumnElement,
    Connection,
    Date,
    DateTime,
    Dialect,
    Engine,
    Table,
    delete,
    func,
    insert,
    select,
    tuple_,
    update,
)
from sqlalchemy.exc import IntegrityError

from finance.adapters.sqlalchemy.sqlite_import import SqliteImport
from finance.adapters.sqlalchemy.stats import (
    STORED_COLUMNS,
    SqlDashboardStatistics,
    TotalsDelta,
)
from finance.adapters.sqlalchemy.tables import (
    UTCDateTime,
    idempotency_keys,
    record_audit,
    records,
)
from finance.application.analytics.statistics import DashboardScope
from finance.application.pagination import Page, PageRequest
from finance.application.ports import IdempotentResult
from finance.application.records.filters import KeysetPosition, RecordQuery, search_key
from finance.domain.money import Money
from finance.domain.records import AuditAction, AuditEntry, Record, RecordType, category_key

IMPORT_CHUNK_SIZE = 2000
STREAM_BATCH_SIZE = 1000
_SORT_COLUMNS = {
    "date": records.c.date,
    "amount": records.c.amount_cents,
    "created_at": records.c.created_at,
    "id": records.c.id,
}


def to_record(row: Any) -> Record:
    return Record(
        id=row.id,
        owner_id=row.owner_id,
        created_by=row.created_by,
        amount=Money.from_cents(row.amount_cents),
        type=RecordType(row.type),
        category=row.category,
        description=row.description,
        date=row.date,
        created_at=row.created_at,
        updated_at=row.updated_at,
        version=row.version,
        is_deleted=row.is_deleted,
        deleted_at=row.deleted_at,
    )


def record_columns(record: Record) -> dict[str, Any]:
    return {
        "owner_id": record.owner_id,
        "created_by": record.created_by,
        "amount_cents": record.amount.cents,
        "type": record.type.value,
        "category": record.category,
        "category_key": category_key(record.category),
        "description": record.description,
        "search_key": search_key(record),
        "date": record.date,
        "created_at": record.created_at,
        "updated_at": record.updated_at,
        "version": record.version,
        "is_deleted": record.is_deleted,
        "deleted_at": record.deleted_at,
    }


def query_conditions(query: RecordQuery) -> list[ColumnElement[bool]]:
    """The WHERE clause of a record query; the dashboard shares it."""
    f = query.filter
    conditions: list[ColumnElement[bool]] = [records.c.is_deleted.is_(query.deleted)]
    if f.owner_id is not None:
        conditions.append(records.c.owner_id == f.owner_id)
    if f.type is not None:
        conditions.append(records.c.type == f.type.value)
    if f.category_key is not None:
        conditions.append(records.c.category_key == f.category_key)
    if f.date_from is not None:
        conditions.append(records.c.date >= f.date_from)
    if f.date_to is not None:
        conditions.append(records.c.date <= f.date_to)
    if f.min_cents is not None:
        conditions.append(records.c.amount_cents >= f.min_cents)
    if f.max_cents is not None:
        conditions.append(records.c.amount_cents <= f.max_cents)
    if f.q_key:
        conditions.append(records.c.search_key.contains(f.q_key, autoescape=True))
    return conditions


def _order_by(query: RecordQuery) -> list[Any]:
    ordering = query.filter.ordering
    column = _SORT_COLUMNS[ordering.field]
    if ordering.descending:
        return [column.desc()] if column is records.c.id else [column.desc(), records.c.id.desc()]
    return [column.asc()] if column is records.c.id else [column.asc(), records.c.id.asc()]


def insert_many(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert rows that all have the same keys. On SQLite the values go through the columns'
    own bind processors straight to one ``executemany``, without SQLAlchemy's per-row cost."""
    if conn.dialect.name != "sqlite":
        conn.execute(insert(table), rows)
        return
    statement = insert(table).compile(dialect=conn.dialect, column_keys=list(rows[0]))
    names = statement.positiontup or []
    values = itemgetter(*names)
    processed = [(i, _bind(table.c[n], conn.dialect)) for i, n in enumerate(names)]
    processors = [(i, p) for i, p in processed if p is not None]
    parameters = []
    for row in rows:
        cells = list(values(row))
        for i, process in processors:
            cells[i] = process(cells[i])
        parameters.append(tuple(cells))
    conn.exec_driver_sql(str(statement), parameters)


def _bind(column: Column[Any], dialect: Dialect) -> Callable[[Any], Any] | None:
    """The column's bind processor for this database (for times: text with microseconds);
    for dates and times, which repeat a lot in a batch, remembering each value's result."""
    process = column.type.dialect_impl(dialect).bind_processor(dialect)
    if process is None or not isinstance(column.type, Date | DateTime | UTCDateTime):
        return process
    seen: dict[Any, Any] = {}

    def remembered(value: Any) -> Any:
        if value not in seen:
            seen[value] = process(value)
        return seen[value]

    return remembered


def insert_records(conn: Connection, new: list[Record]) -> list[int]:
    """Insert records in bulk and return their ids in order. SQLite numbers a new row
    max(id) + 1, and a writing unit of work holds its write lock, so the ids are known before
    the insert (a concurrent writer would make it fail, never mix ids up); other databases
    report the ids back in order."""
    if conn.dialect.name != "sqlite":
        rows = conn.execute(
            insert(records).returning(records.c.id, sort_by_parameter_order=True),
            [record_columns(r) for r in new],
        )
        return [row.id for row in rows]
    first: int = conn.execute(select(func.coalesce(func.max(records.c.id), 0))).scalar_one() + 1
    ids = list(range(first, first + len(new)))
    insert_many(
        conn, records, [{"id": i, **record_columns(r)} for i, r in zip(ids, new, strict=True)]
    )
    return ids


class SqlRecordRepository:
    """Records in SQL. Every write also moves the dashboard totals; the moves of a unit of work
    are summed and written once, by ``flush_totals`` just before it commits, so a bulk import
    touches each (owner, day, type, category) total once rather than once per record."""

    def __init__(self, connection: Connection) -> None:
        self._conn = connection
        self._totals = TotalsDelta()

    def add(self, record: Record) -> Record:
        result = self._conn.execute(insert(records).values(**record_columns(record)))
        assert result.inserted_primary_key is not None
        record.id = result.inserted_primary_key[0]
        self._totals.arrive(record)
        return record

    def add_many(self, new: list[Record]) -> list[Record]:
        if not new:
            return new
        ids = insert_records(self._conn, new)
        for record, record_id in zip(new, ids, strict=True):
            record.id = record_id
            self._totals.arrive(record)
        return new

    def import_all(self, new: Iterable[Record]) -> int:
        if self._conn.dialect.name == "sqlite":
            return SqliteImport(self._conn, self._totals).run(new)
        audit = SqlAuditLog(self._conn)
        imported = 0
        pending = iter(new)
        while chunk := list(islice(pending, IMPORT_CHUNK_SIZE)):
            audit.add_many(
                [
                    AuditEntry.of_creation(r, r.created_by, AuditAction.IMPORTED)
                    for r in self.add_many(chunk)
                ]
            )
            imported += len(chunk)
        return imported

    def get(self, record_id: int, *, for_update: bool = False) -> Record | None:
        statement = select(records).where(records.c.id == record_id)
        if for_update:
            statement = statement.with_for_update()
        row = self._conn.execute(statement).first()
        return to_record(row) if row else None

    def save(self, record: Record) -> None:
        stored = self._conn.execute(
            select(*STORED_COLUMNS).where(records.c.id == record.id).with_for_update()
        ).first()
        if stored is not None:
            self._totals.leave(stored)
        self._conn.execute(
            update(records).where(records.c.id == record.id).values(**record_columns(record))
        )
        self._totals.arrive(record)

    def flush_totals(self) -> None:
        """Write the summed moves of the totals; the unit of work calls it before commit."""
        self._totals.apply(self._conn)
        self._totals = TotalsDelta()

    def find_page(self, query: RecordQuery, page: PageRequest) -> Page[Record]:
        conditions = query_conditions(query)
        total = self._count(query, conditions)
        rows = self._conn.execute(
            select(records)
            .where(*conditions)
            .order_by(*_order_by(query))
            .limit(page.page_size)
            .offset(page.offset)
        )
        return Page([to_record(r) for r in rows], total, page)

    def _count(self, query: RecordQuery, conditions: list[ColumnElement[bool]]) -> int:
        """Live records filtered by no more than owner, type, category and dates are counted
        from the dashboard totals, which sum a few thousand rows where COUNT(*) would visit up
        to every record; other queries are counted in the records table. (The totals move
        when the unit of work commits, so count before writing, as every use case does.)"""
        f = query.filter
        if query.deleted or f.q_key or f.min_cents is not None or f.max_cents is not None:
            counted: int = self._conn.execute(
                select(func.count()).select_from(records).where(*conditions)
            ).scalar_one()
            return counted
        scope = DashboardScope(f.owner_id, f.date_from, f.date_to)
        return SqlDashboardStatistics(self._conn).record_count(scope, f.type, f.category_key)

    def find_after(
        self, query: RecordQuery, after: KeysetPosition | None, limit: int
    ) -> list[Record]:
        conditions = query_conditions(query)
        ordering = query.filter.ordering
        if after is not None:
            column = _SORT_COLUMNS[ordering.field]
            if column is records.c.id:
                key: Any = records.c.id
                position: Any = after.record_id
            else:
                key = tuple_(column, records.c.id)
                position = (after.value, after.record_id)
            conditions.append(key < position if ordering.descending else key > position)
        rows = self._conn.execute(
            select(records).where(*conditions).order_by(*_order_by(query)).limit(limit)
        )
        return [to_record(r) for r in rows]


class SqlRecordStream:
    """Reads through a server-side cursor: psycopg's named cursor on PostgreSQL; on SQLite the
    cursor steps through the rows as they are fetched. Either way rows arrive a batch at a
    time and the read transaction lasts as long as the iteration."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def read(self, query: RecordQuery) -> _OpenRecords:
        statement = select(records).where(*query_conditions(query)).order_by(*_order_by(query))
        conn = self._engine.connect()
        try:
            # yield_per also sets stream_results: a server-side cursor where the driver has one.
            result = conn.execution_options(yield_per=STREAM_BATCH_SIZE).execute(statement)
        except BaseException:
            conn.close()
            raise
        return _OpenRecords(conn, map(to_record, result))


class _OpenRecords:
    """Records as a result yields them; the connection (and its read transaction) is given
    back at the end, on an error, or when the reader closes early."""

    def __init__(self, connection: Connection, found: Iterator[Record]) -> None:
        self._conn = connection
        self._found = found

    def __iter__(self) -> _OpenRecords:
        return self

    def __next__(self) -> Record:
        try:
            return next(self._found)
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        self._conn.close()


class SqlAuditLog:
    def __init__(self, connection: Connection) -> None:
        self._conn = connection

    def add(self, entry: AuditEntry) -> None:
        self.add_many([entry])

    def add_many(self, entries: list[AuditEntry]) -> None:
        if entries:
            insert_many(
                self._conn,
                record_audit,
                [
                    {
                        "record_id": e.record_id,
                        "at": e.at,
                        "actor_id": e.actor_id,
                        "action": e.action.value,
                        "changes": e.changes,
                    }
                    for e in entries
                ],
            )

    def for_record(self, record_id: int) -> list[AuditEntry]:
        rows = self._conn.execute(
            select(record_audit)
            .where(record_audit.c.record_id == record_id)
            .order_by(record_audit.c.id)
        )
        return [
            AuditEntry(
                id=r.id,
                record_id=r.record_id,
                at=r.at,
                actor_id=r.actor_id,
                action=AuditAction(r.action),
                changes=r.changes,
            )
            for r in rows
        ]


def record_to_json(record: Record) -> dict[str, Any]:
    return {
        **{
            k: v.isoformat() if isinstance(v, date | datetime) else v
            for k, v in record_columns(record).items()
        },
        "id": record.id,
    }


def record_from_json(data: dict[str, Any]) -> Record:
    def moment(value: str | None) -> datetime | None:
        return datetime.fromisoformat(value) if value else None

    return Record(
        id=data["id"],
        owner_id=data["owner_id"],
        created_by=data["created_by"],
        amount=Money.from_cents(data["amount_cents"]),
        type=RecordType(data["type"]),
        category=data["category"],
        description=data["description"],
        date=date.fromisoformat(data["date"]),
        created_at=datetime.fromisoformat(data["created_at"]),
        updated_at=datetime.fromisoformat(data["updated_at"]),
        version=data["version"],
        is_deleted=data["is_deleted"],
        deleted_at=moment(data["deleted_at"]),
    )


class SqlIdempotencyStore:
    def __init__(self, connection: Connection) -> None:
        self._conn = connection

    def _key(self, user_id: int, key: str) -> list[ColumnElement[bool]]:
        return [idempotency_keys.c.user_id == user_id, idempotency_keys.c.key == key]

    def get(self, user_id: int, key: str, since: datetime) -> IdempotentResult | None:
        row = self._conn.execute(
            select(idempotency_keys).where(
                *self._key(user_id, key), idempotency_keys.c.created_at > since
            )
        ).first()
        if row is None:
            return None
        record = record_from_json(row.response) if row.response else None
        return IdempotentResult(row.fingerprint, record)

    def reserve(
        self, user_id: int, key: str, fingerprint: str, now: datetime, since: datetime
    ) -> bool:
        self._conn.execute(
            delete(idempotency_keys).where(
                *self._key(user_id, key), idempotency_keys.c.created_at <= since
            )
        )
        try:
            with self._conn.begin_nested():
                self._conn.execute(
                    insert(idempotency_keys).values(
                        user_id=user_id, key=key, fingerprint=fingerprint, created_at=now
                    )
                )
        except IntegrityError:
            return False
        return True

    def complete(self, user_id: int, key: str, record: Record) -> None:
        self._conn.execute(
            update(idempotency_keys)
            .where(*self._key(user_id, key))
            .values(response=record_to_json(record))
        )
