"""PostgreSQL goes away under a running server, and comes back.

The server reaches PostgreSQL through a TCP proxy run by the test, so "stopping the database"
is closing the proxy's listening socket and every connection through it (new connections are
refused, open ones see the server hang up), and "starting it" is listening again on the same
port. The shared cluster is never touched; an opt-in test stops a real cluster as well."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy.engine import make_url

from tests.faults.conftest import (
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    RECORD,
    PostgresSchema,
    Reply,
    Serve,
    Server,
    assert_unavailable,
    first_success,
    records_csv,
    wait_for,
)

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]

#: Opt-in: ``<version>/<cluster>`` (e.g. ``15/main``) of the local cluster that serves
#: FINANCE_TEST_POSTGRES_URL, to stop and start for real with ``pg_ctlcluster``.
STOP_CLUSTER = os.environ.get("FINANCE_FAULTS_STOP_POSTGRES_CLUSTER", "")
#: Routes that must keep answering 200 whatever the database does.
WITHOUT_DATABASE = ("/", "/api/openapi.json", "/api/docs/")
NEW_PASSWORD = "another-admin-password"


class _Pair:
    """A client connection and its upstream; the last of its two pumps to end closes both."""

    def __init__(self, client: socket.socket, upstream: socket.socket) -> None:
        self.sockets = (client, upstream)
        self._running = 2
        self._lock = threading.Lock()

    def hang_up(self) -> None:
        for sock in self.sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def pump_ended(self) -> None:
        self.hang_up()
        with self._lock:
            self._running -= 1
            last = self._running == 0
        if last:
            for sock in self.sockets:
                sock.close()


class TcpProxy:
    """Forwards 127.0.0.1:<port> to PostgreSQL. ``stop()`` refuses new connections and hangs
    up every open one, as a stopped server does; ``start()`` listens on the same port again."""

    def __init__(self, target: tuple[str, int]) -> None:
        self._target = target
        self._lock = threading.Lock()
        self._listener: socket.socket | None = None
        self._pairs: set[_Pair] = set()
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port: int = probe.getsockname()[1]

    def start(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        with self._lock:
            self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def stop(self) -> None:
        with self._lock:
            listener, self._listener = self._listener, None
            pairs, self._pairs = self._pairs, set()
        if listener is not None:
            with contextlib.suppress(OSError):
                listener.shutdown(socket.SHUT_RDWR)
            listener.close()
        for pair in pairs:
            pair.hang_up()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self._target, timeout=5)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            pair = _Pair(client, upstream)
            with self._lock:
                if self._listener is not listener:
                    pair.hang_up()
                    client.close()
                    upstream.close()
                    return
                self._pairs.add(pair)
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(pair, source, sink), daemon=True).start()

    def _pump(self, pair: _Pair, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            pair.pump_ended()
            with self._lock:
                self._pairs.discard(pair)


@pytest.fixture
def proxy(postgres_schema: PostgresSchema) -> Iterator[TcpProxy]:
    url = postgres_schema.url
    started = TcpProxy((url.host or "127.0.0.1", url.port or 5432))
    started.start()
    try:
        yield started
    finally:
        started.stop()


@pytest.fixture
def proxied_server(postgres_schema: PostgresSchema, proxy: TcpProxy, serve: Serve) -> Server:
    """A server whose every connection to PostgreSQL goes through ``proxy``."""
    return serve(postgres_schema.url_via("127.0.0.1", proxy.port), postgres_schema.env)


@dataclass(frozen=True)
class Planned:
    method: str
    path: str
    auth: bool
    kwargs: dict[str, Any]

    def send(self, server: Server) -> Reply:
        return server.call(self.method, self.path, auth=self.auth, **self.kwargs)

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


def database_routes(server: Server) -> list[Planned]:
    """Every operation of the OpenAPI spec that needs the database (all but ``/`` and the
    health check, which is looked at on its own), each with a valid request: path ids of
    objects that exist, a body that passes validation, the admin's token unless the operation
    is public. Read from the spec, so routes added later are covered too."""
    reply = server.call("GET", "/api/openapi.json", auth=False)
    assert reply.status == 200, reply.describe()
    refresh = server.login()["refresh"]
    analyst = server.call(
        "POST",
        "/api/users/",
        json_body={
            "email": "analyst@example.com",
            "name": "Ana",
            "password": "analyst-password",
            "role": "analyst",
        },
    )
    assert analyst.status == 201, analyst.describe()
    ids = {"user_id": analyst.json()["id"], "record_id": server.create_record()["id"]}
    bodies: dict[tuple[str, str], dict[str, Any]] = {
        ("POST", "/api/auth/login/"): {
            "json_body": {"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}
        },
        ("POST", "/api/auth/refresh/"): {"json_body": {"refresh": refresh}},
        ("POST", "/api/auth/logout/"): {"json_body": {"refresh": refresh}},
        ("POST", "/api/auth/password/"): {
            "json_body": {"current_password": ADMIN_PASSWORD, "new_password": NEW_PASSWORD}
        },
        ("POST", "/api/users/"): {
            "json_body": {
                "email": "viewer@example.com",
                "name": "Vi",
                "password": "viewer-password",
                "role": "viewer",
            }
        },
        ("PATCH", "/api/users/{user_id}/"): {"json_body": {"name": "Renamed"}},
        ("POST", "/api/records/"): {"json_body": RECORD},
        ("PUT", "/api/records/{record_id}/"): {"json_body": RECORD},
        ("PATCH", "/api/records/{record_id}/"): {"json_body": {"category": "Other"}},
        ("POST", "/api/records/import/"): {
            "body": records_csv(3),
            "content_type": "text/csv",
        },
    }
    planned = []
    for template, operations in reply.json()["paths"].items():
        if template in ("/", "/api/health/"):
            continue
        path = re.sub(r"\{(\w+)\}", lambda m: str(ids.get(m.group(1), 1)), template)
        for method, operation in operations.items():
            method = method.upper()
            if method not in ("GET", "POST", "PUT", "PATCH", "DELETE"):
                continue
            kwargs = bodies.get((method, template))
            if kwargs is None:
                kwargs = {"json_body": {}} if method in ("POST", "PUT", "PATCH") else {}
            public = operation.get("security") == []
            planned.append(Planned(method, path, not public, kwargs))
    assert len(planned) >= 20, [str(p) for p in planned]
    return planned


def served_without_database(server: Server) -> list[str]:
    """What is wrong with the routes that need no database (each must answer 200)."""
    wrong = []
    for path in WITHOUT_DATABASE:
        reply = server.call("GET", path, auth=False)
        if reply.status != 200:
            wrong.append(f"GET {path}: {reply.describe()}")
    root = server.call("GET", "/", auth=False)
    if root.status == 200 and root.json() != {"status": "running", "docs": "/api/docs/"}:
        wrong.append(f"GET /: {root.describe()}")
    return wrong


def assert_everything_unavailable(server: Server, planned: list[Planned]) -> None:
    """Every database route answers 503 (never 500, never HTML), the health check too; the
    rest answers 200. Every route is tried before failing, so one run lists them all."""
    wrong = []
    checks = [*planned, Planned("GET", "/api/health/", auth=False, kwargs={})]
    for item in checks:
        try:
            assert_unavailable(item.send(server), str(item))
        except AssertionError as error:
            wrong.append(str(error).splitlines()[0])
    wrong += served_without_database(server)
    assert not wrong, "\n".join(wrong)


def assert_recovered(server: Server, records_before: int) -> None:
    """Back to normal: health, reads, sign-in and writes, with nothing lost or added."""
    first_success(lambda: server.call("GET", "/api/health/", auth=False), "GET /api/health/")
    assert server.call("GET", "/api/health/", auth=False).json() == {
        "status": "ok",
        "database": "ok",
    }
    assert server.count() == records_before
    server.tokens = server.login()
    for path in ("/api/auth/me/", "/api/records/", "/api/users/", "/api/dashboard/summary/"):
        reply = server.call("GET", path)
        assert reply.status == 200, f"GET {path}: {reply.describe()}"
    server.create_record(category="After the outage")
    assert server.count() == records_before + 1


def test_every_route_answers_503_while_postgres_is_down_and_200_once_it_is_back(
    proxy: TcpProxy, proxied_server: Server
) -> None:
    """While PostgreSQL is unreachable, every route that needs it answers 503 JSON with
    Retry-After (the health check too), while ``/``, the spec and the docs still answer 200;
    once it is back, the same worker of the same server serves again, with nothing lost."""
    server = proxied_server
    planned = database_routes(server)
    records_before = server.count()
    worker = server.worker()

    proxy.stop()
    assert_everything_unavailable(server, planned)
    # Still true on a second round, once the pool has given up on its old connections.
    assert_everything_unavailable(server, planned)

    proxy.start()
    assert_recovered(server, records_before)
    assert server.worker() == worker, "the worker was replaced: recovery needed a restart"


def test_a_worker_started_while_postgres_is_down_serves_503_and_recovers(
    proxy: TcpProxy, proxied_server: Server
) -> None:
    """A worker that gunicorn starts while PostgreSQL is down (after a crash, a timeout or
    max-requests) boots anyway and answers 503, instead of failing to boot and taking the
    whole server down with it; once PostgreSQL is back it serves normally."""
    server = proxied_server
    records_before = server.count()
    proxy.stop()
    old = server.kill_worker()
    server.wait_for_new_worker(old)
    assert_unavailable(server.call("GET", "/api/records/"), "GET /api/records/")
    assert_unavailable(server.call("GET", "/api/health/", auth=False), "GET /api/health/")
    assert not served_without_database(server)

    proxy.start()
    assert_recovered(server, records_before)


def _cluster_command(action: str) -> None:
    version, name = STOP_CLUSTER.split("/")
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, name, action, "-m", "fast"]
        if action == "stop"
        else ["pg_ctlcluster", "--skip-systemctl-redirect", version, name, action],
        check=True,
        capture_output=True,
        timeout=60,
    )


def _accepting(schema: PostgresSchema) -> bool:
    try:
        with schema.engine().connect():
            return True
    except Exception:  # any failure means "not yet"
        return False


@contextlib.contextmanager
def stopped_cluster(schema: PostgresSchema) -> Iterator[None]:
    """The real cluster, stopped; started again (and waited for) even when the test fails."""
    _cluster_command("stop")
    try:
        yield
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):
            _cluster_command("start")
        wait_for(lambda: _accepting(schema), "PostgreSQL to accept connections", timeout=60)


@pytest.mark.skipif(
    not re.fullmatch(r"[0-9.]+/[\w-]+", STOP_CLUSTER) or shutil.which("pg_ctlcluster") is None,
    reason="opt-in: set FINANCE_FAULTS_STOP_POSTGRES_CLUSTER=<version>/<cluster> (needs root)",
)
def test_a_real_postgres_stop_and_start(postgres_schema: PostgresSchema, serve: Serve) -> None:
    """The same, with the cluster really stopped (``pg_ctlcluster stop -m fast``: sessions
    ended with an admin-shutdown error, then connections refused) and started again. It stops
    every database of that cluster for a few seconds, hence opt-in."""
    host = make_url(postgres_schema.direct_url).host
    assert host in ("127.0.0.1", "localhost", "::1"), f"{host} is not this machine's cluster"
    server = serve(postgres_schema.direct_url, postgres_schema.env)
    planned = database_routes(server)
    records_before = server.count()
    worker = server.worker()
    with stopped_cluster(postgres_schema):
        assert_everything_unavailable(server, planned)
    assert_recovered(server, records_before)
    assert server.worker() == worker, "the worker was replaced: recovery needed a restart"
