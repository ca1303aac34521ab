"""Token revocation and login throttling kept in process memory."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from finance.adapters.memory.store import MemoryStore
from finance.application.auth.sessions import Session
from finance.application.ports import LoginAttempts

KEEP_ATTEMPTS = timedelta(days=1)


class MemoryTokenStore:
    def __init__(self, store: MemoryStore) -> None:
        self._store = store

    def revoke(self, jti: str, expires_at: datetime, forget_before: datetime) -> bool:
        with self._store.lock:
            revoked = self._store.revoked_tokens
            for expired in [j for j, at in revoked.items() if at < forget_before]:
                del revoked[expired]
            if jti in revoked:
                return False
            revoked[jti] = expires_at
            return True

    def is_revoked(self, jti: str) -> bool:
        with self._store.lock:
            return jti in self._store.revoked_tokens


class MemorySessionLookup:
    def __init__(self, store: MemoryStore) -> None:
        self._store = store

    def session(self, user_id: int, jti: str) -> Session:
        with self._store.lock:
            user = self._store.users.get(user_id)
            return Session(replace(user) if user else None, jti in self._store.revoked_tokens)


class MemoryLoginThrottle:
    def __init__(self, store: MemoryStore) -> None:
        self._store = store

    def reserve(self, key: str, at: datetime, since: datetime, limit: int) -> LoginAttempts:
        with self._store.lock:
            stored = self._store.login_failures.setdefault(key, [])
            stored[:] = [t for t in stored if t >= at - KEEP_ATTEMPTS]
            times = sorted(t for t in stored if t > since)
            if len(times) >= limit:
                return LoginAttempts(False, times)
            stored.append(at)
            return LoginAttempts(True, sorted([*times, at]))

    def clear(self, key: str) -> None:
        with self._store.lock:
            self._store.login_failures.pop(key, None)


class MemoryHealthProbe:
    def database_ok(self) -> bool:
        return True
