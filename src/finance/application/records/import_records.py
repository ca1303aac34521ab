from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from itertools import islice
from typing import TypeVar

from finance.application.authorization import Actor, authorize
from finance.application.errors import ImportRejected, RowError, UnreadableRow
from finance.application.ports import Clock, NoProgress, Progress, UnitOfWork
from finance.domain.errors import InvalidValue
from finance.domain.ids import parse_id
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

REQUIRED_COLUMNS = ("date", "type", "category", "amount")
OPTIONAL_COLUMNS = ("description", "owner_id")
#: Columns of the export that an import accepts and ignores, so an export imports again as new
#: records; any other unknown column is refused, as it may be a misspelt optional one.
EXPORT_ONLY_COLUMNS = ("id", "created_by", "created_at")
MAX_REPORTED_ERRORS = 100
BATCH_SIZE = 5000
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
T = TypeVar("T")

#: The rows of a CSV file as (line number, cells in the header's order); iterating may raise
#: ``UnreadableRow``.
Rows = Iterable[tuple[int, Sequence[str]]]
#: Opens the file: its header's columns and its rows.
RowsReader = Callable[[], tuple[list[str], Rows]]


@dataclass(frozen=True)
class ImportRecordsRequest:
    """``read`` returns the header's columns and the rows, the header being line 1; it is
    called only once the actor may import."""

    actor: Actor
    read: RowsReader
    default_owner_id: int | None = None
    progress: Progress = field(default_factory=NoProgress)


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
        problems = _Problems()
        try:
            columns, rows = request.read()
        except UnreadableRow as error:
            raise ImportRejected([RowError(error.line, "_row", error.message)]) from error
        _check_header(columns, problems)
        if problems.found:
            raise ImportRejected(problems.found)
        with self._uow:
            owners = _ActiveOwners(self._uow)
            default_owner = request.default_owner_id or actor.user_id
            if not owners.include(default_owner):
                problems.add(1, "owner_id", "Must be the id of an active user.")
            parser = _RowParser(columns, owners, default_owner, actor.user_id, self._clock.now())
            stored = 0
            request.progress.begin("Importing", None)
            try:
                for batch in _batches(rows):
                    records = parser.records(batch, problems)
                    # After the first bad row the rest are only checked, so that every problem
                    # is reported; what was stored before goes with the rollback below.
                    if not problems.found:
                        stored += self._store(records, actor.user_id)
                    request.progress.advance(len(batch))
            except UnreadableRow as error:
                problems.add(error.line, "_row", error.message)
            if problems.found:
                raise ImportRejected(problems.found)  # leaving uncommitted stores nothing
            self._uow.commit()
        return stored

    def _store(self, records: list[Record], actor_id: int) -> int:
        added = self._uow.records.add_many(records)
        self._uow.audit.add_many(
            [AuditEntry.of_creation(r, actor_id, AuditAction.IMPORTED) for r in added]
        )
        return len(added)


def _batches(rows: Rows) -> Iterator[list[tuple[int, Sequence[str]]]]:
    pending = iter(rows)
    while batch := list(islice(pending, BATCH_SIZE)):
        yield batch


@dataclass
class _Problems:
    found: list[RowError] = field(default_factory=list)

    def add(self, line: int, name: str, message: str) -> None:
        if len(self.found) < MAX_REPORTED_ERRORS:
            self.found.append(RowError(line, name, message))


class _ActiveOwners:
    """Which owner ids are those of active users, each looked up once."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow
        self._active: dict[int, bool] = {}

    def include(self, owner_id: int) -> bool:
        if owner_id not in self._active:
            user = self._uow.users.get(owner_id)
            self._active[owner_id] = user is not None and user.is_active
        return self._active[owner_id]


class _RowParser:
    """A row's cells, each through its column's rule (the domain's), into a new record; every
    bad cell of a row is reported, not just the first."""

    def __init__(
        self,
        columns: list[str],
        owners: _ActiveOwners,
        default_owner: int,
        created_by: int,
        now: datetime,
    ) -> None:
        self._width = len(columns)
        self._index = {name: columns.index(name) for name in columns}
        self._owners = owners
        self._default_owner = default_owner
        self._created_by = created_by
        self._now = now

    def records(self, batch: list[tuple[int, Sequence[str]]], problems: _Problems) -> list[Record]:
        found = []
        for line, cells in batch:
            record = self.record(line, cells, problems)
            if record is not None:
                found.append(record)
        return found

    def record(self, line: int, cells: Sequence[str], problems: _Problems) -> Record | None:
        if len(cells) > self._width:
            problems.add(line, "_row", "Has more fields than the header.")
            return None
        errors_before = len(problems.found)

        def cell(name: str, parse: Callable[[str], T], required: bool = True) -> T | None:
            index = self._index.get(name)
            if index is None or index >= len(cells):
                if required:
                    problems.add(line, name, "Missing value.")
                return None
            try:
                return parse(cells[index])
            except InvalidValue as error:
                problems.add(line, name, error.message)
                return None

        when = cell("date", _date)
        kind = cell("type", _type)
        category = cell("category", _category)
        amount = cell("amount", _amount)
        description = cell("description", clean_description, required=False)
        owner_id = cell("owner_id", _owner, required=False) or self._default_owner
        if owner_id != self._default_owner and not self._owners.include(owner_id):
            problems.add(line, "owner_id", "Must be the id of an active user.")
        if when is None or kind is None or category is None or amount is None:
            return None
        if len(problems.found) > errors_before:
            return None
        return Record.create(
            amount=amount,
            type=kind,
            category=category,
            date=when,
            description=description or "",
            owner_id=owner_id,
            created_by=self._created_by,
            now=self._now,
        )


def _check_header(columns: list[str], problems: _Problems) -> None:
    known = set(REQUIRED_COLUMNS) | set(OPTIONAL_COLUMNS) | set(EXPORT_ONLY_COLUMNS)
    for name in REQUIRED_COLUMNS:
        if name not in columns:
            problems.add(1, name, "Missing column.")
    for name in columns:
        if name not in known:
            problems.add(1, name or "_header", "Unknown column.")
        elif columns.count(name) > 1:
            problems.add(1, name, "Repeated column.")


# Dates, types, categories and owners come back row after row, so each distinct text is parsed
# once: 14% of an import's time (1M rows: 26 s without the caches, 23 s with them). Amounts
# rarely repeat, so they are not kept. A refused text raises again each time.


@lru_cache(maxsize=50_000)
def _date(text: str) -> date:
    text = text.strip()
    try:
        if _ISO_DATE.fullmatch(text):
            return date.fromisoformat(text)
    except ValueError:
        pass
    raise InvalidValue("date", "Must be a date as YYYY-MM-DD.")


@lru_cache(maxsize=50_000)
def _type(text: str) -> RecordType:
    try:
        return RecordType(text.strip().lower())
    except ValueError as error:
        raise InvalidValue("type", "Must be income or expense.") from error


@lru_cache(maxsize=50_000)
def _category(text: str) -> str:
    return clean_category(text)


def _amount(text: str) -> Money:
    return Money.parse(text.strip())


@lru_cache(maxsize=50_000)
def _owner(text: str) -> int | None:
    text = text.strip()
    return parse_id("owner_id", text) if text else None
