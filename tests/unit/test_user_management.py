"""Admins manage users: create, read, list, update, deactivate; operators create admins."""

from __future__ import annotations

import pytest

from finance.adapters.memory.unit_of_work import MemoryUnitOfWork
from finance.adapters.security import Argon2PasswordHasher
from finance.application.authorization import Actor
from finance.application.errors import Conflict, Forbidden, NotFound
from finance.application.pagination import PageRequest
from finance.application.ports import UserQuery
from finance.application.users.create_admin import CreateAdmin, CreateAdminRequest
from finance.application.users.create_user import CreateUser, CreateUserRequest
from finance.application.users.deactivate_user import DeactivateUser, DeactivateUserRequest
from finance.application.users.get_user import GetUser, GetUserRequest
from finance.application.users.list_users import ListUsers, ListUsersRequest
from finance.application.users.update_user import UpdateUser, UpdateUserRequest
from finance.domain.errors import InvalidValue
from finance.domain.roles import Role
from finance.domain.users import User
from tests.conftest import PASSWORD
from tests.unit.conftest import START, FakeClock, Users, stored

NON_ADMINS = [Role.VIEWER, Role.ANALYST]


# -- CreateUser ---------------------------------------------------------------------------------


def test_create_user_stores_normalized_details_and_a_hash(
    uow: MemoryUnitOfWork, hasher: Argon2PasswordHasher, clock: FakeClock, admin_actor: Actor
) -> None:
    clock.advance(hours=1)
    user = CreateUser(uow, hasher, clock).execute(
        CreateUserRequest(admin_actor, "  Ada@Example.COM ", " Ada ", PASSWORD, Role.ANALYST)
    )
    saved = stored(uow, user.id)
    assert saved.email == "ada@example.com"
    assert saved.name == "Ada"
    assert saved.role is Role.ANALYST
    assert saved.is_active is True
    assert saved.date_joined == clock.now()
    assert saved.password_hash != PASSWORD
    assert hasher.verify(saved.password_hash, PASSWORD)


@pytest.mark.parametrize("email", ["ada@example.com", "ADA@example.com", " Ada@Example.com"])
def test_create_user_refuses_an_email_in_use_in_any_case(users: Users, email: str) -> None:
    users.add(email="ada@example.com")
    with pytest.raises(Conflict):
        users.add(email=email)


@pytest.mark.parametrize("password", ["short1", "123456789", "ada@example.com", "Ada@Example.com"])
def test_create_user_applies_the_password_policy(
    users: Users, uow: MemoryUnitOfWork, password: str
) -> None:
    with pytest.raises(InvalidValue) as error:
        users.add(email="ada@example.com", password=password)
    assert error.value.field == "password"
    with uow:
        assert uow.users.get_by_email("ada@example.com") is None


@pytest.mark.parametrize("role", NON_ADMINS)
def test_only_admins_create_users(
    users: Users,
    uow: MemoryUnitOfWork,
    hasher: Argon2PasswordHasher,
    clock: FakeClock,
    role: Role,
) -> None:
    actor = users.actor(users.add(role))
    with pytest.raises(Forbidden):
        CreateUser(uow, hasher, clock).execute(
            CreateUserRequest(actor, "new@example.com", "New", PASSWORD, Role.ADMIN)
        )
    with uow:
        assert uow.users.get_by_email("new@example.com") is None


# -- CreateAdmin --------------------------------------------------------------------------------


def test_create_admin_makes_an_admin(
    uow: MemoryUnitOfWork, hasher: Argon2PasswordHasher, clock: FakeClock
) -> None:
    admin = CreateAdmin(uow, hasher, clock).execute(
        CreateAdminRequest("Root@Example.com", "Root", PASSWORD)
    )
    assert admin is not None
    saved = stored(uow, admin.id)
    assert (saved.email, saved.role, saved.is_active) == ("root@example.com", Role.ADMIN, True)


def test_create_admin_if_none_does_nothing_once_an_admin_exists(
    uow: MemoryUnitOfWork, hasher: Argon2PasswordHasher, clock: FakeClock, admin_user: User
) -> None:
    create = CreateAdmin(uow, hasher, clock)
    assert create.execute(CreateAdminRequest("b@example.com", "B", PASSWORD, True)) is None
    with uow:
        assert uow.users.get_by_email("b@example.com") is None
        assert uow.users.active_admin_ids() == [admin_user.id]
    second = create.execute(CreateAdminRequest("b@example.com", "B", PASSWORD))
    assert second is not None and second.role is Role.ADMIN


def test_create_admin_applies_the_user_rules(
    uow: MemoryUnitOfWork, hasher: Argon2PasswordHasher, clock: FakeClock, admin_user: User
) -> None:
    create = CreateAdmin(uow, hasher, clock)
    with pytest.raises(InvalidValue):
        create.execute(CreateAdminRequest("new@example.com", "New", "12345678"))
    with pytest.raises(Conflict):
        create.execute(CreateAdminRequest("ADMIN@example.com", "Again", PASSWORD))


# -- GetUser / ListUsers ------------------------------------------------------------------------


def test_get_user(uow: MemoryUnitOfWork, users: Users, admin_actor: Actor) -> None:
    user = users.add(Role.ANALYST, email="ann@example.com", name="Ann")
    got = GetUser(uow).execute(GetUserRequest(admin_actor, user.id or 0))
    assert (got.id, got.email, got.name, got.role) == (user.id, "ann@example.com", "Ann", user.role)
    with pytest.raises(NotFound):
        GetUser(uow).execute(GetUserRequest(admin_actor, 9999))


@pytest.mark.parametrize("role", NON_ADMINS)
def test_only_admins_read_users(uow: MemoryUnitOfWork, users: Users, role: Role) -> None:
    user = users.add(role)
    with pytest.raises(Forbidden):
        GetUser(uow).execute(GetUserRequest(users.actor(user), user.id or 0))
    with pytest.raises(Forbidden):
        ListUsers(uow).execute(ListUsersRequest(users.actor(user), UserQuery(), PageRequest()))


def emails(uow: MemoryUnitOfWork, actor: Actor, query: UserQuery, page: PageRequest) -> list[str]:
    return [u.email for u in ListUsers(uow).execute(ListUsersRequest(actor, query, page)).items]


def test_list_users_filters_and_pages(
    uow: MemoryUnitOfWork, users: Users, admin_actor: Actor
) -> None:
    users.add(Role.VIEWER, email="vera@example.com", name="Vera Viewer")
    analyst = users.add(Role.ANALYST, email="andy@example.com", name="Andy Analyst")
    users.add(Role.ANALYST, email="zed@corp.test", name="Zed")
    DeactivateUser(uow).execute(DeactivateUserRequest(admin_actor, analyst.id or 0))
    everyone = PageRequest(page_size=100)

    assert emails(uow, admin_actor, UserQuery(), everyone) == [
        "admin@example.com",
        "vera@example.com",
        "andy@example.com",
        "zed@corp.test",
    ]
    assert emails(uow, admin_actor, UserQuery(role=Role.ANALYST), everyone) == [
        "andy@example.com",
        "zed@corp.test",
    ]
    assert emails(uow, admin_actor, UserQuery(is_active=False), everyone) == ["andy@example.com"]
    assert emails(uow, admin_actor, UserQuery(text="ANALYST"), everyone) == ["andy@example.com"]
    assert emails(uow, admin_actor, UserQuery(text="corp.TEST"), everyone) == ["zed@corp.test"]
    assert emails(uow, admin_actor, UserQuery(role=Role.ANALYST, is_active=True), everyone) == [
        "zed@corp.test"
    ]

    page = ListUsers(uow).execute(
        ListUsersRequest(admin_actor, UserQuery(), PageRequest(page=2, page_size=3))
    )
    assert [u.email for u in page.items] == ["zed@corp.test"]
    assert page.total == 4
    assert emails(uow, admin_actor, UserQuery(), PageRequest(page=3, page_size=3)) == []


# -- UpdateUser ---------------------------------------------------------------------------------


def test_update_user_changes_each_field(
    uow: MemoryUnitOfWork, hasher: Argon2PasswordHasher, users: Users, admin_actor: Actor
) -> None:
    user = users.add(Role.VIEWER)
    updated = UpdateUser(uow, hasher).execute(
        UpdateUserRequest(
            admin_actor,
            user.id or 0,
            name="  Renamed ",
            role=Role.ANALYST,
            is_active=False,
            password="a-new-password",
        )
    )
    saved = stored(uow, user.id)
    assert updated.name == saved.name == "Renamed"
    assert saved.role is Role.ANALYST
    assert saved.is_active is False
    assert hasher.verify(saved.password_hash, "a-new-password")
    assert not hasher.verify(saved.password_hash, PASSWORD)
    assert saved.token_version > user.token_version
    assert saved.email == user.email and saved.date_joined == user.date_joined == START


def test_update_user_with_nothing_changes_nothing(
    uow: MemoryUnitOfWork, hasher: Argon2PasswordHasher, users: Users, admin_actor: Actor
) -> None:
    user = users.add(Role.ANALYST)
    UpdateUser(uow, hasher).execute(UpdateUserRequest(admin_actor, user.id or 0))
    assert stored(uow, user.id) == user


def test_update_user_reactivates(
    uow: MemoryUnitOfWork, hasher: Argon2PasswordHasher, users: Users, admin_actor: Actor
) -> None:
    user = users.add()
    update = UpdateUser(uow, hasher)
    update.execute(UpdateUserRequest(admin_actor, user.id or 0, is_active=False))
    update.execute(UpdateUserRequest(admin_actor, user.id or 0, is_active=True))
    assert stored(uow, user.id).is_active is True


def test_update_user_refuses_bad_values_and_keeps_the_user(
    uow: MemoryUnitOfWork, hasher: Argon2PasswordHasher, users: Users, admin_actor: Actor
) -> None:
    user = users.add()
    update = UpdateUser(uow, hasher)
    with pytest.raises(InvalidValue):
        update.execute(UpdateUserRequest(admin_actor, user.id or 0, password="1234567890"))
    with pytest.raises(InvalidValue):
        update.execute(UpdateUserRequest(admin_actor, user.id or 0, name="  ", role=Role.ADMIN))
    assert stored(uow, user.id) == user
    with pytest.raises(NotFound):
        update.execute(UpdateUserRequest(admin_actor, 9999, name="x"))


@pytest.mark.parametrize("role", NON_ADMINS)
def test_only_admins_update_users(
    uow: MemoryUnitOfWork, hasher: Argon2PasswordHasher, users: Users, role: Role
) -> None:
    user = users.add(role)
    with pytest.raises(Forbidden):
        UpdateUser(uow, hasher).execute(
            UpdateUserRequest(users.actor(user), user.id or 0, role=Role.ADMIN)
        )
    assert stored(uow, user.id).role is role


@pytest.mark.parametrize(
    "change", [{"role": Role.VIEWER}, {"role": Role.ANALYST}, {"is_active": False}]
)
def test_the_last_active_admin_cannot_lose_admin_rights(
    uow: MemoryUnitOfWork,
    hasher: Argon2PasswordHasher,
    admin_user: User,
    admin_actor: Actor,
    change: dict[str, object],
) -> None:
    with pytest.raises(Conflict):
        UpdateUser(uow, hasher).execute(
            UpdateUserRequest(admin_actor, admin_user.id or 0, **change)  # type: ignore[arg-type]
        )
    saved = stored(uow, admin_user.id)
    assert (saved.role, saved.is_active) == (Role.ADMIN, True)


def test_an_inactive_second_admin_does_not_count(
    uow: MemoryUnitOfWork,
    hasher: Argon2PasswordHasher,
    users: Users,
    admin_user: User,
    admin_actor: Actor,
) -> None:
    other = users.add(Role.ADMIN)
    DeactivateUser(uow).execute(DeactivateUserRequest(admin_actor, other.id or 0))
    with pytest.raises(Conflict):
        UpdateUser(uow, hasher).execute(
            UpdateUserRequest(admin_actor, admin_user.id or 0, role=Role.VIEWER)
        )
    with pytest.raises(Conflict):
        DeactivateUser(uow).execute(DeactivateUserRequest(admin_actor, admin_user.id or 0))


def test_an_admin_may_step_down_while_another_active_admin_remains(
    uow: MemoryUnitOfWork,
    hasher: Argon2PasswordHasher,
    users: Users,
    admin_user: User,
    admin_actor: Actor,
) -> None:
    other = users.add(Role.ADMIN)
    UpdateUser(uow, hasher).execute(
        UpdateUserRequest(admin_actor, admin_user.id or 0, role=Role.ANALYST)
    )
    assert stored(uow, admin_user.id).role is Role.ANALYST
    other_actor = users.actor(other)
    with pytest.raises(Conflict):
        DeactivateUser(uow).execute(DeactivateUserRequest(other_actor, other.id or 0))


# -- DeactivateUser -----------------------------------------------------------------------------


def test_deactivate_user_keeps_the_user_inactive(
    uow: MemoryUnitOfWork, users: Users, admin_actor: Actor
) -> None:
    user = users.add(Role.ANALYST)
    DeactivateUser(uow).execute(DeactivateUserRequest(admin_actor, user.id or 0))
    saved = stored(uow, user.id)
    assert saved.is_active is False
    assert saved.token_version == user.token_version + 1
    assert (saved.email, saved.role) == (user.email, user.role)
    with pytest.raises(NotFound):
        DeactivateUser(uow).execute(DeactivateUserRequest(admin_actor, 9999))


@pytest.mark.parametrize("role", NON_ADMINS)
def test_only_admins_deactivate_users(uow: MemoryUnitOfWork, users: Users, role: Role) -> None:
    actor = users.actor(users.add(role))
    victim = users.add()
    with pytest.raises(Forbidden):
        DeactivateUser(uow).execute(DeactivateUserRequest(actor, victim.id or 0))
    assert stored(uow, victim.id).is_active is True
