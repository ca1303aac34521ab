from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Protocol

from finance.application.authorization import Actor, authorize
from finance.application.pagination import PageRequest
from finance.application.ports import UnitOfWork
from finance.application.records.filters import (
    KeysetPosition,
    Ordering,
    RecordFilter,
    RecordQuery,
    sort_value,
)
from finance.application.records.visibility import visible_owner
from finance.domain.records import Record
from finance.domain.roles import Permission


class CursorCodec(Protocol):
    """Turns where a page ended into an opaque cursor bound to one query of one user (the
    ``binding``), and back."""

    def encode(self, position: KeysetPosition, binding: str) -> str: ...

    def decode(self, cursor: str, binding: str, ordering: Ordering) -> KeysetPosition:
        """``InvalidValue`` for ``cursor`` when it was altered or made for another binding."""
        ...


@dataclass(frozen=True)
class ListRecordsRequest:
    actor: Actor
    filter: RecordFilter
    page: PageRequest
    cursor: str | None = None


@dataclass(frozen=True)
class RecordList:
    """A page of records; ``total`` is None in cursor mode."""

    items: list[Record]
    total: int | None
    page: PageRequest
    next_cursor: str | None
    cursor_mode: bool


class ListRecords:
    """Users list their own records, admins everyone's or one owner's, newest first unless
    another ordering is asked for. Pages are numbered, or follow a cursor in constant time."""

    deleted = False

    def __init__(self, uow: UnitOfWork, cursors: CursorCodec) -> None:
        self._uow = uow
        self._cursors = cursors

    def execute(self, request: ListRecordsRequest) -> RecordList:
        actor = request.actor
        if self.deleted:
            authorize(actor, Permission.WRITE_RECORDS)
        visible = replace(request.filter, owner_id=visible_owner(actor, request.filter.owner_id))
        query = RecordQuery(visible, deleted=self.deleted)
        binding = f"{query.fingerprint()}:{actor.user_id}"
        size = request.page.page_size
        with self._uow:
            if request.cursor is not None:
                after = self._cursors.decode(request.cursor, binding, visible.ordering)
                rows = self._uow.records.find_after(query, after, size + 1)
                items, more = rows[:size], len(rows) > size
                total = None
            else:
                page = self._uow.records.find_page(query, request.page)
                items, total = page.items, page.total
                more = total is not None and request.page.offset + len(items) < total
        next_cursor = None
        if more and items:
            last = items[-1]
            assert last.id is not None
            position = KeysetPosition(sort_value(last, visible.ordering), last.id)
            next_cursor = self._cursors.encode(position, binding)
        return RecordList(items, total, request.page, next_cursor, request.cursor is not None)


class ListDeletedRecords(ListRecords):
    """Admins list soft-deleted records, with the same filters and pagination."""

    deleted = True
