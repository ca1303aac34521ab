from __future__ import annotations

from dataclasses import dataclass, replace

from finance.application.authorization import Actor, authorize
from finance.application.ports import OpenRecords, RecordStream
from finance.application.records.filters import RecordFilter, RecordQuery
from finance.application.records.visibility import visible_owner
from finance.domain.roles import Permission


@dataclass(frozen=True)
class ExportRecordsRequest:
    actor: Actor
    filter: RecordFilter


class ExportRecords:
    """Users export what they may list (their own records; admins everyone's or one owner's),
    with the list's filters and ordering, streamed so memory stays flat at any size."""

    def __init__(self, stream: RecordStream) -> None:
        self._stream = stream

    def execute(self, request: ExportRecordsRequest) -> OpenRecords:
        actor = request.actor
        if actor.may(Permission.EXPORT_ALL_RECORDS):
            owner_id = request.filter.owner_id
        else:
            authorize(actor, Permission.EXPORT_OWN_RECORDS)
            owner_id = visible_owner(actor, request.filter.owner_id)
        return self._stream.read(RecordQuery(replace(request.filter, owner_id=owner_id)))
