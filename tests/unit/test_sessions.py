"""Signing in (with throttling), changing one's password, and the sessions tokens stand for."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from finance.adapters.memory.sessions import (
    MemoryLoginThrottle,
    MemorySessionLookup,
    MemoryTokenStore,
)
from finance.adapters.memory.unit_of_work import MemoryUnitOfWork
from finance.adapters.security import Argon2PasswordHasher
from finance.application.auth.authenticate_user import AuthenticateUser, AuthenticateUserRequest
from finance.application.auth.change_password import ChangePassword, ChangePasswordRequest
from finance.application.auth.current_user import GetCurrentUser
from finance.application.auth.sessions import (
    Logout,
    LogoutRequest,
    RefreshSession,
    ResolveSession,
    TokenClaims,
)
from finance.application.authorization import Actor
from finance.application.errors import TooManyAttempts, Unauthenticated, Unavailable
from finance.application.operations.check_health import CheckHealth
from finance.application.users.deactivate_user import DeactivateUser, DeactivateUserRequest
from finance.application.users.update_user import UpdateUser, UpdateUserRequest
from finance.domain.errors import InvalidValue
from finance.domain.roles import Role
from finance.domain.users import User
from tests.conftest import PASSWORD
from tests.unit.conftest import FakeClock, Users, stored


@pytest.fixture
def authenticate(
    uow: MemoryUnitOfWork,
    hasher: Argon2PasswordHasher,
    throttle: MemoryLoginThrottle,
    clock: FakeClock,
) -> AuthenticateUser:
    return AuthenticateUser(uow, uow, hasher, throttle, clock)


def sign_in(authenticate: AuthenticateUser, email: str, password: str = PASSWORD) -> User:
    return authenticate.execute(AuthenticateUserRequest(email, password))


def fail(authenticate: AuthenticateUser, email: str, times: int) -> None:
    for _ in range(times):
        with pytest.raises(Unauthenticated):
            sign_in(authenticate, email, "wrong-password")


# -- AuthenticateUser ---------------------------------------------------------------------------


def test_sign_in_with_any_case_of_the_email(authenticate: AuthenticateUser, users: Users) -> None:
    user = users.add(Role.ANALYST, email="ann@example.com")
    assert sign_in(authenticate, "  ANN@Example.com ").id == user.id


def test_wrong_email_wrong_password_and_inactive_account_fail_alike(
    authenticate: AuthenticateUser, users: Users, uow: MemoryUnitOfWork, admin_actor: Actor
) -> None:
    user = users.add(email="ann@example.com")
    DeactivateUser(uow).execute(DeactivateUserRequest(admin_actor, user.id or 0))
    messages = set()
    for email, password in [
        ("nobody@example.com", PASSWORD),
        ("admin@example.com", "wrong-password"),
        ("ann@example.com", PASSWORD),
    ]:
        with pytest.raises(Unauthenticated) as error:
            sign_in(authenticate, email, password)
        messages.add(error.value.message)
    assert len(messages) == 1


class CountingHasher:
    def __init__(self, inner: Argon2PasswordHasher) -> None:
        self.inner = inner
        self.verified = 0

    def hash(self, password: str) -> str:
        return self.inner.hash(password)

    def verify(self, password_hash: str, password: str) -> bool:
        self.verified += 1
        return self.inner.verify(password_hash, password)

    def needs_rehash(self, password_hash: str) -> bool:
        return self.inner.needs_rehash(password_hash)


def test_an_unknown_email_costs_a_password_check_like_a_known_one(
    uow: MemoryUnitOfWork,
    hasher: Argon2PasswordHasher,
    throttle: MemoryLoginThrottle,
    clock: FakeClock,
    admin_user: User,
) -> None:
    counting = CountingHasher(hasher)
    authenticate = AuthenticateUser(uow, uow, counting, throttle, clock)
    with pytest.raises(Unauthenticated):
        sign_in(authenticate, "nobody@example.com")
    assert counting.verified == 1


def test_a_weaker_hash_is_upgraded_at_sign_in_without_ending_sessions(
    uow: MemoryUnitOfWork,
    throttle: MemoryLoginThrottle,
    clock: FakeClock,
    users: Users,
) -> None:
    user = users.add(email="ann@example.com")
    stronger = Argon2PasswordHasher(time_cost=2, memory_cost=128)
    AuthenticateUser(uow, uow, stronger, throttle, clock).execute(
        AuthenticateUserRequest("ann@example.com", PASSWORD)
    )
    saved = stored(uow, user.id)
    assert saved.password_hash != user.password_hash
    assert not stronger.needs_rehash(saved.password_hash)
    assert stronger.verify(saved.password_hash, PASSWORD)
    assert saved.token_version == user.token_version


def test_five_failures_throttle_the_email_until_the_window_passes(
    authenticate: AuthenticateUser, clock: FakeClock, admin_user: User
) -> None:
    fail(authenticate, "admin@example.com", 4)
    clock.advance(minutes=5)
    fail(authenticate, "ADMIN@example.com", 1)
    clock.advance(minutes=1)
    with pytest.raises(TooManyAttempts) as error:
        sign_in(authenticate, "admin@example.com")  # the right password, refused all the same
    # The first failure was 6 minutes ago: it leaves the 15-minute window in 9 minutes.
    assert error.value.retry_after_seconds == 9 * 60
    clock.advance(minutes=9, seconds=-1)
    with pytest.raises(TooManyAttempts) as error:
        sign_in(authenticate, "admin@example.com")
    assert error.value.retry_after_seconds == 1
    clock.advance(seconds=1)
    assert sign_in(authenticate, "admin@example.com").id == admin_user.id


def test_throttling_is_per_email(
    authenticate: AuthenticateUser, users: Users, admin_user: User
) -> None:
    users.add(email="ann@example.com")
    fail(authenticate, "admin@example.com", 5)
    with pytest.raises(TooManyAttempts):
        sign_in(authenticate, "admin@example.com")
    assert sign_in(authenticate, "ann@example.com").email == "ann@example.com"


def test_unknown_emails_are_throttled_too(authenticate: AuthenticateUser) -> None:
    fail(authenticate, "nobody@example.com", 5)
    with pytest.raises(TooManyAttempts):
        sign_in(authenticate, "nobody@example.com")


def test_a_successful_sign_in_forgets_earlier_failures(
    authenticate: AuthenticateUser, admin_user: User
) -> None:
    fail(authenticate, "admin@example.com", 4)
    sign_in(authenticate, "admin@example.com")
    fail(authenticate, "admin@example.com", 4)
    assert sign_in(authenticate, "admin@example.com").id == admin_user.id


def test_old_failures_fall_out_of_the_window(
    authenticate: AuthenticateUser, clock: FakeClock, admin_user: User
) -> None:
    fail(authenticate, "admin@example.com", 4)
    clock.advance(minutes=15, seconds=1)
    fail(authenticate, "admin@example.com", 4)
    assert sign_in(authenticate, "admin@example.com").id == admin_user.id


# -- sessions -----------------------------------------------------------------------------------


def claims_for(user: User, clock: FakeClock, jti: str = "jti-1") -> TokenClaims:
    assert user.id is not None
    return TokenClaims(user.id, user.token_version, jti, clock.now() + timedelta(minutes=15))


def test_resolve_session_gives_the_actor_with_the_current_role(
    sessions: MemorySessionLookup,
    uow: MemoryUnitOfWork,
    tokens: MemoryTokenStore,
    clock: FakeClock,
    users: Users,
) -> None:
    user = users.add(Role.ANALYST)
    actor = ResolveSession(sessions).execute(claims_for(user, clock))
    assert actor == Actor(user.id or 0, Role.ANALYST)


def test_resolve_session_refuses_a_revoked_token(
    sessions: MemorySessionLookup,
    uow: MemoryUnitOfWork,
    tokens: MemoryTokenStore,
    clock: FakeClock,
    users: Users,
) -> None:
    user = users.add()
    claims = claims_for(user, clock)
    tokens.revoke(claims.jti, claims.expires_at, clock.now())
    with pytest.raises(Unauthenticated):
        ResolveSession(sessions).execute(claims)


def test_resolve_session_refuses_tokens_of_unknown_users(
    sessions: MemorySessionLookup, uow: MemoryUnitOfWork, tokens: MemoryTokenStore, clock: FakeClock
) -> None:
    with pytest.raises(Unauthenticated):
        ResolveSession(sessions).execute(
            TokenClaims(999, 1, "jti", clock.now() + timedelta(minutes=1))
        )


@pytest.mark.parametrize(
    "change",
    [{"role": Role.ANALYST}, {"is_active": False}, {"password": "another-password"}],
)
def test_tokens_issued_before_a_role_status_or_password_change_stop_working(
    sessions: MemorySessionLookup,
    uow: MemoryUnitOfWork,
    tokens: MemoryTokenStore,
    hasher: Argon2PasswordHasher,
    clock: FakeClock,
    users: Users,
    admin_actor: Actor,
    change: dict[str, object],
) -> None:
    user = users.add(Role.VIEWER)
    claims = claims_for(user, clock)
    UpdateUser(uow, hasher).execute(
        UpdateUserRequest(admin_actor, user.id or 0, **change)  # type: ignore[arg-type]
    )
    with pytest.raises(Unauthenticated):
        ResolveSession(sessions).execute(claims)
    with pytest.raises(Unauthenticated):
        RefreshSession(uow, tokens, clock).execute(claims)


def test_a_rename_keeps_sessions(
    sessions: MemorySessionLookup,
    uow: MemoryUnitOfWork,
    tokens: MemoryTokenStore,
    hasher: Argon2PasswordHasher,
    clock: FakeClock,
    users: Users,
    admin_actor: Actor,
) -> None:
    user = users.add()
    UpdateUser(uow, hasher).execute(UpdateUserRequest(admin_actor, user.id or 0, name="New"))
    assert ResolveSession(sessions).execute(claims_for(user, clock)).user_id == user.id


def test_a_refresh_token_refreshes_once(
    uow: MemoryUnitOfWork, tokens: MemoryTokenStore, clock: FakeClock, users: Users
) -> None:
    user = users.add()
    claims = claims_for(user, clock)
    assert RefreshSession(uow, tokens, clock).execute(claims).id == user.id
    assert tokens.is_revoked(claims.jti)
    with pytest.raises(Unauthenticated):
        RefreshSession(uow, tokens, clock).execute(claims)


def test_a_spent_refresh_token_stays_spent_just_after_it_expires(
    uow: MemoryUnitOfWork, tokens: MemoryTokenStore, clock: FakeClock, users: Users
) -> None:
    user = users.add()
    claims = replace(claims_for(user, clock), expires_at=clock.now() + timedelta(seconds=1))
    RefreshSession(uow, tokens, clock).execute(claims)
    clock.advance(seconds=5)
    with pytest.raises(Unauthenticated):
        RefreshSession(uow, tokens, clock).execute(claims)
    clock.advance(hours=2)
    later = claims_for(user, clock, jti="jti-2")
    Logout(tokens, clock).execute(LogoutRequest(users.actor(user), (later,)))
    assert not tokens.is_revoked(claims.jti)


def test_refresh_refuses_an_inactive_user_and_does_not_spend_the_token(
    uow: MemoryUnitOfWork,
    tokens: MemoryTokenStore,
    clock: FakeClock,
    users: Users,
    admin_actor: Actor,
) -> None:
    user = users.add()
    DeactivateUser(uow).execute(DeactivateUserRequest(admin_actor, user.id or 0))
    with pytest.raises(Unauthenticated):
        RefreshSession(uow, tokens, clock).execute(
            TokenClaims(user.id or 0, user.token_version + 1, "jti", clock.now())
        )
    assert not tokens.is_revoked("jti")


def test_logout_revokes_every_given_token(
    tokens: MemoryTokenStore, clock: FakeClock, users: Users
) -> None:
    user = users.add()
    access, refresh = claims_for(user, clock, "access"), claims_for(user, clock, "refresh")
    Logout(tokens, clock).execute(LogoutRequest(users.actor(user), (access, refresh)))
    assert tokens.is_revoked("access") and tokens.is_revoked("refresh")


def test_logout_refuses_someone_elses_token_and_revokes_nothing(
    tokens: MemoryTokenStore, clock: FakeClock, users: Users
) -> None:
    user, other = users.add(), users.add()
    mine, theirs = claims_for(user, clock, "mine"), claims_for(other, clock, "theirs")
    with pytest.raises(InvalidValue):
        Logout(tokens, clock).execute(LogoutRequest(users.actor(user), (mine, theirs)))
    assert not tokens.is_revoked("mine") and not tokens.is_revoked("theirs")


def test_get_current_user(uow: MemoryUnitOfWork, users: Users) -> None:
    user = users.add(Role.ANALYST, name="Ann")
    assert GetCurrentUser(uow).execute(users.actor(user)) == user
    with pytest.raises(Unauthenticated):
        GetCurrentUser(uow).execute(Actor(999, Role.ADMIN))


# -- ChangePassword -----------------------------------------------------------------------------


def test_change_password(
    uow: MemoryUnitOfWork,
    hasher: Argon2PasswordHasher,
    authenticate: AuthenticateUser,
    users: Users,
) -> None:
    user = users.add(email="ann@example.com")
    ChangePassword(uow, uow, hasher).execute(
        ChangePasswordRequest(users.actor(user), PASSWORD, "a-brand-new-one")
    )
    assert stored(uow, user.id).token_version == user.token_version + 1
    with pytest.raises(Unauthenticated):
        sign_in(authenticate, "ann@example.com")
    assert sign_in(authenticate, "ann@example.com", "a-brand-new-one").id == user.id


@pytest.mark.parametrize(
    ("current", "new", "field"),
    [
        ("not-my-password", "a-brand-new-one", "current_password"),
        (PASSWORD, "short", "new_password"),
        (PASSWORD, "1234567890", "new_password"),
        (PASSWORD, "ANN@example.com", "new_password"),
    ],
)
def test_change_password_refusals_leave_the_password_alone(
    uow: MemoryUnitOfWork,
    hasher: Argon2PasswordHasher,
    users: Users,
    current: str,
    new: str,
    field: str,
) -> None:
    user = users.add(email="ann@example.com")
    with pytest.raises(InvalidValue) as error:
        ChangePassword(uow, uow, hasher).execute(
            ChangePasswordRequest(users.actor(user), current, new)
        )
    assert error.value.field == field
    assert stored(uow, user.id) == user


def test_an_inactive_user_cannot_change_their_password(
    uow: MemoryUnitOfWork, hasher: Argon2PasswordHasher, users: Users, admin_actor: Actor
) -> None:
    user = users.add()
    DeactivateUser(uow).execute(DeactivateUserRequest(admin_actor, user.id or 0))
    with pytest.raises(Unauthenticated):
        ChangePassword(uow, uow, hasher).execute(
            ChangePasswordRequest(users.actor(user), PASSWORD, "a-brand-new-one")
        )


# -- CheckHealth --------------------------------------------------------------------------------


class Probe:
    def __init__(self, ok: bool) -> None:
        self.ok = ok

    def database_ok(self) -> bool:
        return self.ok


def test_check_health() -> None:
    CheckHealth(Probe(True)).execute()
    with pytest.raises(Unavailable):
        CheckHealth(Probe(False)).execute()
