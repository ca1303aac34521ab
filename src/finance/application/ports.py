"""The ports the use cases need; adapters implement them, the container wires them."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from types import TracebackType
from typing import Protocol, Self

from finance.application.pagination import Page, PageRequest
from finance.application.records.filters import KeysetPosition, RecordQuery
from finance.domain.budgets import Budget
from finance.domain.records import AuditEntry, Record, RecordType
from finance.domain.roles import Role
from finance.domain.schedules import Schedule
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
        """Store a new user and return it with its id; ``Conflict`` if the email is taken."""
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


class RecordRepository(Protocol):
    def add(self, record: Record) -> Record:
        """Store a new record and return it with its id."""
        ...

    def add_many(self, records: list[Record]) -> list[Record]:
        """Store new records in bulk and return them with their ids, in order. Meant to be
        called again and again by one unit of work: an adapter may make a large load fast in
        ways that pay off only by the commit (deferring index upkeep, say)."""
        ...

    def get(self, record_id: int, *, for_update: bool = False) -> Record | None:
        """Any record, deleted or not; ``for_update`` locks it until the unit of work ends."""
        ...

    def save(self, record: Record) -> None:
        """Persist every field of a record that ``get`` returned."""
        ...

    def find_page(self, query: RecordQuery, page: PageRequest) -> Page[Record]:
        """One page in the query's order, with ``total``: exactly how many records the query
        matches, this unit of work's own writes included. A store may read it from totals it
        keeps in step with every write rather than count the records."""
        ...

    def find_after(
        self, query: RecordQuery, after: KeysetPosition | None, limit: int
    ) -> list[Record]:
        """Up to ``limit`` records that follow ``after`` in the query's order (keyset)."""
        ...


class AuditLog(Protocol):
    def add(self, entry: AuditEntry) -> None: ...

    def add_many(self, entries: list[AuditEntry]) -> None:
        """Store entries in bulk (an import's, say)."""
        ...

    def for_record(self, record_id: int) -> list[AuditEntry]:
        """Entries oldest first."""
        ...


@dataclass(frozen=True)
class IdempotentResult:
    """What an earlier request with the same key did: its body's fingerprint and its record."""

    fingerprint: str
    record: Record | None


class IdempotencyStore(Protocol):
    def get(self, user_id: int, key: str, since: datetime) -> IdempotentResult | None:
        """The result stored for the key after ``since``, if any."""
        ...

    def reserve(
        self, user_id: int, key: str, fingerprint: str, now: datetime, since: datetime
    ) -> bool:
        """Claim the key (dropping a claim older than ``since``); False if another request holds
        it, after waiting for that request's transaction to end."""
        ...

    def complete(self, user_id: int, key: str, record: Record) -> None:
        """Store the created record as the key's answer."""
        ...


@dataclass(frozen=True)
class BudgetQuery:
    owner_id: int | None = None
    category_key: str | None = None
    #: Only the budgets in force that month (its first day).
    month: date | None = None


class BudgetRepository(Protocol):
    def add(self, budget: Budget) -> Budget: ...

    def get(self, budget_id: int, *, for_update: bool = False) -> Budget | None: ...

    def save(self, budget: Budget) -> None: ...

    def remove(self, budget_id: int) -> None: ...

    def find(self, query: BudgetQuery, page: PageRequest) -> Page[Budget]:
        """Oldest first (by id), with the total count."""
        ...

    def overlapping(self, budget: Budget) -> list[Budget]:
        """The owner's other budgets of the budget's category (any case) whose months meet
        its months. The owner's budgets of that category stay locked against concurrent
        writers until the unit of work ends, so two overlapping budgets cannot both be
        stored."""
        ...

    def in_force(self, owner_id: int | None, month: date) -> list[Budget]:
        """The budgets in force in ``month`` (of one owner, or of everyone), oldest first."""
        ...


@dataclass(frozen=True)
class ScheduleQuery:
    owner_id: int | None = None
    type: RecordType | None = None
    category_key: str | None = None
    active: bool | None = None


class ScheduleRepository(Protocol):
    def add(self, schedule: Schedule) -> Schedule: ...

    def get(self, schedule_id: int, *, for_update: bool = False) -> Schedule | None:
        """``for_update`` locks it until the unit of work ends (a run holds it)."""
        ...

    def save(self, schedule: Schedule) -> None: ...

    def find(self, query: ScheduleQuery, page: PageRequest) -> Page[Schedule]:
        """Oldest first (by id), with the total count."""
        ...

    def active(self, owner_id: int | None = None) -> list[Schedule]:
        """Every active schedule (of one owner, or of everyone), oldest first."""
        ...

    def occurred(self, schedule_id: int, when: date, record_id: int) -> bool:
        """Note that the occurrence on ``when`` made ``record_id``; False, noting nothing, if
        that occurrence was made already (each is made exactly once, whoever runs it)."""
        ...


class Transaction(Protocol):
    """One transaction: every change made in it commits together, or none does."""

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    def commit(self) -> None: ...


class UnitOfWork(Transaction, Protocol):
    """The repositories of one transaction (read-only members, so that an adapter's own
    repository classes fit them)."""

    @property
    def users(self) -> UserRepository: ...

    @property
    def records(self) -> RecordRepository: ...

    @property
    def audit(self) -> AuditLog: ...

    @property
    def idempotency(self) -> IdempotencyStore: ...

    @property
    def budgets(self) -> BudgetRepository: ...

    @property
    def schedules(self) -> ScheduleRepository: ...


class OpenRecords(Iterator[Record], Protocol):
    def close(self) -> None:
        """End the read early; the end of the records ends it too."""
        ...


class RecordStream(Protocol):
    def read(self, query: RecordQuery) -> OpenRecords:
        """Every record of the query in its order. The query runs now, so a failure shows here;
        the records are then read as the caller iterates, from a server-side cursor in a read
        transaction of its own that lasts until they end or are closed."""
        ...


class TokenStore(Protocol):
    """Revoked token ids, shared by every worker and instance."""

    def revoke(self, jti: str, expires_at: datetime, forget_before: datetime) -> bool:
        """Mark ``jti`` revoked; False if it already was (so a refresh token is used once).
        The ids of tokens that expired before ``forget_before`` are dropped."""
        ...

    def is_revoked(self, jti: str) -> bool: ...


@dataclass(frozen=True)
class LoginAttempts:
    """The answer to a reservation: whether the attempt was stored and may go on, and the
    attempts stored in the window, oldest first (this one included when it was reserved)."""

    reserved: bool
    times: list[datetime]


class LoginThrottle(Protocol):
    """Login attempts per email, shared by every worker and instance. An attempt is stored
    before its password is checked and stays as a failure unless the sign-in succeeds."""

    def reserve(self, key: str, at: datetime, since: datetime, limit: int) -> LoginAttempts:
        """Atomically, whatever runs at the same time in any process: when fewer than
        ``limit`` attempts for ``key`` are stored after ``since``, store one at ``at``;
        otherwise store nothing. Attempts older than a day are forgotten."""
        ...

    def clear(self, key: str) -> None:
        """Forget every attempt for ``key`` (a successful sign-in)."""
        ...


class HealthProbe(Protocol):
    def database_ok(self) -> bool: ...


class Progress(Protocol):
    """Where long work (an import, demo data, checking the totals) says how far it has got."""

    def begin(self, stage: str, total: int | None) -> None:
        """A stage of ``total`` units (rows, records; None: not known) starts."""
        ...

    def advance(self, done: int) -> None:
        """``done`` more units of the stage are finished."""
        ...


class NoProgress:
    """Progress nobody watches: under HTTP, in tests."""

    def begin(self, stage: str, total: int | None) -> None:
        return None

    def advance(self, done: int) -> None:
        return None
