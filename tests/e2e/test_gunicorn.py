"""The real server: gunicorn with two worker processes over one SQLite database. Revocation
lives in the database, so a token revoked through one worker is refused by the other."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.e2e

BIN = Path(sys.executable).parent
ADMIN_EMAIL = "ops@example.com"
ADMIN_PASSWORD = "e2e-admin-password"
TIMEOUT = 10


@dataclass
class Server:
    base: str
    access_log: Path

    def call(
        self, method: str, path: str, body: Any = None, token: str | None = None
    ) -> tuple[int, dict[str, str], Any]:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base + path, data=data, method=method)  # noqa: S310
        if data is not None:
            request.add_header("Content-Type", "application/json")
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310
                raw = response.read()
                status, headers = response.status, dict(response.headers)
        except urllib.error.HTTPError as error:
            raw = error.read()
            status, headers = error.code, dict(error.headers)
        return status, headers, json.loads(raw) if raw else None

    def served_by(self, request_id: str) -> str:
        """The pid of the worker that answered the request with this id (from the access log)."""
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            for line in self.access_log.read_text().splitlines():
                pid, _, rid = line.partition(" ")
                if rid == request_id:
                    return pid
            time.sleep(0.05)
        raise AssertionError(f"request {request_id} is not in the access log")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def run_cli(env: dict[str, str], *args: str, cwd: Path | None = None) -> str:
    result = subprocess.run(
        [str(BIN / "finance"), *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("e2e")
    env = {
        **os.environ,
        "FINANCE_STORAGE": "sql",
        "FINANCE_INSTANCE_PATH": str(tmp / "instance"),
        "FINANCE_DATABASE_URL": f"sqlite:///{tmp / 'finance.db'}",
        "FINANCE_SECRET_KEY": "e2e-secret-key-that-is-long-enough-for-hs256",
        "FINANCE_ADMIN_EMAIL": ADMIN_EMAIL,
        "FINANCE_ADMIN_PASSWORD": ADMIN_PASSWORD,
        "FINANCE_LOG_LEVEL": "WARNING",
    }
    assert "up to date" in run_cli(env, "db", "upgrade")
    assert "Created admin ops@example.com" in run_cli(env, "create-admin", "--if-none")
    assert "already exists" in run_cli(env, "create-admin", "--if-none")

    port = free_port()
    access_log = tmp / "access.log"
    access_log.touch()
    process = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--worker-class",
            "sync",
            "--timeout",
            "30",
            "--access-logfile",
            str(access_log),
            "--access-logformat",
            "%(p)s %({x-request-id}o)s",
            "finance.main:create_app()",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=(tmp / "gunicorn.err").open("wb"),
        start_new_session=True,
    )
    try:
        started = Server(f"http://127.0.0.1:{port}", access_log)
        deadline = time.monotonic() + 30
        while True:
            assert process.poll() is None, (tmp / "gunicorn.err").read_text()
            try:
                if started.call("GET", "/api/health/")[0] == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, "gunicorn did not start"
            time.sleep(0.2)
        yield started
    finally:
        stop(process)


def login(server: Server) -> dict[str, Any]:
    status, _, body = server.call(
        "POST", "/api/auth/login/", {"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}
    )
    assert status == 200, body
    tokens: dict[str, Any] = body
    return tokens


def me_served_elsewhere(server: Server, token: str, other_than: str) -> tuple[int, str]:
    """GET /api/auth/me/ until a worker other than ``other_than`` answers. A connection that
    sends nothing keeps one sync worker busy, which sends the request to the other one."""
    for _ in range(40):
        with socket.create_connection(("127.0.0.1", int(server.base.rsplit(":", 1)[1])), TIMEOUT):
            time.sleep(0.05)
            status, headers, _ = server.call("GET", "/api/auth/me/", token=token)
        pid = server.served_by(headers["X-Request-ID"])
        if pid != other_than:
            return status, pid
    raise AssertionError("the second worker never answered")


def test_a_token_revoked_through_one_worker_is_refused_by_the_other(server: Server) -> None:
    tokens = login(server)
    status, headers, _ = server.call(
        "POST", "/api/auth/logout/", {"refresh": tokens["refresh"]}, token=tokens["access"]
    )
    assert status == 204
    logout_pid = server.served_by(headers["X-Request-ID"])

    for _ in range(30):
        status, headers, body = server.call("GET", "/api/auth/me/", token=tokens["access"])
        assert status == 401, body
        assert body["code"] == 401
    status, pid = me_served_elsewhere(server, tokens["access"], logout_pid)
    assert status == 401
    assert pid != logout_pid
    assert server.call("POST", "/api/auth/refresh/", {"refresh": tokens["refresh"]})[0] == 401


def test_a_spent_refresh_token_is_refused_by_every_worker(server: Server) -> None:
    tokens = login(server)
    status, headers, fresh = server.call(
        "POST", "/api/auth/refresh/", {"refresh": tokens["refresh"]}
    )
    assert status == 200
    spent_by = server.served_by(headers["X-Request-ID"])
    status, _ = me_served_elsewhere(server, fresh["access"], spent_by)
    assert status == 200
    for _ in range(10):
        assert server.call("POST", "/api/auth/refresh/", {"refresh": tokens["refresh"]})[0] == 401


def test_both_workers_sign_tokens_with_the_same_key(server: Server) -> None:
    tokens = login(server)
    for _ in range(10):
        status, headers, body = server.call("GET", "/api/auth/me/", token=tokens["access"])
        assert status == 200, body
        assert body["email"] == ADMIN_EMAIL
        assert re.fullmatch(r"[A-Za-z0-9._:-]+", headers["X-Request-ID"])
