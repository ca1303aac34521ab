"""Token revocation and login throttling behave the same on memory, SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

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


def test_login_failures_are_kept_per_key_oldest_first(any_store: Store) -> None:
    throttle = any_store.container().login_throttle()
    assert throttle.failures_since("ann@example.com", T0 - timedelta(hours=1)) == []
    times = [T0 + timedelta(minutes=m) for m in (3, 0, 7)]
    for at in times:
        throttle.record_failure("ann@example.com", at)
    throttle.record_failure("bob@example.com", T0)

    got = throttle.failures_since("ann@example.com", T0 - timedelta(seconds=1))
    assert got == sorted(times)
    assert all(t.utcoffset() is not None for t in got)
    assert throttle.failures_since("ann@example.com", T0) == sorted(times)[1:], "strictly after"
    assert throttle.failures_since("ann@example.com", T0 + timedelta(minutes=10)) == []
    assert throttle.failures_since("bob@example.com", T0 - timedelta(seconds=1)) == [T0]


def test_clearing_one_key_leaves_the_others(any_store: Store) -> None:
    throttle = any_store.container().login_throttle()
    throttle.record_failure("ann@example.com", T0)
    throttle.record_failure("bob@example.com", T0)
    throttle.clear("ann@example.com")
    throttle.clear("nobody@example.com")
    since = T0 - timedelta(minutes=1)
    assert throttle.failures_since("ann@example.com", since) == []
    assert throttle.failures_since("bob@example.com", since) == [T0]
