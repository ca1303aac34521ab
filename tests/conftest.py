"""Shared fixtures: stores (memory, SQLite, PostgreSQL), apps, clients and signed-in users."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, event, text

from finance.adapters.memory.unit_of_work import MemoryUnitOfWork
from finance.adapters.security import Argon2PasswordHasher
from finance.adapters.sqlalchemy.engine import build_engine
from finance.adapters.sqlalchemy.schema import upgrade_database
from finance.adapters.sqlalchemy.tables import metadata
from finance.adapters.sqlalchemy.unit_of_work import SqlUnitOfWork
from finance.main import Container, build_container, create_app
from finance.settings import Settings

POSTGRES_URL = os.environ.get("FINANCE_TEST_POSTGRES_URL")
ADMIN_EMAIL = "admin@example.com"
PASSWORD = "correct-horse-battery"

requires_postgres = pytest.mark.skipif(
    not POSTGRES_URL, reason="FINANCE_TEST_POSTGRES_URL is not set"
)


def fast_hasher() -> Argon2PasswordHasher:
    """argon2id with the smallest cost, so tests hash in microseconds."""
    return Argon2PasswordHasher(time_cost=1, memory_cost=64)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, copied for each test instead of migrating again."""
    path = tmp_path_factory.mktemp("template") / "finance.db"
    engine = build_engine(f"sqlite:///{path}")
    upgrade_database(engine)
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_engine() -> Iterator[Engine]:
    if not POSTGRES_URL:
        pytest.skip("FINANCE_TEST_POSTGRES_URL is not set")
    engine = build_engine(POSTGRES_URL)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    upgrade_database(engine)
    yield engine
    engine.dispose()


def truncate_postgres(engine: Engine) -> None:
    names = ", ".join(t.name for t in metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


@dataclass(frozen=True)
class Store:
    """One storage backend under test: its settings, and containers wired to it.

    Building a container wires the HTTP views and the CLI to it, for every app in the process;
    each one is unwired when the fixture that made the store ends, so that no view is left
    holding the providers of a container whose test is over."""

    name: str
    settings: Settings
    #: ``addfinalizer`` of the fixture that made the store.
    at_teardown: Callable[[Callable[[], object]], None] = field(compare=False, repr=False)

    def container(self, settings: Settings | None = None) -> Container:
        container = build_container(settings or self.settings)
        self.at_teardown(container.unwire)
        container.password_hasher.override(fast_hasher())
        return container


def captured_queries(engine: Engine, run: Callable[[], Any]) -> list[tuple[str, Any]]:
    """The statements (and their parameters) ``run`` sends through ``engine``."""
    seen: list[tuple[str, Any]] = []

    def grab(_c: Any, _cur: Any, statement: str, parameters: Any, *_: Any) -> None:
        seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", grab)
    try:
        run()
    finally:
        event.remove(engine, "before_cursor_execute", grab)
    return seen


def adapter_unit_of_work(
    container: Container, write: bool = True
) -> MemoryUnitOfWork | SqlUnitOfWork:
    """The container's unit of work as its adapter's class. The container's providers are
    untyped; narrowed like this, a unit of work returned where a port (``UnitOfWork``,
    ``DashboardUnitOfWork``) is expected makes mypy check every adapter against that port."""
    uow = container.uow() if write else container.read_uow()
    assert isinstance(uow, MemoryUnitOfWork | SqlUnitOfWork), uow
    return uow


def _settings(tmp_path: Path, storage: str, url: str) -> Settings:
    return Settings(
        storage=storage,
        database_url=url,
        instance_path=tmp_path,
        secret_key="test-secret-key-that-is-long-enough-for-hs256",
        log_level="WARNING",
    )


def make_store(name: str, tmp_path: Path, request: pytest.FixtureRequest) -> Store:
    """``request`` is the calling fixture's: the store's containers last as long as it."""
    if name == "memory":
        return Store(name, _settings(tmp_path, "memory", "sqlite://"), request.addfinalizer)
    if name == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        path = tmp_path / "finance.db"
        shutil.copy(template, path)
        return Store(name, _settings(tmp_path, "sql", f"sqlite:///{path}"), request.addfinalizer)
    engine: Engine = request.getfixturevalue("postgres_engine")
    truncate_postgres(engine)
    url = engine.url.render_as_string(False)
    return Store(name, _settings(tmp_path, "sql", url), request.addfinalizer)


STORES = [
    "memory",
    "sqlite",
    pytest.param("postgres", marks=[pytest.mark.postgres, requires_postgres]),
]


@pytest.fixture(params=STORES)
def any_store(request: pytest.FixtureRequest, tmp_path: Path) -> Store:
    """Each storage backend in turn: memory, SQLite and (with its URL set) PostgreSQL."""
    return make_store(request.param, tmp_path, request)


@pytest.fixture
def sqlite_store(request: pytest.FixtureRequest, tmp_path: Path) -> Store:
    return make_store("sqlite", tmp_path, request)


@pytest.fixture
def postgres_store(request: pytest.FixtureRequest, tmp_path: Path) -> Store:
    return make_store("postgres", tmp_path, request)


@pytest.fixture
def memory_container(tmp_path: Path, request: pytest.FixtureRequest) -> Container:
    return make_store("memory", tmp_path, request).container()


def build_test_app(store: Store, **settings_changes: Any) -> Flask:
    """An app over ``store``, its container unwired when the store's fixture ends."""
    settings = replace(store.settings, admin_password=PASSWORD, **settings_changes)
    app = create_app(settings, store.container(settings))
    app.config["TESTING"] = True
    return app


@pytest.fixture
def app(sqlite_store: Store) -> Flask:
    """The app over a fresh SQLite database, with one admin (ADMIN_EMAIL / PASSWORD)."""
    app = build_test_app(sqlite_store)
    ensure_admin(app)
    return app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def ensure_admin(app: Flask) -> None:
    from finance.application.users.create_admin import CreateAdminRequest

    app.container.create_admin().execute(  # type: ignore[attr-defined]
        CreateAdminRequest(ADMIN_EMAIL, "Admin", PASSWORD, only_if_none=True)
    )


class Api:
    """A test client that signs in as someone and sends their bearer token."""

    def __init__(self, client: FlaskClient, token: str | None = None, user: Any = None) -> None:
        self.client = client
        self.token = token
        self.user = user

    def _headers(self, headers: dict[str, str] | None) -> dict[str, str]:
        merged = dict(headers or {})
        if self.token:
            merged.setdefault("Authorization", f"Bearer {self.token}")
        return merged

    def get(self, url: str, headers: dict[str, str] | None = None, **kw: Any) -> Any:
        return self.client.get(url, headers=self._headers(headers), **kw)

    def post(self, url: str, headers: dict[str, str] | None = None, **kw: Any) -> Any:
        return self.client.post(url, headers=self._headers(headers), **kw)

    def put(self, url: str, headers: dict[str, str] | None = None, **kw: Any) -> Any:
        return self.client.put(url, headers=self._headers(headers), **kw)

    def patch(self, url: str, headers: dict[str, str] | None = None, **kw: Any) -> Any:
        return self.client.patch(url, headers=self._headers(headers), **kw)

    def delete(self, url: str, headers: dict[str, str] | None = None, **kw: Any) -> Any:
        return self.client.delete(url, headers=self._headers(headers), **kw)


def login(client: FlaskClient, email: str, password: str = PASSWORD) -> dict[str, Any]:
    response = client.post("/api/auth/login/", json={"email": email, "password": password})
    tokens = response.json
    assert response.status_code == 200 and isinstance(tokens, dict), tokens
    return tokens


@pytest.fixture
def admin(client: FlaskClient) -> Api:
    tokens = login(client, ADMIN_EMAIL)
    me = client.get("/api/auth/me/", headers={"Authorization": f"Bearer {tokens['access']}"})
    return Api(client, tokens["access"], me.json)


@pytest.fixture
def make_user(admin: Api) -> Callable[..., Api]:
    """Create a user with a role through the API and return a client signed in as them."""
    counter = iter(range(1, 10_000))

    def make(role: str = "viewer", email: str | None = None, name: str = "Test User") -> Api:
        email = email or f"{role}{next(counter)}@example.com"
        response = admin.post(
            "/api/users/", json={"email": email, "name": name, "password": PASSWORD, "role": role}
        )
        assert response.status_code == 201, response.json
        tokens = login(admin.client, email)
        return Api(admin.client, tokens["access"], response.json)

    return make


@pytest.fixture
def anonymous(client: FlaskClient) -> Api:
    return Api(client)


Factory = Callable[..., Api]
__all__ = ["ADMIN_EMAIL", "PASSWORD", "Api", "Factory", "Store", "login", "requires_postgres"]
