"""Token revocation and login throttling behave the same on memory, SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest

from finance.application.auth.sessions import Session
from finance.application.ports import LoginThrottle
from finance.domain.roles import Role
from finance.domain.users import User
from tests.conftest import Store

T0 = datetime(2026, 5, 1, 12, 0, 0, 250000, tzinfo=UTC)


def test_a_token_is_revoked_once(any_store: Store) -> None:
    tokens = any_store.container().token_store()
    now = T0 - timedelta(minutes=1)
    assert tokens.is_revoked("a") is False
    assert tokens.revoke("a", T0, now) is True
    assert tokens.revoke("a", T0, now) is False
    assert tokens.is_revoked("a") is True
    assert tokens.is_revoked("b") is False
    assert tokens.revoke("b", T0 + timedelta(days=7), now) is True


def test_revoking_forgets_the_ids_of_tokens_expired_before_the_given_time(
    any_store: Store,
) -> None:
    tokens = any_store.container().token_store()
    tokens.revoke("expires-first", T0, T0 - timedelta(hours=1))
    tokens.revoke("expires-later", T0 + timedelta(hours=2), T0 - timedelta(hours=1))
    assert tokens.revoke("new", T0 + timedelta(hours=3), T0 + timedelta(seconds=1)) is True
    assert tokens.is_revoked("expires-first") is False
    assert tokens.is_revoked("expires-later") is True
    assert tokens.is_revoked("new") is True


def test_revocations_are_shared_by_every_container_on_the_same_storage(any_store: Store) -> None:
    if any_store.name == "memory":
        pytest.skip("the memory store lives in one container")
    any_store.container().token_store().revoke("shared", T0, T0 - timedelta(minutes=1))
    assert any_store.container().token_store().is_revoked("shared") is True


def test_attempts_are_reserved_per_key_up_to_the_limit_oldest_first(any_store: Store) -> None:
    throttle = any_store.container().login_throttle()
    since = T0 - timedelta(minutes=15)
    times = [T0 + timedelta(minutes=m) for m in (3, 0, 7)]
    answers = [throttle.reserve("ann@example.com", at, since, limit=3) for at in times]
    assert [a.reserved for a in answers] == [True, True, True]
    assert answers[-1].times == sorted(times)
    assert all(t.utcoffset() is not None for t in answers[-1].times)

    refused = throttle.reserve("ann@example.com", T0 + timedelta(minutes=8), since, limit=3)
    assert refused.reserved is False
    assert refused.times == sorted(times), "a refused attempt is not stored"
    assert throttle.reserve("bob@example.com", T0, since, limit=3).times == [T0]

    later = T0 + timedelta(minutes=1)
    strictly_after = throttle.reserve("ann@example.com", later, T0, limit=3)
    assert strictly_after.reserved is True
    assert strictly_after.times == [T0 + timedelta(minutes=m) for m in (1, 3, 7)], (
        "counted strictly after `since`"
    )


def test_attempts_older_than_a_day_are_forgotten(any_store: Store) -> None:
    throttle = any_store.container().login_throttle()
    long_ago = T0 - timedelta(days=2)
    throttle.reserve("ann@example.com", long_ago, long_ago - timedelta(minutes=1), limit=5)
    answer = throttle.reserve("ann@example.com", T0, long_ago - timedelta(days=1), limit=5)
    assert answer.times == [T0]


def test_clearing_one_key_leaves_the_others(any_store: Store) -> None:
    throttle = any_store.container().login_throttle()
    since = T0 - timedelta(minutes=1)
    throttle.reserve("ann@example.com", T0, since, limit=5)
    throttle.reserve("bob@example.com", T0, since, limit=5)
    throttle.clear("ann@example.com")
    throttle.clear("nobody@example.com")
    later = T0 + timedelta(seconds=1)
    assert throttle.reserve("ann@example.com", later, since, limit=5).times == [later]
    assert throttle.reserve("bob@example.com", later, since, limit=5).times == [T0, later]


def test_concurrent_reservations_never_pass_the_limit_across_containers(
    any_store: Store,
) -> None:
    """Sixteen attempts at once, from four containers (as from four workers): five pass."""
    containers = [any_store.container() for _ in range(4)]
    if any_store.name == "memory":
        containers = containers[:1]
    throttles: list[LoginThrottle] = [c.login_throttle() for c in containers]
    start = threading.Barrier(16)

    def attempt(n: int) -> bool:
        start.wait(timeout=10)
        at = T0 + timedelta(microseconds=n)
        since = T0 - timedelta(minutes=1)
        answer = throttles[n % len(throttles)].reserve("ann@example.com", at, since, limit=5)
        return answer.reserved

    with ThreadPoolExecutor(max_workers=16) as pool:
        reserved = list(pool.map(attempt, range(16)))
    assert reserved.count(True) == 5


def test_a_session_is_its_user_and_its_revocation_read_together(any_store: Store) -> None:
    container = any_store.container()
    with container.uow() as uow:
        user = uow.users.add(User("ann@example.com", "Ann", Role.ANALYST, "hash", T0))
        uow.commit()
    assert user.id is not None
    sessions = container.session_lookup()
    session = sessions.session(user.id, "live-token")
    assert session == Session(user, revoked=False)
    container.token_store().revoke("spent-token", T0 + timedelta(days=1), T0)
    assert sessions.session(user.id, "spent-token") == Session(user, revoked=True)
    assert sessions.session(user.id + 1, "live-token").user is None
