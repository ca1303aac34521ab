from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TypeVar

from finance.application.authorization import Actor, authorize
from finance.application.errors import ApplicationError
from finance.application.ports import Clock, UnitOfWork
from finance.domain.errors import InvalidValue
from finance.domain.money import Money
from finance.domain.records import (
    AuditAction,
    AuditEntry,
    Record,
    RecordType,
    clean_category,
    clean_description,
)
from finance.domain.roles import Permission
from finance.domain.users import User, normalize_email

REQUIRED_COLUMNS = ("date", "type", "category", "amount")
OPTIONAL_COLUMNS = ("description", "owner_id")
#: Columns of the export that an import accepts and ignores, so an export imports again as new
#: records; any other unknown column is refused, as it may be a misspelt optional one.
EXPORT_ONLY_COLUMNS = ("id", "created_by", "created_at")
MAX_REPORTED_ERRORS = 100
BATCH_SIZE = 2000
MAX_REMEMBERED = 50_000
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class RowError:
    line: int
    field: str
    message: str


class ImportRejected(ApplicationError):
    """At least one row is invalid, so nothing was imported."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__("The file has invalid rows; nothing was imported.")
        self.errors = errors


Rows = Iterable[tuple[int, Mapping[str | None, str | None]]]


@dataclass(frozen=True)
class ImportRecordsRequest:
    """``read`` returns the header's columns and the rows as (line number, {column: text}),
    the header being line 1; it is called only once the actor may import."""

    actor: Actor
    read: Callable[[], tuple[list[str], Rows]]
    default_owner_id: int | None = None


@dataclass
class _Errors:
    found: list[RowError] = field(default_factory=list)

    def add(self, line: int, name: str, message: str) -> None:
        if len(self.found) < MAX_REPORTED_ERRORS:
            self.found.append(RowError(line, name, message))


@dataclass
class _Known:
    """Cell texts already validated in this import, and what they parse to."""

    dates: dict[str, date] = field(default_factory=dict)
    types: dict[str, RecordType] = field(default_factory=dict)
    categories: dict[str, str] = field(default_factory=dict)
    amounts: dict[str, Money] = field(default_factory=dict)


class ImportRecords:
    """Admins import a CSV of records (date, type, category, amount, and optionally
    description and owner_id). All or nothing: every bad row is reported (the first 100) and
    nothing is stored; otherwise every row is stored with an ``imported`` audit entry."""

    def __init__(self, uow: UnitOfWork, clock: Clock, batch_size: int = BATCH_SIZE) -> None:
        self._uow = uow
        self._clock = clock
        self._batch_size = batch_size
        self._known = _Known()

    def execute(self, request: ImportRecordsRequest) -> int:
        actor = request.actor
        authorize(actor, Permission.WRITE_RECORDS)
        columns, rows = request.read()
        errors = _Errors()
        _check_header(columns, errors)
        if errors.found:
            raise ImportRejected(errors.found)
        now = self._clock.now()
        imported = 0
        self._known = _Known()
        with self._uow:
            owners: dict[int, bool] = {}
            default_owner = request.default_owner_id or actor.user_id
            self._check_owner(default_owner, owners, errors, line=1, name="owner_id")
            batch: list[Record] = []
            for line, row in rows:
                record = self._parse(line, row, default_owner, owners, errors, actor, now)
                if record is None or errors.found:
                    batch.clear()
                    continue
                batch.append(record)
                if len(batch) >= self._batch_size:
                    imported += self._store(batch, actor)
            if errors.found:
                raise ImportRejected(errors.found)
            imported += self._store(batch, actor)
            self._uow.commit()
        return imported

    def _store(self, batch: list[Record], actor: Actor) -> int:
        stored = self._uow.records.add_many(list(batch))
        self._uow.audit.add_many(
            [AuditEntry.of_creation(r, actor.user_id, AuditAction.IMPORTED) for r in stored]
        )
        batch.clear()
        return len(stored)

    def _check_owner(
        self, owner_id: int, owners: dict[int, bool], errors: _Errors, line: int, name: str
    ) -> bool:
        if owner_id not in owners:
            user = self._uow.users.get(owner_id)
            owners[owner_id] = user is not None and user.is_active
        if not owners[owner_id]:
            errors.add(line, name, "Must be the id of an active user.")
        return owners[owner_id]

    def _parse(
        self,
        line: int,
        row: Mapping[str | None, str | None],
        default_owner: int,
        owners: dict[int, bool],
        errors: _Errors,
        actor: Actor,
        now: datetime,
    ) -> Record | None:
        if row.get(None) is not None:
            errors.add(line, "_row", "Has more fields than the header.")
            return None
        count = len(errors.found)
        known = self._known
        when = _field(row, "date", _date, line, errors, True, known.dates)
        kind = _field(row, "type", _type, line, errors, True, known.types)
        category = _field(row, "category", clean_category, line, errors, True, known.categories)
        amount = _field(row, "amount", _amount, line, errors, True, known.amounts)
        description = _field(row, "description", clean_description, line, errors, False)
        owner_id = _field(row, "owner_id", _owner, line, errors, False) or default_owner
        if owner_id != default_owner:
            self._check_owner(owner_id, owners, errors, line, "owner_id")
        if len(errors.found) > count or None in (when, kind, category, amount):
            return None
        assert when and kind and category and amount
        return Record.create(
            amount=amount,
            type=kind,
            category=category,
            date=when,
            description=description or "",
            owner_id=owner_id,
            created_by=actor.user_id,
            now=now,
        )


T = TypeVar("T")


def _field(
    row: Mapping[str | None, str | None],
    name: str,
    parse: Callable[[str], T],
    line: int,
    errors: _Errors,
    required: bool = True,
    known: dict[str, T] | None = None,
) -> T | None:
    """The cell parsed, or None with its error noted. ``known`` remembers what valid texts
    parse to, so a value that repeats (a date, a category) is checked once per import."""
    text = row.get(name)
    if text is None:
        if required:
            errors.add(line, name, "Missing value.")
        return None
    if known is not None and text in known:
        return known[text]
    try:
        value = parse(text)
    except InvalidValue as error:
        errors.add(line, name, error.message)
        return None
    if known is not None and len(known) < MAX_REMEMBERED:
        known[text] = value
    return value


def _check_header(columns: list[str], errors: _Errors) -> None:
    known = set(REQUIRED_COLUMNS) | set(OPTIONAL_COLUMNS) | set(EXPORT_ONLY_COLUMNS)
    for name in REQUIRED_COLUMNS:
        if name not in columns:
            errors.add(1, name, "Missing column.")
    for name in columns:
        if name not in known:
            errors.add(1, name or "_header", "Unknown column.")
        elif columns.count(name) > 1:
            errors.add(1, name, "Repeated column.")


def _date(text: str) -> date:
    text = text.strip()
    try:
        if _ISO_DATE.match(text):
            return date.fromisoformat(text)
    except ValueError:
        pass
    raise InvalidValue("date", "Must be a date as YYYY-MM-DD.")


def _type(text: str) -> RecordType:
    try:
        return RecordType(text.strip().lower())
    except ValueError as error:
        raise InvalidValue("type", "Must be income or expense.") from error


def _amount(text: str) -> Money:
    return Money.parse(text.strip())


def _owner(text: str) -> int | None:
    text = text.strip()
    if not text:
        return None
    if not text.isdigit() or int(text) < 1 or int(text) > 2**63 - 1:
        raise InvalidValue("owner_id", "Must be a positive whole number.")
    return int(text)


@dataclass(frozen=True)
class ImportRecordsAsRequest:
    """The acting admin and the default owner named by email (no owner: the actor)."""

    actor_email: str
    read: Callable[[], tuple[list[str], Rows]]
    owner_email: str | None = None


class ImportRecordsAs:
    """Operators import a CSV from the command line in the name of an active admin, who is
    the actor of every ``imported`` audit entry; rows without an owner_id belong to the named
    owner. Otherwise the rules of the HTTP import hold: all or nothing."""

    def __init__(self, uow: UnitOfWork, clock: Clock, batch_size: int = BATCH_SIZE) -> None:
        self._uow = uow
        self._import = ImportRecords(uow, clock, batch_size)

    def execute(self, request: ImportRecordsAsRequest) -> int:
        with self._uow:
            actor = self._active_user(request.actor_email, "actor")
            owner = actor
            if request.owner_email is not None:
                owner = self._active_user(request.owner_email, "owner")
        assert actor.id is not None and owner.id is not None
        return self._import.execute(
            ImportRecordsRequest(Actor(actor.id, actor.role), request.read, owner.id)
        )

    def _active_user(self, email: str, name: str) -> User:
        user = self._uow.users.get_by_email(normalize_email(email))
        if user is None or not user.is_active:
            raise InvalidValue(name, f"No active user has the email {email!r}.")
        return user
