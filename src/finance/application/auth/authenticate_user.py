from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from math import ceil

from finance.application.errors import TooManyAttempts, Unauthenticated
from finance.application.ports import Clock, LoginThrottle, PasswordHasher, UnitOfWork
from finance.domain.text import check_storable
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
    attempts are refused until the window has passed. Each attempt is counted before its
    password is checked, so concurrent attempts never check more than 5 passwords; the check
    itself runs with no transaction open."""

    def __init__(
        self,
        read_uow: UnitOfWork,
        uow: UnitOfWork,
        hasher: PasswordHasher,
        throttle: LoginThrottle,
        clock: Clock,
        max_failures: int = MAX_FAILURES,
        window: timedelta = FAILURE_WINDOW,
    ) -> None:
        self._read_uow = read_uow
        self._uow = uow
        self._hasher = hasher
        self._throttle = throttle
        self._clock = clock
        self._max_failures = max_failures
        self._window = window

    def execute(self, request: AuthenticateUserRequest) -> User:
        key = check_storable("email", request.email).strip().lower()
        check_storable("password", request.password)
        now = self._clock.now()
        attempts = self._throttle.reserve(key, now, now - self._window, self._max_failures)
        if not attempts.reserved:
            frees_at = attempts.times[len(attempts.times) - self._max_failures] + self._window
            raise TooManyAttempts(
                "Too many failed login attempts. Try again later.",
                retry_after_seconds=max(1, ceil((frees_at - now).total_seconds())),
            )
        with self._read_uow:
            user = self._read_uow.users.get_by_email(key)
        # An unknown email still costs one verification, so timing does not reveal accounts.
        stored_hash = user.password_hash if user is not None else ""
        verified = self._hasher.verify(stored_hash, request.password)
        if user is None or not verified or not user.is_active:
            raise Unauthenticated("Invalid email or password.")
        self._throttle.clear(key)
        if self._hasher.needs_rehash(user.password_hash):
            self._rehash(user, request.password)
        return user

    def _rehash(self, user: User, password: str) -> None:
        """Same password, stronger parameters; skipped if the password changed meanwhile."""
        new_hash = self._hasher.hash(password)
        assert user.id is not None
        with self._uow:
            stored = self._uow.users.get(user.id)
            if stored is not None and stored.password_hash == user.password_hash:
                stored.rehash_password(new_hash)
                self._uow.users.save(stored)
                self._uow.commit()
                user.rehash_password(new_hash)
