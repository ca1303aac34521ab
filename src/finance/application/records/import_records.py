from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Generic, TypeVar

from finance.application.authorization import Actor, authorize
from finance.application.errors import ApplicationError
from finance.application.ports import Clock, UnitOfWork
from finance.domain.errors import InvalidValue
from finance.domain.ids import parse_id
from finance.domain.money import Money
from finance.domain.records import (
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
MAX_REMEMBERED = 50_000
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


T = TypeVar("T")


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


class UnreadableRow(Exception):
    """Raised by the rows of a file that cannot be read past ``line`` (a cell too large to
    parse, say): the import reports it as that line's error and stores nothing."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(f"line {line}: {message}")
        self.line = line
        self.message = message


#: The rows of a CSV file as (line number, cells in the header's order); iterating may raise
#: ``UnreadableRow``.
Rows = Iterable[tuple[int, Sequence[str]]]


@dataclass(frozen=True)
class ImportRecordsRequest:
    """``read`` returns the header's columns and the rows, the header being line 1; it is
    called only once the actor may import."""

    actor: Actor
    read: Callable[[], tuple[list[str], Rows]]
    default_owner_id: int | None = None


@dataclass
class _Errors:
    found: list[RowError] = field(default_factory=list)

    def add(self, line: int, name: str, message: str) -> None:
        if len(self.found) < MAX_REPORTED_ERRORS:
            self.found.append(RowError(line, name, message))


class ImportRecords:
    """Admins import a CSV of records (date, type, category, amount, and optionally
    description and owner_id). All or nothing: every bad row is reported (the first 100) and
    nothing is stored; otherwise every row is stored with an ``imported`` audit entry."""

    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    def execute(self, request: ImportRecordsRequest) -> int:
        actor = request.actor
        authorize(actor, Permission.WRITE_RECORDS)
        try:
            columns, rows = request.read()
        except UnreadableRow as error:
            raise ImportRejected([RowError(error.line, "_row", error.message)]) from error
        errors = _Errors()
        _check_header(columns, errors)
        if errors.found:
            raise ImportRejected(errors.found)
        with self._uow:
            owners = _Owners(self._uow, errors)
            default_owner = request.default_owner_id or actor.user_id
            owners.check(default_owner, line=1)
            reader = _RowReader(columns, errors, owners, default_owner)
            made = reader.records(rows, created_by=actor.user_id, now=self._clock.now())
            try:
                imported = self._uow.records.import_all(made)
            except UnreadableRow as error:
                errors.add(error.line, "_row", error.message)
            if errors.found:
                raise ImportRejected(errors.found)
            self._uow.commit()
        return imported


class _Owners:
    """Which owner ids are those of active users, each looked up once."""

    def __init__(self, uow: UnitOfWork, errors: _Errors) -> None:
        self._uow = uow
        self._errors = errors
        self._active: dict[int, bool] = {}

    def check(self, owner_id: int, line: int) -> bool:
        if owner_id not in self._active:
            user = self._uow.users.get(owner_id)
            self._active[owner_id] = user is not None and user.is_active
        if not self._active[owner_id]:
            self._errors.add(line, "owner_id", "Must be the id of an active user.")
        return self._active[owner_id]


class _Column(Generic[T]):
    """One column of the file: where it is, how a cell is parsed, and, for values that repeat
    (a date, a category), what each text already seen parses to, so it is checked once."""

    def __init__(
        self,
        name: str,
        columns: list[str],
        parse: Callable[[str], T],
        errors: _Errors,
        required: bool = True,
        remember: bool = True,
    ) -> None:
        self.name = name
        self._required = required
        self._index = columns.index(name) if name in columns else None
        self._parse = parse
        self._errors = errors
        self._known: dict[str, T] | None = {} if remember else None

    def value(self, cells: Sequence[str], line: int) -> T | None:
        """The cell parsed, or None with its error noted (a missing optional cell is None)."""
        index = self._index
        if index is None or index >= len(cells):
            if self._required:
                self._errors.add(line, self.name, "Missing value.")
            return None
        text = cells[index]
        known = self._known
        if known is not None:
            value = known.get(text)
            if value is not None:
                return value
        try:
            value = self._parse(text)
        except InvalidValue as error:
            self._errors.add(line, self.name, error.message)
            return None
        if known is not None and len(known) < MAX_REMEMBERED:
            known[text] = value
        return value


class _RowReader:
    """Turns a row's cells into a new record through the domain's rules, noting each bad cell."""

    def __init__(
        self, columns: list[str], errors: _Errors, owners: _Owners, default_owner: int
    ) -> None:
        self._width = len(columns)
        self._errors = errors
        self._owners = owners
        self._default_owner = default_owner
        self._date = _Column("date", columns, _date, errors)
        self._type = _Column("type", columns, _type, errors)
        self._category = _Column("category", columns, clean_category, errors)
        self._amount = _Column("amount", columns, _amount, errors)
        self._description = _Column(
            "description", columns, clean_description, errors, required=False, remember=False
        )
        self._owner = _Column("owner_id", columns, _owner, errors, required=False)

    def records(self, rows: Rows, created_by: int, now: datetime) -> Iterator[Record]:
        """The rows as records, read as they are stored; after the first bad row the rest are
        only checked, so that every problem is reported, and nothing is stored."""
        errors = self._errors
        for line, cells in rows:
            record = self.record(line, cells, created_by, now)
            if record is not None and not errors.found:
                yield record

    def record(
        self, line: int, cells: Sequence[str], created_by: int, now: datetime
    ) -> Record | None:
        errors = self._errors
        if len(cells) > self._width:
            errors.add(line, "_row", "Has more fields than the header.")
            return None
        count = len(errors.found)
        when = self._date.value(cells, line)
        kind = self._type.value(cells, line)
        category = self._category.value(cells, line)
        amount = self._amount.value(cells, line)
        description = self._description.value(cells, line)
        owner_id = self._owner.value(cells, line) or self._default_owner
        if owner_id != self._default_owner:
            self._owners.check(owner_id, line)
        if when is None or kind is None or category is None or amount is None:
            return None
        if len(errors.found) > count:
            return None
        return Record(
            amount=amount,
            type=kind,
            category=category,
            date=when,
            description=description or "",
            owner_id=owner_id,
            created_by=created_by,
            created_at=now,
            updated_at=now,
        )


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
    return parse_id("owner_id", text) if text else None


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

    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self._uow = uow
        self._import = ImportRecords(uow, clock)

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
