from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace

from finance.application.authorization import Actor, authorize
from finance.application.ports import UnitOfWork
from finance.application.records.filters import (
    KeysetPosition,
    RecordFilter,
    RecordQuery,
    sort_value,
)
from finance.application.records.scope import owner_scope
from finance.domain.records import Record
from finance.domain.roles import Permission

BATCH_SIZE = 1000


@dataclass(frozen=True)
class ExportRecordsRequest:
    actor: Actor
    filter: RecordFilter


class ExportRecords:
    """Users export what they may list (their own records; admins everyone's or one owner's),
    with the list's filters and ordering, read in batches so memory stays flat at any size."""

    def __init__(self, uow: UnitOfWork, batch_size: int | None = None) -> None:
        self._uow = uow
        self._batch_size = batch_size or BATCH_SIZE

    def execute(self, request: ExportRecordsRequest) -> Iterator[Record]:
        actor = request.actor
        if actor.may(Permission.EXPORT_ALL_RECORDS):
            scope = request.filter.owner_id
        else:
            authorize(actor, Permission.EXPORT_OWN_RECORDS)
            scope = owner_scope(actor, request.filter.owner_id)
        query = RecordQuery(replace(request.filter, owner_id=scope))
        return self._batches(query)

    def _batches(self, query: RecordQuery) -> Iterator[Record]:
        ordering = query.filter.ordering
        after: KeysetPosition | None = None
        while True:
            with self._uow:
                batch = self._uow.records.find_after(query, after, self._batch_size)
            yield from batch
            if len(batch) < self._batch_size:
                return
            last = batch[-1]
            assert last.id is not None
            after = KeysetPosition(sort_value(last, ordering), last.id)
