"""Use cases wired by hand over the memory adapter, with a clock the test moves."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from finance.adapters.memory.sessions import (
    MemoryLoginThrottle,
    MemorySessionLookup,
    MemoryTokenStore,
)
from finance.adapters.memory.store import MemoryStore
from finance.adapters.memory.unit_of_work import MemoryUnitOfWork
from finance.adapters.security import Argon2PasswordHasher
from finance.application.authorization import Actor
from finance.application.users.create_admin import CreateAdmin, CreateAdminRequest
from finance.application.users.create_user import CreateUser, CreateUserRequest
from finance.domain.roles import Role
from finance.domain.users import User
from tests.conftest import PASSWORD, fast_hasher

START = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


class FakeClock:
    """A clock that stands still until the test advances it."""

    def __init__(self, now: datetime = START) -> None:
        self.current = now

    def now(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> None:
        self.current += timedelta(**delta)


@pytest.fixture
def store() -> MemoryStore:
    return MemoryStore()


@pytest.fixture
def uow(store: MemoryStore) -> MemoryUnitOfWork:
    return MemoryUnitOfWork(store)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(scope="session")
def hasher() -> Argon2PasswordHasher:
    return fast_hasher()


@pytest.fixture
def tokens(store: MemoryStore) -> MemoryTokenStore:
    return MemoryTokenStore(store)


@pytest.fixture
def sessions(store: MemoryStore) -> MemorySessionLookup:
    return MemorySessionLookup(store)


@pytest.fixture
def throttle(store: MemoryStore) -> MemoryLoginThrottle:
    return MemoryLoginThrottle(store)


@pytest.fixture
def admin_user(uow: MemoryUnitOfWork, hasher: Argon2PasswordHasher, clock: FakeClock) -> User:
    user = CreateAdmin(uow, hasher, clock).execute(
        CreateAdminRequest("admin@example.com", "Admin", PASSWORD)
    )
    assert user is not None
    return user


@pytest.fixture
def admin_actor(admin_user: User) -> Actor:
    assert admin_user.id is not None
    return Actor(admin_user.id, Role.ADMIN)


class Users:
    """Creates users through the CreateUser use case, as an admin would."""

    def __init__(
        self, uow: MemoryUnitOfWork, hasher: Argon2PasswordHasher, clock: FakeClock, admin: Actor
    ) -> None:
        self._create = CreateUser(uow, hasher, clock)
        self._admin = admin
        self._counter = 0

    def add(
        self,
        role: Role = Role.VIEWER,
        email: str | None = None,
        name: str = "Test User",
        password: str = PASSWORD,
    ) -> User:
        self._counter += 1
        email = email or f"{role.value}{self._counter}@example.com"
        return self._create.execute(CreateUserRequest(self._admin, email, name, password, role))

    def actor(self, user: User) -> Actor:
        assert user.id is not None
        return Actor(user.id, user.role)


@pytest.fixture
def users(
    uow: MemoryUnitOfWork, hasher: Argon2PasswordHasher, clock: FakeClock, admin_actor: Actor
) -> Users:
    return Users(uow, hasher, clock, admin_actor)


def stored(uow: MemoryUnitOfWork, user_id: int | None) -> User:
    """The user as the store holds it now."""
    assert user_id is not None
    with uow:
        user = uow.users.get(user_id)
    assert user is not None
    return user
