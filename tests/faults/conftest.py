"""Fault tests: the real server (``finance serve``: gunicorn, one gthread worker) while its
storage fails under it.

Each test starts its own server over a database of its own: a SQLite file, or a PostgreSQL
schema of its own inside the database of FINANCE_TEST_POSTGRES_URL (the server's
``search_path``), so the other tests' ``DROP SCHEMA public`` and truncations never meet it and
dropping it afterwards touches nothing else."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import signal
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from http import HTTPStatus
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.pool import NullPool

from tests.conftest import POSTGRES_URL
from tests.e2e.test_gunicorn import BIN, free_port, run_cli, stop

ADMIN_EMAIL = "faults-admin@example.com"
ADMIN_PASSWORD = "faults-admin-password"
SECRET_KEY = "faults-secret-key-that-is-long-enough-for-hs256"
#: Seconds any one request, or any wait for the server to change state, may take.
TIMEOUT = 15
#: What an error body may never show: a stack trace, driver names, SQL.
LEAKS = ("Traceback", "sqlalchemy", "psycopg", "sqlite3", "OperationalError", "SELECT ", "INSERT ")

RECORD = {
    "amount": "12.50",
    "type": "expense",
    "category": "Food",
    "date": "2026-03-14",
    "description": "lunch",
}


@dataclass(frozen=True)
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def json(self) -> Any:
        return json.loads(self.body)

    def describe(self) -> str:
        return f"{self.status} {self.headers.get('content-type')} {self.text[:400]!r}"


def request(
    port: int,
    method: str,
    path: str,
    *,
    json_body: Any = None,
    body: bytes | None = None,
    content_type: str | None = None,
    token: str | None = None,
    timeout: float = TIMEOUT,
) -> Reply:
    """One HTTP request on a new connection; redirects are not followed."""
    headers = {}
    if json_body is not None:
        body = json.dumps(json_body).encode()
        content_type = "application/json"
    if content_type:
        headers["Content-Type"] = content_type
    if token:
        headers["Authorization"] = f"Bearer {token}"
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return Reply(
            response.status,
            {name.lower(): value for name, value in response.getheaders()},
            response.read(),
        )
    finally:
        connection.close()


def worker_pids(master: int) -> set[int]:
    """The live (not zombie) child processes of ``master``, read from /proc."""
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        state, parent = stat.rsplit(")", 1)[1].split()[:2]
        if int(parent) == master and state != "Z":
            found.add(int(entry.name))
    return found


def is_gone(pid: int) -> bool:
    """Whether a process has exited (a zombie has closed all its files already)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat.rsplit(")", 1)[1].split()[0] in ("Z", "X")


def wait_for(condition: Callable[[], bool], what: str, timeout: float = TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


@dataclass
class Server:
    """A running ``finance serve`` with one worker, and the admin's tokens."""

    process: subprocess.Popen[bytes]
    port: int
    env: dict[str, str]
    log: Path
    tokens: dict[str, Any] = field(default_factory=dict)

    @property
    def token(self) -> str:
        return str(self.tokens["access"])

    def call(self, method: str, path: str, *, auth: bool = True, **kwargs: Any) -> Reply:
        """A request as the admin (``auth=False``: anonymous); fails if gunicorn has exited."""
        self.assert_running()
        try:
            return request(self.port, method, path, token=self.token if auth else None, **kwargs)
        except OSError as error:
            # A connection reset may be gunicorn shutting down: say so if it is.
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=2)
            self.assert_running()
            raise AssertionError(f"{method} {path}: {error!r}\n{self.log_tail()}") from error

    def assert_running(self) -> None:
        code = self.process.poll()
        assert code is None, f"gunicorn exited with {code}:\n{self.log_tail()}"

    def log_tail(self, lines: int = 15) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    def worker(self) -> int:
        """The pid of the one worker, once there is exactly one."""
        pids: set[int] = set()

        def one_worker() -> bool:
            nonlocal pids
            self.assert_running()
            pids = worker_pids(self.process.pid)
            return len(pids) == 1

        wait_for(one_worker, "gunicorn's worker")
        return pids.pop()

    def kill_worker(self) -> int:
        """SIGKILL the worker, as the OOM killer would; its pid."""
        pid = self.worker()
        os.kill(pid, signal.SIGKILL)
        return pid

    def wait_for_new_worker(self, old: int) -> int:
        """Wait until gunicorn's master has replaced worker ``old`` and the new one answers."""
        wait_for(lambda: self._has_worker_other_than(old), "a new worker")
        reply = self.call("GET", "/", auth=False)
        assert reply.status == 200, reply.describe()
        return self.worker()

    def _has_worker_other_than(self, old: int) -> bool:
        self.assert_running()
        return bool(worker_pids(self.process.pid) - {old})

    def login(self) -> dict[str, Any]:
        reply = self.call(
            "POST",
            "/api/auth/login/",
            auth=False,
            json_body={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD},
        )
        assert reply.status == 200, reply.describe()
        tokens: dict[str, Any] = reply.json()
        return tokens

    def count(self) -> int:
        """How many live records the admin sees."""
        reply = self.call("GET", "/api/records/?page_size=1")
        assert reply.status == 200, reply.describe()
        return int(reply.json()["count"])

    def summary(self) -> dict[str, Any]:
        reply = self.call("GET", "/api/dashboard/summary/")
        assert reply.status == 200, reply.describe()
        summary: dict[str, Any] = reply.json()
        return summary

    def create_record(self, **changes: Any) -> dict[str, Any]:
        reply = self.call("POST", "/api/records/", json_body={**RECORD, **changes})
        assert reply.status == 201, reply.describe()
        record: dict[str, Any] = reply.json()
        return record


def server_env(database_url: str, home: Path, port: int, extra: dict[str, str]) -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if not name.startswith("FINANCE_")}
    env.update(extra)
    env.update(
        {
            "FINANCE_STORAGE": "sql",
            "FINANCE_DATABASE_URL": database_url,
            "FINANCE_INSTANCE_PATH": str(home / "instance"),
            "FINANCE_SECRET_KEY": SECRET_KEY,
            "FINANCE_ADMIN_EMAIL": ADMIN_EMAIL,
            "FINANCE_ADMIN_PASSWORD": ADMIN_PASSWORD,
            "FINANCE_LOG_LEVEL": "WARNING",
            "FINANCE_HOST": "127.0.0.1",
            "FINANCE_PORT": str(port),
            "FINANCE_WORKERS": "1",
            # A quick stop at teardown, even with a request still running.
            "GUNICORN_CMD_ARGS": "--graceful-timeout 3",
        }
    )
    return env


@contextlib.contextmanager
def running_server(
    database_url: str, home: Path, extra_env: dict[str, str] | None = None
) -> Iterator[Server]:
    """Create the admin (which migrates the database first), serve with ``finance serve``;
    stopped (and resumed first, should a test have paused it) on the way out."""
    home.mkdir(parents=True, exist_ok=True)
    port = free_port()
    env = server_env(database_url, home, port, extra_env or {})
    run_cli(env, "create-admin", "--if-none")
    log = home / "gunicorn.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [str(BIN / "finance"), "serve"],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = Server(process, port, env, log)
    try:
        deadline = time.monotonic() + 30
        while True:
            server.assert_running()
            with contextlib.suppress(OSError):
                if request(port, "GET", "/api/health/", timeout=2).status == 200:
                    break
            assert time.monotonic() < deadline, f"gunicorn did not start:\n{server.log_tail()}"
            time.sleep(0.1)
        server.tokens = server.login()
        yield server
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGCONT)
        stop(process)


Serve = Callable[..., Server]


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Serve]:
    """Start servers over a database URL (and extra environment); each is stopped when the
    test ends."""
    with contextlib.ExitStack() as servers:
        started = iter(range(1, 100))

        def start(database_url: str, extra_env: dict[str, str] | None = None) -> Server:
            home = tmp_path / f"server{next(started)}"
            return servers.enter_context(running_server(database_url, home, extra_env))

        yield start


@dataclass(frozen=True)
class PostgresSchema:
    """A schema of its own in the test database. The server selects it with libpq's
    environment (``PGOPTIONS=-csearch_path=...``; a ``%``-escaped option in the URL would not
    survive Alembic's config) and names its connections (``PGAPPNAME``) so that the test can
    find them in ``pg_stat_activity``."""

    name: str
    url: URL

    @property
    def env(self) -> dict[str, str]:
        """What the server's environment needs to use the schema."""
        return {"PGOPTIONS": f"-csearch_path={self.name}", "PGAPPNAME": self.name}

    def url_via(self, host: str, port: int) -> str:
        """The URL, reaching PostgreSQL at another address (a proxy in front of it)."""
        return self.url.set(host=host, port=port).render_as_string(hide_password=False)

    @property
    def direct_url(self) -> str:
        return self.url.render_as_string(hide_password=False)

    def engine(self) -> Engine:
        """An engine of the test's own (no pool, another application name), for looking at
        what is stored."""
        return create_engine(
            self.url,
            poolclass=NullPool,
            connect_args={
                "connect_timeout": 5,
                "options": f"-csearch_path={self.name}",
                "application_name": f"{self.name}-test",
            },
        )

    def open_write_transactions(self) -> int:
        """How many of the server's connections are inside a transaction that has written."""
        with self.engine().connect() as conn:
            count = conn.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE application_name = :name"
                    " AND backend_xid IS NOT NULL"
                ),
                {"name": self.name},
            ).scalar_one()
        return int(count)


@contextlib.contextmanager
def fresh_postgres_schema(prefix: str = "faults") -> Iterator[PostgresSchema]:
    """A fresh schema in FINANCE_TEST_POSTGRES_URL's database, dropped afterwards (any
    connection of the server still open is ended first). Skips without the URL."""
    if not POSTGRES_URL:
        pytest.skip("FINANCE_TEST_POSTGRES_URL is not set")
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    url = make_url(POSTGRES_URL)
    owner = create_engine(url, poolclass=NullPool, connect_args={"connect_timeout": 5})
    with owner.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{name}"'))
    try:
        yield PostgresSchema(name, url)
    finally:
        with owner.begin() as conn:
            conn.execute(text("SET LOCAL lock_timeout = '10s'"))
            conn.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE application_name = :name"
                ),
                {"name": name},
            )
            conn.execute(text(f'DROP SCHEMA "{name}" CASCADE'))
        owner.dispose()


@pytest.fixture
def postgres_schema() -> Iterator[PostgresSchema]:
    with fresh_postgres_schema() as schema:
        yield schema


def records_csv(rows: int, first: int = 0) -> bytes:
    """A valid import body: ``rows`` records in the contract's header order."""
    lines = ["date,type,category,amount,description"]
    for n in range(first, first + rows):
        kind = "income" if n % 4 == 0 else "expense"
        lines.append(
            f"2025-{1 + n % 12:02d}-{1 + n % 28:02d},{kind},Category {n % 40},"
            f"{1 + n % 9973}.{n % 100:02d},imported row {n}"
        )
    return ("\n".join(lines) + "\n").encode()


def assert_json_error(reply: Reply, code: int, what: str = "") -> dict[str, Any]:
    """The contract's error shape, as JSON: never HTML, a stack trace or SQL text."""
    label = f"{what}: " if what else ""
    assert reply.status == code, f"{label}expected {code}, got {reply.describe()}"
    content_type = reply.headers.get("content-type", "")
    assert content_type.startswith("application/json"), f"{label}{reply.describe()}"
    body: dict[str, Any] = reply.json()
    assert body.get("code") == code, f"{label}{body}"
    assert body.get("status") == HTTPStatus(code).phrase, f"{label}{body}"
    assert isinstance(body.get("message"), str), f"{label}{body}"
    assert body["message"], f"{label}{body}"
    for leak in LEAKS:
        assert leak not in reply.text, f"{label}{leak!r} in {reply.text[:400]!r}"
    return body


def assert_unavailable(reply: Reply, what: str = "") -> None:
    """503 in the contract's shape, with a ``Retry-After`` of delta-seconds or an HTTP date."""
    assert_json_error(reply, 503, what)
    retry_after = reply.headers.get("retry-after")
    assert retry_after, f"{what}: 503 without Retry-After: {reply.headers}"
    if not retry_after.isdigit():
        try:
            parsedate_to_datetime(retry_after)
        except (TypeError, ValueError) as error:
            raise AssertionError(f"{what}: Retry-After {retry_after!r} is not valid") from error


def assert_served_or_unavailable(reply: Reply, what: str = "") -> None:
    """What a read may answer while storage is failing: its normal answer, or a proper 503."""
    if reply.status == 503:
        assert_unavailable(reply, what)
    else:
        assert 200 <= reply.status < 300, f"{what}: {reply.describe()}"


def first_success(send: Callable[[], Reply], what: str, expected: int = 200) -> Reply:
    """Once a fault is over the server recovers by itself: within a few seconds (without
    waiting for Retry-After), having answered only proper 503s meanwhile."""
    deadline = time.monotonic() + 5
    while True:
        reply = send()
        if reply.status == expected:
            return reply
        assert_unavailable(reply, f"{what} after the fault")
        assert time.monotonic() < deadline, f"{what} still fails: {reply.describe()}"
        time.sleep(0.25)
