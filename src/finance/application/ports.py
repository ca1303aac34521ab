"""The ports the use cases need; adapters implement them, the container wires them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import Protocol

from finance.application.pagination import Page, PageRequest
from finance.domain.roles import Role
from finance.domain.users import User


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware in UTC."""
        ...


class PasswordHasher(Protocol):
    def hash(self, password: str) -> str: ...

    def verify(self, password_hash: str, password: str) -> bool: ...

    def needs_rehash(self, password_hash: str) -> bool: ...


@dataclass(frozen=True)
class UserQuery:
    role: Role | None = None
    is_active: bool | None = None
    text: str | None = None


class UserRepository(Protocol):
    def add(self, user: User) -> User:
        """Store a new user and return it with its id."""
        ...

    def get(self, user_id: int) -> User | None: ...

    def get_by_email(self, email: str) -> User | None:
        """Look up by normalized email."""
        ...

    def save(self, user: User) -> None:
        """Persist every field of a user that ``get`` returned."""
        ...

    def find(self, query: UserQuery, page: PageRequest) -> Page[User]: ...

    def active_admin_ids(self) -> list[int]:
        """Ids of active admins, locked against concurrent change until the unit of work ends."""
        ...

    def any_admin(self) -> bool: ...


class UnitOfWork(Protocol):
    """One transaction: every repository change commits together, or none does."""

    users: UserRepository

    def __enter__(self) -> UnitOfWork: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    def commit(self) -> None: ...


class TokenStore(Protocol):
    """Revoked token ids, shared by every worker and instance."""

    def revoke(self, jti: str, expires_at: datetime) -> bool:
        """Mark ``jti`` revoked; False if it already was (so a refresh token is used once)."""
        ...

    def is_revoked(self, jti: str) -> bool: ...


class LoginThrottle(Protocol):
    """Failed login attempts per email, shared by every worker and instance."""

    def record_failure(self, key: str, at: datetime) -> None: ...

    def failures_since(self, key: str, since: datetime) -> list[datetime]:
        """The failure times for ``key`` after ``since``, oldest first."""
        ...

    def clear(self, key: str) -> None: ...


class HealthProbe(Protocol):
    def database_ok(self) -> bool: ...
