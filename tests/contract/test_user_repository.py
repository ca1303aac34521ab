"""The user repository behaves the same on memory, SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import fields
from datetime import UTC, datetime, timedelta, timezone

import pytest

from finance.application.errors import Conflict
from finance.application.pagination import PageRequest
from finance.application.ports import UnitOfWork, UserQuery
from finance.domain.roles import Role
from finance.domain.users import User
from finance.main import Container
from tests.conftest import Store

JOINED = datetime(2026, 2, 3, 4, 5, 6, 789012, tzinfo=UTC)


def new_user(
    email: str = "ann@example.com",
    name: str = "Ann Example",
    role: Role = Role.ANALYST,
    is_active: bool = True,
    date_joined: datetime = JOINED,
) -> User:
    return User(
        email=email,
        name=name,
        role=role,
        password_hash="$argon2id$v=19$m=64,t=1,p=4$c2FsdA$aGFzaA",
        date_joined=date_joined,
        is_active=is_active,
        token_version=3,
    )


def assert_same_user(actual: User | None, expected: User) -> None:
    """Every attribute, one by one: a mapper that drops a field cannot hide here."""
    assert actual is not None
    assert {f.name for f in fields(User)} == {
        "id",
        "email",
        "name",
        "role",
        "password_hash",
        "date_joined",
        "is_active",
        "token_version",
    }, "a new User field must be compared below"
    assert actual.id == expected.id
    assert actual.email == expected.email
    assert actual.name == expected.name
    assert actual.role is expected.role
    assert actual.password_hash == expected.password_hash
    assert actual.is_active is expected.is_active
    assert actual.token_version == expected.token_version
    assert actual.date_joined == expected.date_joined
    assert actual.date_joined.utcoffset() is not None


def add(uow: UnitOfWork, *users: User) -> list[User]:
    with uow:
        added = [uow.users.add(u) for u in users]
        uow.commit()
    return added


def test_add_then_get_gives_back_every_attribute(any_store: Store) -> None:
    container = any_store.container()
    (user,) = add(container.uow(), new_user())
    assert isinstance(user.id, int) and user.id > 0
    with container.uow() as uow:
        got = uow.users.get(user.id)
        by_email = uow.users.get_by_email("ann@example.com")
    assert_same_user(got, user)
    assert_same_user(by_email, user)
    assert got is not user


def test_ids_are_distinct_and_increasing(any_store: Store) -> None:
    container = any_store.container()
    a, b = add(container.uow(), new_user("a@example.com"), new_user("b@example.com"))
    assert a.id is not None and b.id is not None and b.id > a.id


def test_unknown_ids_and_emails_give_none(any_store: Store) -> None:
    container = any_store.container()
    add(container.uow(), new_user())
    with container.uow() as uow:
        assert uow.users.get(999_999) is None
        assert uow.users.get_by_email("nobody@example.com") is None


def test_date_joined_keeps_its_instant_with_microseconds(any_store: Store) -> None:
    container = any_store.container()
    plus_two = datetime(2026, 7, 1, 1, 30, 0, 123456, tzinfo=timezone(timedelta(hours=2)))
    (user,) = add(container.uow(), new_user(date_joined=plus_two))
    with container.uow() as uow:
        got = uow.users.get(user.id or 0)
    assert got is not None
    assert got.date_joined == datetime(2026, 6, 30, 23, 30, 0, 123456, tzinfo=UTC)
    assert got.date_joined.utcoffset() is not None


def test_save_persists_every_changed_attribute(any_store: Store) -> None:
    container = any_store.container()
    (user,) = add(container.uow(), new_user())
    with container.uow() as uow:
        loaded = uow.users.get(user.id or 0)
        assert loaded is not None
        loaded.email = "renamed@example.com"
        loaded.name = "Renamed"
        loaded.role = Role.ADMIN
        loaded.password_hash = "another-hash"
        loaded.is_active = False
        loaded.token_version = 9
        loaded.date_joined = JOINED + timedelta(days=1)
        uow.users.save(loaded)
        uow.commit()
    with container.uow() as uow:
        assert_same_user(uow.users.get(user.id or 0), loaded)
        assert uow.users.get_by_email("ann@example.com") is None


def test_changes_without_commit_are_rolled_back(any_store: Store) -> None:
    container = any_store.container()
    (user,) = add(container.uow(), new_user())
    with container.uow() as uow:
        uow.users.add(new_user("ghost@example.com"))
        loaded = uow.users.get(user.id or 0)
        assert loaded is not None
        loaded.name = "Changed"
        uow.users.save(loaded)
    with container.uow() as uow:
        assert uow.users.get_by_email("ghost@example.com") is None
        assert_same_user(uow.users.get(user.id or 0), user)


def test_objects_read_are_copies_until_saved(any_store: Store) -> None:
    container = any_store.container()
    (user,) = add(container.uow(), new_user())
    with container.uow() as uow:
        loaded = uow.users.get(user.id or 0)
        assert loaded is not None
        loaded.name = "Not saved"
        uow.commit()
    with container.uow() as uow:
        assert_same_user(uow.users.get(user.id or 0), user)


def test_a_duplicate_email_is_a_conflict(any_store: Store) -> None:
    container = any_store.container()
    add(container.uow(), new_user())
    with pytest.raises(Conflict), container.uow() as uow:
        uow.users.add(new_user(name="Twin"))
    with container.uow() as uow:
        page = uow.users.find(UserQuery(), PageRequest())
    assert [u.name for u in page.items] == ["Ann Example"]


@pytest.fixture
def population(any_store: Store) -> tuple[Container, list[User]]:
    container = any_store.container()
    people = add(
        container.uow(),
        new_user("root@example.com", "Root", Role.ADMIN),
        new_user("old.admin@example.com", "Old Admin", Role.ADMIN, is_active=False),
        new_user("vera@example.com", "Vera Viewer", Role.VIEWER),
        new_user("andy@example.com", "Andy Analyst", Role.ANALYST),
        new_user("zed@corp.test", "Élodie Zed", Role.ANALYST, is_active=False),
        new_user("percent@example.com", "100% Sure_Thing", Role.VIEWER),
    )
    return container, people


def find(container: Container, query: UserQuery, page: PageRequest | None = None) -> list[str]:
    with container.uow() as uow:
        return [u.email for u in uow.users.find(query, page or PageRequest(page_size=100)).items]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (UserQuery(), [0, 1, 2, 3, 4, 5]),
        (UserQuery(role=Role.ADMIN), [0, 1]),
        (UserQuery(role=Role.ANALYST), [3, 4]),
        (UserQuery(is_active=True), [0, 2, 3, 5]),
        (UserQuery(is_active=False), [1, 4]),
        (UserQuery(role=Role.ADMIN, is_active=True), [0]),
        (UserQuery(text="ADMIN"), [1]),  # name "Old Admin" and email old.admin@
        (UserQuery(text="example.com"), [0, 1, 2, 3, 5]),
        (UserQuery(text="CORP"), [4]),
        (UserQuery(text="analyst"), [3]),
        (UserQuery(text="élodie"), [4]),
        (UserQuery(text="ÉLODIE"), [4]),
        (UserQuery(text="%"), [5]),
        (UserQuery(text="a_d"), []),  # not a LIKE wildcard: "and" stays out
        (UserQuery(text="sure_"), [5]),
        (UserQuery(text="nobody"), []),
        (UserQuery(role=Role.VIEWER, text="vera", is_active=True), [2]),
    ],
)
def test_find_filters(
    population: tuple[Container, list[User]], query: UserQuery, expected: list[int]
) -> None:
    container, people = population
    assert find(container, query) == [people[i].email for i in expected]


def test_find_returns_full_users_in_id_order(population: tuple[Container, list[User]]) -> None:
    container, people = population
    with container.uow() as uow:
        page = uow.users.find(UserQuery(), PageRequest())
    assert page.total == 6
    assert page.page == PageRequest()
    for got, expected in zip(page.items, people, strict=True):
        assert_same_user(got, expected)


def test_find_pages(population: tuple[Container, list[User]]) -> None:
    container, people = population
    emails = [p.email for p in people]
    assert find(container, UserQuery(), PageRequest(1, 4)) == emails[:4]
    assert find(container, UserQuery(), PageRequest(2, 4)) == emails[4:]
    assert find(container, UserQuery(), PageRequest(3, 4)) == []
    with container.uow() as uow:
        past = uow.users.find(UserQuery(is_active=True), PageRequest(5, 2))
        filtered = uow.users.find(UserQuery(is_active=True), PageRequest(2, 3))
    assert (past.items, past.total) == ([], 4)
    assert ([u.email for u in filtered.items], filtered.total) == ([emails[5]], 4)


def test_active_admin_ids_and_any_admin(any_store: Store) -> None:
    container = any_store.container()
    with container.uow() as uow:
        assert uow.users.active_admin_ids() == []
        assert uow.users.any_admin() is False
    add(container.uow(), new_user("viewer@example.com", role=Role.VIEWER))
    with container.uow() as uow:
        assert uow.users.any_admin() is False
    inactive, active, also_active = add(
        container.uow(),
        new_user("gone@example.com", role=Role.ADMIN, is_active=False),
        new_user("root@example.com", role=Role.ADMIN),
        new_user("root2@example.com", role=Role.ADMIN),
    )
    with container.uow() as uow:
        assert sorted(uow.users.active_admin_ids()) == [active.id, also_active.id]
        assert uow.users.any_admin() is True
        assert inactive.id not in uow.users.active_admin_ids()
