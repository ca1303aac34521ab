"""Database failures that mean "not now" rather than "wrong": the store is unreachable, out of
space, read-only or busy past its timeout. They reach the use cases as ``Unavailable``, which
the HTTP layer answers with 503 and Retry-After; every other database error stays a bug."""

from __future__ import annotations

import sqlite3

import psycopg
from sqlalchemy import Engine, event
from sqlalchemy.engine import ExceptionContext

from finance.application.errors import Unavailable

MESSAGE = "The database is unavailable; try again shortly."

# SQLite primary result codes: BUSY, LOCKED, NOMEM, READONLY, IOERR, FULL, CANTOPEN, PROTOCOL;
# after READONLY, IOERR and CANTOPEN a connection is not trusted again (it may have been opened
# read-only), so the pool opens fresh ones once the file is writable again.
_SQLITE_TRANSIENT = {5, 6, 7, 8, 10, 13, 14, 15}
_REOPEN = {8, 10, 14}
# PostgreSQL SQLSTATE classes and codes: connection exceptions, insufficient resources
# (disk full, out of memory, too many connections), operator intervention (shutdown,
# starting up), serialization failure and deadlock.
_POSTGRES_TRANSIENT_CLASSES = ("08", "53", "57P")
_POSTGRES_TRANSIENT_CODES = {"40001", "40P01"}


def is_unavailable(error: BaseException, is_disconnect: bool = False) -> bool:
    if is_disconnect:
        return True
    if isinstance(error, sqlite3.OperationalError):
        return _sqlite_code(error) in _SQLITE_TRANSIENT
    if isinstance(error, psycopg.OperationalError | psycopg.InterfaceError):
        state = error.sqlstate
        return (
            state is None
            or state.startswith(_POSTGRES_TRANSIENT_CLASSES)
            or state in _POSTGRES_TRANSIENT_CODES
        )
    return False


def report_unavailable_as_such(engine: Engine) -> None:
    """Raise ``Unavailable`` in place of such failures, on every use of ``engine``. A failed
    pre-ping is left alone: the pool then opens a new connection, which is how a restarted
    database is picked up again without a restart of the service."""

    @event.listens_for(engine, "handle_error")
    def on_error(context: ExceptionContext) -> None:
        if context.is_pre_ping:
            return
        error = context.original_exception
        if is_unavailable(error, context.is_disconnect):
            if isinstance(error, sqlite3.OperationalError) and _sqlite_code(error) in _REOPEN:
                context.is_disconnect = True
                # Closed now, so the connection really closes: a statement kept alive by the
                # traceback would keep SQLite's read-only view of the file open with it.
                cursor = getattr(context.execution_context, "cursor", None)
                if cursor is not None:
                    cursor.close()
            raise Unavailable(MESSAGE) from error


def _sqlite_code(error: sqlite3.OperationalError) -> int | None:
    code = getattr(error, "sqlite_errorcode", None)
    return None if code is None else code & 0xFF
