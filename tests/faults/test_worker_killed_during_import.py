"""A worker killed with SIGKILL in the middle of a large CSV import, on SQLite and on
PostgreSQL: the import is all or nothing, so nothing of it may be stored, and the server
(gunicorn's master starts a new worker) serves normally again."""

from __future__ import annotations

import sqlite3
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import pytest
from sqlalchemy import text

from tests.faults.conftest import (
    TIMEOUT,
    PostgresSchema,
    Reply,
    Serve,
    Server,
    records_csv,
    request,
    wait_for,
)

pytestmark = pytest.mark.e2e

#: Seconds the import has been writing when its worker is killed.
KILL_AFTER = 1.5


class Storage(Protocol):
    """The database under the server, looked at directly (not through the API)."""

    url: str
    env: dict[str, str]
    #: Enough rows that the import is still running KILL_AFTER seconds into its transaction.
    import_rows: int

    def writing(self) -> bool:
        """Whether a write transaction is open."""

    def stored(self) -> dict[str, Any]:
        """Rows per table and the records table's indexes, as committed."""


class SqliteStorage:
    import_rows = 250_000

    def __init__(self, path: Path) -> None:
        self.path = path
        self.url = f"sqlite:///{path}"
        self.env: dict[str, str] = {}

    def writing(self) -> bool:
        """SQLite's write lock is taken (the import holds it from its first statement)."""
        conn = sqlite3.connect(self.path, timeout=0, isolation_level=None)
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as error:
            if "locked" in str(error):
                return True
            raise
        else:
            conn.execute("ROLLBACK")
            return False
        finally:
            conn.close()

    def stored(self) -> dict[str, Any]:
        conn = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, timeout=10)
        try:
            return {
                "records": conn.execute("SELECT count(*) FROM records").fetchone()[0],
                "audit": conn.execute("SELECT count(*) FROM record_audit").fetchone()[0],
                "indexes": sorted(
                    row[0]
                    for row in conn.execute(
                        "SELECT name FROM sqlite_master WHERE type = 'index'"
                        " AND tbl_name = 'records'"
                    )
                ),
                "integrity": conn.execute("PRAGMA integrity_check").fetchall(),
            }
        finally:
            conn.close()


class PostgresStorage:
    import_rows = 250_000

    def __init__(self, schema: PostgresSchema) -> None:
        self.schema = schema
        self.url = schema.direct_url
        self.env = schema.env

    def writing(self) -> bool:
        """A server connection is in a transaction that has written (it has an xid); after
        the kill, until PostgreSQL has noticed the client is gone and rolled it back."""
        return self.schema.open_write_transactions() > 0

    def stored(self) -> dict[str, Any]:
        with self.schema.engine().connect() as conn:
            return {
                "records": conn.execute(text("SELECT count(*) FROM records")).scalar_one(),
                "audit": conn.execute(text("SELECT count(*) FROM record_audit")).scalar_one(),
                "indexes": sorted(
                    conn.execute(
                        text(
                            "SELECT indexname FROM pg_indexes"
                            " WHERE schemaname = :schema AND tablename = 'records'"
                        ),
                        {"schema": self.schema.name},
                    ).scalars()
                ),
            }


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def storage(request: pytest.FixtureRequest, tmp_path: Path) -> Storage:
    if request.param == "sqlite":
        return SqliteStorage(tmp_path / "finance.db")
    return PostgresStorage(request.getfixturevalue("postgres_schema"))


@dataclass(frozen=True)
class State:
    """What the API and the database say is stored."""

    count: int
    summary: dict[str, Any]
    stored: dict[str, Any]


def state(server: Server, storage: Storage) -> State:
    return State(server.count(), server.summary(), storage.stored())


def test_a_worker_killed_during_an_import_stores_nothing_of_it(
    storage: Storage, serve: Serve
) -> None:
    """SIGKILL of the worker while a large import is writing (on SQLite, normally once the
    records' indexes have been dropped for the bulk load) leaves the records, the audit trail,
    the dashboard totals and the indexes exactly as before the import; the new worker serves
    writes and imports at once."""
    server = serve(storage.url, storage.env)
    server.create_record(type="income", amount="2500.00", category="Salary")
    server.create_record(amount="40.10")
    server.create_record(amount="7.25", date="2026-02-01")
    before = state(server, storage)
    assert before.count == 3
    body = records_csv(storage.import_rows)

    with ThreadPoolExecutor(max_workers=1) as pool:
        upload = pool.submit(
            request,
            server.port,
            "POST",
            "/api/records/import/",
            body=body,
            content_type="text/csv",
            token=server.token,
            timeout=60,
        )
        wait_for(lambda: storage.writing() or upload.done(), "the import to write", 30)
        started = time.monotonic()
        while time.monotonic() - started < KILL_AFTER and not upload.done():
            time.sleep(0.05)
        assert not upload.done(), f"the import ended before the kill: {upload.result()}"
        old = server.kill_worker()
        error = upload.exception(timeout=TIMEOUT)
        if error is None:
            reply: Reply = upload.result()
            assert reply.status >= 500, f"the killed import answered {reply.describe()}"

    server.wait_for_new_worker(old)
    wait_for(lambda: not storage.writing(), "the killed import's transaction to end", 30)
    assert state(server, storage) == before

    server.create_record(category="After the kill")
    reply = server.call(
        "POST", "/api/records/import/", body=records_csv(5), content_type="text/csv"
    )
    assert reply.status == 201, reply.describe()
    assert reply.json() == {"imported": 5}
    assert server.count() == before.count + 6
    assert server.summary()["record_count"] == before.summary["record_count"] + 6
