"""``finance serve`` as a client meets it on the wire: answers gunicorn writes itself are JSON in
the contract's error shape, and a chunked body over the limit is refused whole."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import requires_postgres
from tests.e2e.test_gunicorn import BIN, free_port, run_cli, stop
from tests.faults.conftest import fresh_postgres_schema

pytestmark = pytest.mark.e2e

ADMIN_EMAIL = "edges@example.com"
ADMIN_PASSWORD = "edges-admin-password"


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass(frozen=True)
class Wire:
    port: int

    def send(self, raw: bytes) -> Answer:
        """One request written as given, and the whole answer (the server closes, or the
        Content-Length is reached)."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=20) as sock:
            sock.sendall(raw)
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                data += chunk
            head, _, body = data.partition(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            headers = {}
            for line in lines[1:]:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
            length = int(headers.get("content-length", "0"))
            while len(body) < length:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                body += chunk
        return Answer(int(lines[0].split()[1]), headers, body)

    def request(self, method: str, path: str, headers: dict[str, str], body: bytes = b"") -> Answer:
        lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", "Connection: close"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        if body and "Transfer-Encoding" not in headers:
            lines.append(f"Content-Length: {len(body)}")
        return self.send(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)


@pytest.fixture(
    scope="module",
    params=["sqlite", pytest.param("postgres", marks=[pytest.mark.postgres, requires_postgres])],
)
def wire(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Wire]:
    with contextlib.ExitStack() as stack:
        tmp = tmp_path_factory.mktemp("edges")
        database = {"FINANCE_DATABASE_URL": f"sqlite:///{tmp / 'finance.db'}"}
        if request.param == "postgres":
            schema = stack.enter_context(fresh_postgres_schema("edges"))
            database = {"FINANCE_DATABASE_URL": schema.direct_url, **schema.env}
        yield from serving(tmp, database)


def serving(tmp: Path, database: dict[str, str]) -> Iterator[Wire]:
    port = free_port()
    env = {
        **os.environ,
        **database,
        "FINANCE_STORAGE": "sql",
        "FINANCE_INSTANCE_PATH": str(tmp / "instance"),
        "FINANCE_SECRET_KEY": "edges-secret-key-that-is-long-enough-for-hs256",
        "FINANCE_ADMIN_EMAIL": ADMIN_EMAIL,
        "FINANCE_ADMIN_PASSWORD": ADMIN_PASSWORD,
        "FINANCE_LOG_LEVEL": "WARNING",
        "FINANCE_PORT": str(port),
        "FINANCE_WORKERS": "1",
        "FINANCE_MAX_IMPORT_MB": "1",
    }
    run_cli(env, "db", "upgrade")
    run_cli(env, "create-admin", "--if-none")
    process = subprocess.Popen(
        [str(BIN / "finance"), "serve"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=(tmp / "serve.err").open("wb"),
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            assert process.poll() is None, (tmp / "serve.err").read_text()
            try:
                if Wire(port).request("GET", "/api/health/", {}).status == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, "finance serve did not start"
            time.sleep(0.2)
        yield Wire(port)
    finally:
        stop(process)


def token(wire: Wire) -> str:
    body = json.dumps({"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}).encode()
    answer = wire.request("POST", "/api/auth/login/", {"Content-Type": "application/json"}, body)
    assert answer.status == 200, answer.body
    access: str = answer.json()["access"]
    return access


def assert_json_error(answer: Answer, status: int) -> None:
    assert answer.status == status, answer.body
    assert answer.headers["content-type"].startswith("application/json"), answer.headers
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["x-request-id"]
    body = answer.json()
    assert body["code"] == status
    assert isinstance(body["message"], str) and body["message"]
    assert b"<html" not in answer.body.lower()


def test_a_request_line_too_long_for_the_server_is_a_json_414(wire: Wire) -> None:
    assert_json_error(wire.request("GET", "/api/records/?q=" + "a" * 5000, {}), 414)


def test_a_control_character_in_a_header_is_a_json_400(wire: Wire) -> None:
    raw = b"GET /api/health/ HTTP/1.1\r\nHost: x\r\nX-Odd: a\x01b\r\nConnection: close\r\n\r\n"
    assert_json_error(wire.send(raw), 400)


def chunked(data: bytes, size: int = 64 * 1024) -> bytes:
    parts = [data[i : i + size] for i in range(0, len(data), size)]
    return b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in parts) + b"0\r\n\r\n"


def csv_rows(count: int) -> bytes:
    rows = "".join(f"2026-01-01,expense,food,{n + 1}.00,row {n} of a file\n" for n in range(count))
    return ("date,type,category,amount,description\n" + rows).encode()


def record_count(wire: Wire, access: str) -> int:
    answer = wire.request("GET", "/api/records/?page_size=1", {"Authorization": f"Bearer {access}"})
    assert answer.status == 200, answer.body
    count: int = answer.json()["count"]
    return count


@pytest.mark.parametrize("rows", [40_000, 20_600])
def test_a_chunked_import_over_the_limit_is_413_and_stores_nothing(wire: Wire, rows: int) -> None:
    """40,000 rows are ~2 MB, 20,600 just over 1 MB: both over FINANCE_MAX_IMPORT_MB=1."""
    access = token(wire)
    before = record_count(wire, access)
    data = csv_rows(rows)
    assert len(data) > 1024 * 1024
    headers = {
        "Authorization": f"Bearer {access}",
        "Content-Type": "text/csv",
        "Transfer-Encoding": "chunked",
    }
    answer = wire.request("POST", "/api/records/import/", headers, chunked(data))
    assert_json_error(answer, 413)
    assert record_count(wire, access) == before


def test_a_chunked_import_under_the_limit_is_stored_whole(wire: Wire) -> None:
    access = token(wire)
    before = record_count(wire, access)
    headers = {
        "Authorization": f"Bearer {access}",
        "Content-Type": "text/csv",
        "Transfer-Encoding": "chunked",
    }
    answer = wire.request("POST", "/api/records/import/", headers, chunked(csv_rows(1000)))
    assert answer.status == 201, answer.body
    assert answer.json() == {"imported": 1000}
    assert record_count(wire, access) == before + 1000


def test_a_chunked_json_body_over_the_limit_is_413(wire: Wire) -> None:
    body = json.dumps({"email": "a@example.com", "password": "x" * (1024 * 1024 + 10)}).encode()
    headers = {"Content-Type": "application/json", "Transfer-Encoding": "chunked"}
    assert_json_error(wire.request("POST", "/api/auth/login/", headers, chunked(body)), 413)
