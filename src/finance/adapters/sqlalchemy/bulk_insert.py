"""Writing many rows at once: one ``executemany`` of plain tuples on SQLite and ``COPY`` on
PostgreSQL, ids numbered in advance, and (on SQLite) the records table's indexes set aside
while a large load runs.

An index kept up to date row by row costs a random B-tree update per row and index; built
once at the end it costs one sort. So once a unit of work has added more records than the
table held before it (and at least ``MIN_ROWS_TO_REINDEX``), the table's secondary indexes are
dropped and built again just before the commit. It all happens inside the transaction: a rollback
brings the indexes back too. At worst this costs about as much again as keeping them. The
triggers that keep the search index in step are set aside with them; the new rows' search keys
are added to it in one statement before they come back."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache, lru_cache
from typing import Any

from sqlalchemy import (
    Column,
    Connection,
    Date,
    DateTime,
    Dialect,
    Table,
    func,
    insert,
    select,
    text,
)

from finance.adapters.sqlalchemy.record_rows import RECORD_COLUMNS, record_values
from finance.adapters.sqlalchemy.tables import UTCDateTime, records
from finance.domain.records import Record

MIN_ROWS_TO_REINDEX = 50_000

#: From this many rows PostgreSQL is sent a ``COPY``; below it, one ``INSERT`` costs less.
MIN_ROWS_TO_COPY = 100

Processors = list[tuple[int, Callable[[Any], Any]]]


def insert_many(
    conn: Connection, table: Table, columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    """Insert rows of values in ``columns`` order. The values go through the columns' own
    bind processors straight to the driver (``executemany`` of tuples on SQLite, ``COPY`` on
    PostgreSQL), without SQLAlchemy's per-row cost."""
    dialect = conn.dialect.name
    if dialect == "postgresql" and len(rows) >= MIN_ROWS_TO_COPY:
        _copy(conn, table, tuple(columns), rows)
    elif dialect == "sqlite":
        sql, processors = _sqlite_insert(conn.dialect, table, tuple(columns))
        conn.exec_driver_sql(sql, [_processed(row, processors) for row in rows])
    else:
        conn.execute(_INSERTS[table], [dict(zip(columns, row, strict=True)) for row in rows])


#: Built once per table.
_INSERTS = {table: insert(table) for table in records.metadata.sorted_tables}


def _processed(row: Sequence[Any], processors: Processors) -> tuple[Any, ...]:
    cells = list(row)
    for i, process in processors:
        cells[i] = process(cells[i])
    return tuple(cells)


@cache
def _sqlite_insert(
    dialect: Dialect, table: Table, columns: tuple[str, ...]
) -> tuple[str, Processors]:
    """The INSERT's SQL and each column's bind processor, worked out once per table and
    columns (not per call: a create inserts one row at a time)."""
    statement = insert(table).compile(dialect=dialect, column_keys=list(columns))
    assert list(statement.positiontup or []) == list(columns)
    return str(statement), _processors(dialect, table, columns)


def _copy(
    conn: Connection, table: Table, columns: tuple[str, ...], rows: Sequence[Sequence[Any]]
) -> None:
    """``COPY … FROM STDIN`` on the unit of work's own connection, so inside its transaction."""
    sql, processors = _copy_statement(conn.dialect, table, columns)
    cursor = conn.connection.cursor()
    try:
        with cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(_processed(row, processors))
    finally:
        cursor.close()


@cache
def _copy_statement(
    dialect: Dialect, table: Table, columns: tuple[str, ...]
) -> tuple[str, Processors]:
    quote = dialect.identifier_preparer
    names = ", ".join(quote.quote(name) for name in columns)
    sql = f"COPY {quote.format_table(table)} ({names}) FROM STDIN"
    return sql, _processors(dialect, table, columns)


def _processors(dialect: Dialect, table: Table, columns: tuple[str, ...]) -> Processors:
    processed = [(i, _bind(table.c[name], dialect)) for i, name in enumerate(columns)]
    return [(i, p) for i, p in processed if p is not None]


def _bind(column: Column[Any], dialect: Dialect) -> Callable[[Any], Any] | None:
    """The column's bind processor for this database (for times: text with microseconds);
    for dates and times, which repeat a lot in a batch, remembering recent values' results."""
    process = column.type.dialect_impl(dialect).bind_processor(dialect)
    if process is None or not isinstance(column.type, Date | DateTime | UTCDateTime):
        return process
    return lru_cache(maxsize=10_000)(process)


class RecordLoader:
    """One unit of work's bulk additions to the records table. Ids are known before the
    insert, in order: SQLite numbers a new row max(id) + 1 and the writing unit of work holds
    its write lock (a concurrent writer would make it fail, never mix ids up); PostgreSQL
    hands them out from the table's sequence, then the rows are copied in with them. On
    SQLite the indexes are set aside for a large load (see the module's docstring)."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn
        self._sqlite = conn.dialect.name == "sqlite"
        self._added = 0
        self._first_id: int | None = None
        self._held_before: int | None = None
        self._set_aside: list[tuple[str, str]] = []

    def insert(self, new: list[Record]) -> list[int]:
        if self._sqlite:
            last: int = self._conn.execute(
                select(func.coalesce(func.max(records.c.id), 0))
            ).scalar_one()
            ids = list(range(last + 1, last + 1 + len(new)))
            self._defer_indexes(ids[0], len(ids))
        else:
            ids = list(self._conn.execute(_NEXT_IDS, {"count": len(new)}).scalars())
        rows = [(i, *record_values(r)) for i, r in zip(ids, new, strict=True)]
        insert_many(self._conn, records, ("id", *RECORD_COLUMNS), rows)
        return ids

    def finish(self) -> None:
        """Build the indexes set aside again; the unit of work calls it before committing."""
        if any(kind == "trigger" for kind, _ in self._set_aside):
            self._conn.exec_driver_sql(
                "INSERT INTO records_search(rowid, search_key)"
                " SELECT id, search_key FROM records WHERE id >= ?",
                (self._first_id,),
            )
        for _, create in self._set_aside:
            self._conn.exec_driver_sql(create)
        self._set_aside = []

    def _defer_indexes(self, first_id: int, count: int) -> None:
        if self._set_aside:
            return
        if self._first_id is None:
            self._first_id = first_id
        self._added += count
        if self._added < MIN_ROWS_TO_REINDEX:
            return
        if self._held_before is None:
            self._held_before = self._conn.execute(
                select(func.count()).select_from(records).where(records.c.id < self._first_id)
            ).scalar_one()
        if self._added >= self._held_before:
            self._set_aside = _drop_secondary_indexes(self._conn)


_NEXT_IDS = text(
    "SELECT nextval(pg_get_serial_sequence('records', 'id')) FROM generate_series(1, :count)"
)


def _drop_secondary_indexes(conn: Connection) -> list[tuple[str, str]]:
    """Drop the records table's own indexes and triggers; return each one's kind and the SQL
    that makes it again."""
    found = conn.exec_driver_sql(
        "SELECT type, name, sql FROM sqlite_master"
        " WHERE type IN ('index', 'trigger') AND tbl_name = 'records' AND sql IS NOT NULL"
    ).all()
    for kind, name, _ in found:
        conn.exec_driver_sql(f'DROP {kind.upper()} "{name}"')
    return [(kind, create) for kind, _, create in found]
