"""The domain's rules for users and roles, which every entrypoint gets."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from finance.domain.errors import InvalidValue
from finance.domain.roles import Permission, Role, role_allows
from finance.domain.users import User, check_password_policy, clean_name, normalize_email


def make_user(role: Role = Role.VIEWER, is_active: bool = True) -> User:
    return User(
        email="someone@example.com",
        name="Someone",
        role=role,
        password_hash="hash",
        date_joined=datetime(2026, 1, 1, tzinfo=UTC),
        is_active=is_active,
        id=7,
    )


@pytest.mark.parametrize(
    ("raw", "normalized"),
    [
        ("Alice@Example.COM", "alice@example.com"),
        ("  bob@example.com\t", "bob@example.com"),
        ("carol@sub.example.org", "carol@sub.example.org"),
    ],
)
def test_emails_are_trimmed_and_lower_cased(raw: str, normalized: str) -> None:
    assert normalize_email(raw) == normalized


@pytest.mark.parametrize(
    "raw", ["", "   ", "no-at-sign", "two@@example.com", "a b@example.com", "x@nodot", "@a.b"]
)
def test_malformed_emails_are_refused(raw: str) -> None:
    with pytest.raises(InvalidValue) as error:
        normalize_email(raw)
    assert error.value.field == "email"


def test_overlong_email_is_refused() -> None:
    with pytest.raises(InvalidValue):
        normalize_email("a" * 250 + "@example.com")


def test_names_are_trimmed_and_must_not_be_blank() -> None:
    assert clean_name("  Ada Lovelace ") == "Ada Lovelace"
    with pytest.raises(InvalidValue) as error:
        clean_name("   ")
    assert error.value.field == "name"
    with pytest.raises(InvalidValue):
        clean_name("x" * 151)


@pytest.mark.parametrize(
    "password",
    [
        "short1",  # under 8 characters
        "1234567",
        "12345678",  # all digits
        "98765432109876",
        "ada@example.com",  # the email itself
        "ADA@EXAMPLE.COM",
        " ada@example.com ",
        "x" * 257,
    ],
)
def test_password_policy_refuses_weak_passwords(password: str) -> None:
    with pytest.raises(InvalidValue) as error:
        check_password_policy(password, "ada@example.com")
    assert error.value.field == "password"


@pytest.mark.parametrize("password", ["abcdefgh", "1234567a", "ada@example.co", "x" * 256])
def test_password_policy_accepts_reasonable_passwords(password: str) -> None:
    check_password_policy(password, "ada@example.com")


def test_role_change_and_deactivation_end_sessions() -> None:
    user = make_user()
    user.change_role(Role.VIEWER)
    assert user.token_version == 1, "the same role again changes nothing"
    user.change_role(Role.ANALYST)
    assert (user.role, user.token_version) == (Role.ANALYST, 2)
    user.deactivate()
    assert (user.is_active, user.token_version) == (False, 3)
    user.deactivate()
    assert user.token_version == 3
    user.activate()
    assert (user.is_active, user.token_version) == (True, 3)


def test_new_password_ends_sessions_but_a_rehash_does_not() -> None:
    user = make_user()
    user.set_password_hash("new")
    assert (user.password_hash, user.token_version) == ("new", 2)
    user.rehash_password("stronger")
    assert (user.password_hash, user.token_version) == ("stronger", 2)


def test_rename_applies_name_rules() -> None:
    user = make_user()
    user.rename("  New Name ")
    assert user.name == "New Name"
    with pytest.raises(InvalidValue):
        user.rename(" ")
    assert user.name == "New Name"


@pytest.mark.parametrize(
    ("role", "is_active", "expected"),
    [
        (Role.VIEWER, None, True),
        (Role.ANALYST, None, True),
        (Role.ADMIN, None, False),
        (None, False, True),
        (None, True, False),
        (None, None, False),
        (Role.ADMIN, False, True),
    ],
)
def test_an_active_admin_knows_which_changes_remove_admin_rights(
    role: Role | None, is_active: bool | None, expected: bool
) -> None:
    assert make_user(Role.ADMIN).would_stop_being_admin(role, is_active) is expected


def test_changes_to_non_admins_never_remove_admin_rights() -> None:
    assert not make_user(Role.VIEWER).would_stop_being_admin(Role.VIEWER, False)
    assert not make_user(Role.ADMIN, is_active=False).would_stop_being_admin(Role.VIEWER, False)


ROLE_TABLE = {
    Role.VIEWER: {Permission.READ_OWN_RECORDS, Permission.EXPORT_OWN_RECORDS},
    Role.ANALYST: {
        Permission.READ_OWN_RECORDS,
        Permission.EXPORT_OWN_RECORDS,
        Permission.VIEW_OWN_DASHBOARD,
    },
    Role.ADMIN: set(Permission),
}


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("permission", list(Permission))
def test_role_policy_matches_the_roles_table(role: Role, permission: Permission) -> None:
    assert role_allows(role, permission) is (permission in ROLE_TABLE[role])


def test_only_admins_manage_users_or_write_records() -> None:
    for permission in (Permission.MANAGE_USERS, Permission.WRITE_RECORDS):
        assert [r for r in Role if role_allows(r, permission)] == [Role.ADMIN]
