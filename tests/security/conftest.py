"""Fixtures of the OWASP API Security Top 10 suite.

Every app here answers an unexpected exception as a client would see it (a JSON 500) instead of
re-raising it into the test, so a missing guard fails with the status it would give in
production. Tests that make their own targets share one app per module (a ``World``): each one
signs in fresh users and creates fresh records, so no test depends on another's changes, and the
hundreds of route x role x field cases stay fast."""

from __future__ import annotations

import itertools
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from dependency_injector import wiring
from flask import Flask, current_app
from flask.testing import FlaskClient

from finance.entrypoints.http import security
from tests.conftest import (
    ADMIN_EMAIL,
    PASSWORD,
    STORES,
    Api,
    Store,
    build_test_app,
    ensure_admin,
    login,
    make_store,
    requires_postgres,
)
from tests.http.assertions import assert_error

ROLES = ("anonymous", "viewer", "analyst", "admin")
RECORD = {"amount": "12.50", "type": "expense", "category": "Food", "date": "2026-01-15"}
CSV_HEADER = "date,type,category,amount,description,owner_id\r\n"
IMPORT = "/api/records/import/"
EXPORT = "/api/records/export/"

#: Text that tells a client how the server is built: it never belongs in an answer.
_LEAKS = re.compile(
    r"Traceback|File \"|sqlalchemy|psycopg|sqlite3|\bSELECT\b|\bINSERT INTO\b|\bUPDATE \w+ SET\b"
    r"|\bDELETE FROM\b|\bWHERE\b|Error:|Exception",
)


def assert_safe_error(
    response: Any, code: int, fields: dict[str, set[str]] | None = None
) -> dict[str, Any]:
    """The contract's error shape, and nothing in it about the server's insides."""
    body = assert_error(response, code, fields)
    text = response.get_data(as_text=True)
    leak = _LEAKS.search(text)
    assert leak is None, (leak, text)
    return body


def assert_client_error(response: Any) -> dict[str, Any]:
    """Some 4xx in the contract's error shape, where the contract names no status."""
    assert 400 <= response.status_code < 500, (
        response.status_code,
        response.get_data(as_text=True)[:500],
    )
    return assert_safe_error(response, response.status_code)


def record_body(**changes: Any) -> dict[str, Any]:
    return {**RECORD, **changes}


def raw_json(caller: Api, method: str, url: str, text: str | bytes, **kw: Any) -> Any:
    """Send a JSON text as written (lone surrogates, deep nesting, huge numbers)."""
    return caller.client.open(
        url,
        method=method,
        data=text,
        content_type="application/json",
        headers=caller._headers(kw.pop("headers", None)),
        **kw,
    )


def send_csv(caller: Api, text: str | bytes, **kw: Any) -> Any:
    data = text.encode() if isinstance(text, str) else text
    return caller.post(IMPORT, data=data, content_type="text/csv", **kw)


def nested(depth: int, kind: str = "array") -> str:
    """A JSON text nested ``depth`` levels deep: ``[[[…]]]`` or ``{"a": {"a": …}}``."""
    if kind == "array":
        return "[" * depth + "]" * depth
    return '{"a": ' * depth + "1" + "}" * depth


class Caller(Api):
    """A signed-in user (or an anonymous client) with everything a test may need to act as
    them: their access and refresh tokens and their password."""

    def __init__(
        self,
        client: FlaskClient,
        tokens: dict[str, Any] | None = None,
        user: dict[str, Any] | None = None,
        password: str = PASSWORD,
    ) -> None:
        super().__init__(client, tokens["access"] if tokens else None, user)
        self.refresh_token: str | None = tokens["refresh"] if tokens else None
        self.password = password

    @property
    def role(self) -> str:
        return "anonymous" if self.user is None else str(self.user["role"])

    @property
    def id(self) -> int:
        assert self.user is not None, "anonymous has no id"
        return int(self.user["id"])

    @property
    def email(self) -> str:
        assert self.user is not None, "anonymous has no email"
        return str(self.user["email"])

    def open(self, method: str, url: str, headers: dict[str, str] | None = None, **kw: Any) -> Any:
        """Buffered: a streamed answer (the export) is read and closed before it is returned."""
        kw.setdefault("buffered", True)
        return self.client.open(url, method=method, headers=self._headers(headers), **kw)

    def get(self, url: str, headers: dict[str, str] | None = None, **kw: Any) -> Any:
        return self.open("GET", url, headers, **kw)

    def post(self, url: str, headers: dict[str, str] | None = None, **kw: Any) -> Any:
        return self.open("POST", url, headers, **kw)

    def put(self, url: str, headers: dict[str, str] | None = None, **kw: Any) -> Any:
        return self.open("PUT", url, headers, **kw)

    def patch(self, url: str, headers: dict[str, str] | None = None, **kw: Any) -> Any:
        return self.open("PATCH", url, headers, **kw)

    def delete(self, url: str, headers: dict[str, str] | None = None, **kw: Any) -> Any:
        return self.open("DELETE", url, headers, **kw)


def sign_in(client: FlaskClient, email: str, password: str = PASSWORD) -> Caller:
    tokens = login(client, email, password)
    me = client.get("/api/auth/me/", headers={"Authorization": f"Bearer {tokens['access']}"})
    assert me.status_code == 200, me.json
    return Caller(client, tokens, me.json, password)


def _wire_own_container() -> None:
    """The views are wired to the container built last in the process, whichever app it
    belongs to. Several apps live side by side here (a module's world, a test's own app, two
    instances over one database), so each request makes sure its app's container is the one
    wired; wiring takes ~30 ms, so only when it is not."""
    container = current_app.container  # type: ignore[attr-defined]
    patched = wiring._patched_registry.get_callable(security._load_actor)
    if (
        patched is None
        or patched.injections.get("resolve_session") is not container.resolve_session
    ):
        container.wire()


def serve(store: Store, **settings: Any) -> Flask:
    """The app over ``store`` with its first admin, answering failures as JSON 500s."""
    app = build_test_app(store, **settings)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    app.before_request(_wire_own_container)
    ensure_admin(app)
    return app


@dataclass
class World:
    """One app shared by a module's tests; each test makes its own users and records."""

    app: Flask
    root: Caller
    _numbers: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def new_user(self, role: str = "viewer", **changes: Any) -> dict[str, Any]:
        email = f"{role}-{next(self._numbers)}@example.com"
        body = {"email": email, "name": "Someone", "password": PASSWORD, "role": role, **changes}
        response = self.root.post("/api/users/", json=body)
        assert response.status_code == 201, response.json
        return response.json  # type: ignore[no-any-return]

    def caller(self, role: str) -> Caller:
        """A fresh user of ``role``, signed in on a client of their own."""
        client = self.app.test_client()
        if role == "anonymous":
            return Caller(client)
        return sign_in(client, self.new_user(role)["email"])

    def record(self, owner_id: int | None = None, **changes: Any) -> dict[str, Any]:
        body = record_body(**changes)
        if owner_id is not None:
            body["owner_id"] = owner_id
        response = self.root.post("/api/records/", json=body)
        assert response.status_code == 201, response.json
        return response.json  # type: ignore[no-any-return]

    def deleted_record(self, owner_id: int | None = None, **changes: Any) -> dict[str, Any]:
        record = self.record(owner_id, **changes)
        assert self.root.delete(f"/api/records/{record['id']}/").status_code == 204
        return record

    def budget(self, owner_id: int) -> dict[str, Any]:
        """A budget of ``owner_id``'s, in a category of its own so budgets never overlap."""
        body = {
            "category": f"Budgeted {next(_budgets)}",
            "amount": "100.00",
            "start_month": "2026-01",
            "owner_id": owner_id,
        }
        response = self.root.post("/api/budgets/", json=body)
        assert response.status_code == 201, response.json
        return response.json  # type: ignore[no-any-return]

    def schedule(self, owner_id: int) -> dict[str, Any]:
        body = {
            "amount": "50.00",
            "type": "expense",
            "category": "Rent",
            "frequency": "monthly",
            "start_date": "2026-01-01",
            "count": 3,
            "owner_id": owner_id,
        }
        response = self.root.post("/api/recurring/", json=body)
        assert response.status_code == 201, response.json
        return response.json  # type: ignore[no-any-return]

    def count(self, path: str, **query: Any) -> int:
        response = self.root.get(path, query_string={"page_size": 1, **query})
        assert response.status_code == 200, response.json
        return int(response.json["count"])

    def counts(self) -> dict[str, int]:
        """How many live records, deleted records, users, budgets and schedules there are."""
        return {
            "records": self.count("/api/records/"),
            "deleted": self.count("/api/records/deleted/"),
            "users": self.count("/api/users/"),
            "budgets": self.count("/api/budgets/"),
            "schedules": self.count("/api/recurring/", active="true"),
        }


_budgets = itertools.count(1)


def make_world(store: Store, **settings: Any) -> World:
    app = serve(store, **settings)
    return World(app, sign_in(app.test_client(), ADMIN_EMAIL))


@pytest.fixture
def app(sqlite_store: Store) -> Flask:
    """The root ``app`` fixture, answering unexpected failures as a client sees them."""
    return serve(sqlite_store)


@pytest.fixture(scope="module")
def world(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> World:
    """One SQLite-backed app for the module."""
    return make_world(make_store("sqlite", tmp_path_factory.mktemp("world"), request))


@pytest.fixture(scope="module", params=STORES)
def store_world(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> World:
    """One app per store (memory, SQLite, PostgreSQL with its URL set) for the module. A module
    that uses it must not also use the function-scoped PostgreSQL fixtures, which empty the
    database under it."""
    return make_world(make_store(request.param, tmp_path_factory.mktemp("world"), request))


def at_once(app: Flask, count: int, request: Callable[[FlaskClient], Any]) -> list[Any]:
    """Send ``count`` requests at the same moment, each from its own thread and client."""
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count

    def worker(index: int) -> None:
        client = app.test_client()
        barrier.wait(timeout=10)
        results[index] = request(client)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert all(r is not None for r in results), "a request did not finish"
    return results


class FakeClock:
    """A clock that stands still until the test moves it."""

    def __init__(self, now: datetime) -> None:
        self.current = now

    def now(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> None:
        self.current += timedelta(**delta)


SQL_STORES = [
    "sqlite",
    pytest.param("postgres", marks=[pytest.mark.postgres, requires_postgres]),
]


@pytest.fixture(params=SQL_STORES)
def sql_store(request: pytest.FixtureRequest, tmp_path: Path) -> Store:
    """The stores that keep state for every worker and instance: SQLite and PostgreSQL."""
    return make_store(request.param, tmp_path, request)
