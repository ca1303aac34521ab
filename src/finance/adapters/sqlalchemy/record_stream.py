"""Every record of a query, read through a server-side cursor in a read transaction of its
own that lasts as long as the iteration."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import Connection, Engine, select

from finance.adapters.sqlalchemy.record_queries import order_by, query_conditions
from finance.adapters.sqlalchemy.record_rows import to_record
from finance.adapters.sqlalchemy.tables import records
from finance.application.records.filters import RecordQuery
from finance.domain.records import Record

STREAM_BATCH_SIZE = 1000


class SqlRecordStream:
    """Reads through a server-side cursor: psycopg's named cursor on PostgreSQL; on SQLite the
    cursor steps through the rows as they are fetched. Either way rows arrive a batch at a
    time and the read transaction lasts as long as the iteration."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def read(self, query: RecordQuery) -> _OpenRecords:
        conn = self._engine.connect()
        try:
            conditions = query_conditions(query, conn)
            statement = select(records).where(*conditions).order_by(*order_by(query))
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
