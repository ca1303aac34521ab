from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from math import ceil

from finance.application.errors import TooManyAttempts, Unauthenticated
from finance.application.ports import Clock, LoginThrottle, PasswordHasher, UnitOfWork
from finance.domain.users import User

MAX_FAILURES = 5
FAILURE_WINDOW = timedelta(minutes=15)


@dataclass(frozen=True)
class AuthenticateUserRequest:
    email: str
    password: str


class AuthenticateUser:
    """Sign in with email (any case) and password. A wrong email, a wrong password and an
    inactive account fail alike; after 5 failures for one email within 15 minutes further
    attempts are refused until the window has passed."""

    def __init__(
        self,
        uow: UnitOfWork,
        hasher: PasswordHasher,
        throttle: LoginThrottle,
        clock: Clock,
        max_failures: int = MAX_FAILURES,
        window: timedelta = FAILURE_WINDOW,
    ) -> None:
        self._uow = uow
        self._hasher = hasher
        self._throttle = throttle
        self._clock = clock
        self._max_failures = max_failures
        self._window = window

    def execute(self, request: AuthenticateUserRequest) -> User:
        key = request.email.strip().lower()
        now = self._clock.now()
        failures = self._throttle.failures_since(key, now - self._window)
        if len(failures) >= self._max_failures:
            frees_at = failures[len(failures) - self._max_failures] + self._window
            raise TooManyAttempts(
                "Too many failed login attempts. Try again later.",
                retry_after_seconds=max(1, ceil((frees_at - now).total_seconds())),
            )
        with self._uow:
            user = self._uow.users.get_by_email(key)
            # An unknown email still costs one verification, so timing does not reveal accounts.
            stored_hash = user.password_hash if user is not None else ""
            if not self._hasher.verify(stored_hash, request.password) or user is None:
                user = None
            elif self._hasher.needs_rehash(user.password_hash):
                user.rehash_password(self._hasher.hash(request.password))
                self._uow.users.save(user)
                self._uow.commit()
        if user is None or not user.is_active:
            self._throttle.record_failure(key, now)
            raise Unauthenticated("Invalid email or password.")
        self._throttle.clear(key)
        return user
