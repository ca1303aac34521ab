"""Engines for SQLite and PostgreSQL, with the connection settings each needs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

from finance.adapters.sqlalchemy.unavailable import report_unavailable_as_such

WRITE_OPTION = "finance_write"
#: A connection that runs one statement at a time, each in SQLite's implicit transaction of
#: its own: no BEGIN, no ROLLBACK (a token's session is checked on every request).
SINGLE_STATEMENT_OPTION = "finance_single_statement"
WRITE_CACHE_KIB = 65536
READ_CACHE_KIB = 8192
WAL_KEPT_BYTES = 64 * 1024 * 1024
#: SQLite's own lower() folds ASCII only; this one folds like Python, so "élodie" finds "Élodie".
SQLITE_LOWER = "finance_lower"


def _lower(value: str | None) -> str | None:
    return value.lower() if value is not None else None


def build_engine(url: str) -> Engine:
    """SQLite runs in WAL mode and opens write transactions with ``BEGIN IMMEDIATE``, so
    concurrent writers queue instead of failing; PostgreSQL gives up connecting after 5 s."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30})
        _configure_sqlite(engine)
    else:
        engine = create_engine(url, pool_pre_ping=True, connect_args={"connect_timeout": 5})
    report_unavailable_as_such(engine)
    return engine


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        dbapi_connection.create_function(SQLITE_LOWER, 1, _lower, deterministic=True)
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA temp_store=FILE")
        # After a large import the write-ahead log is cut back to this size once it is reset.
        cursor.execute(f"PRAGMA journal_size_limit={WAL_KEPT_BYTES}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection: Any) -> None:
        options = connection.get_execution_options()
        if options.get(SINGLE_STATEMENT_OPTION, False):
            return
        immediate = options.get(WRITE_OPTION, False)
        # Page cache (allocated as used): bulk writes keep their index pages in memory, while
        # reads, which may scan a million rows for an export, keep a worker's memory flat.
        cache_kib = WRITE_CACHE_KIB if immediate else READ_CACHE_KIB
        if connection.info.get("cache_kib") != cache_kib:
            connection.exec_driver_sql(f"PRAGMA cache_size=-{cache_kib}")
            connection.info["cache_kib"] = cache_kib
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")
