from __future__ import annotations

from dataclasses import dataclass, field

from finance.application.authorization import Actor, authorize, sees_owner
from finance.application.errors import NotFound
from finance.application.pagination import Page, PageRequest
from finance.application.ports import UnitOfWork
from finance.domain.records import AuditEntry
from finance.domain.roles import Permission


@dataclass(frozen=True)
class RecordHistoryRequest:
    actor: Actor
    record_id: int
    page: PageRequest = field(default_factory=PageRequest)


class RecordHistory:
    """Admins read a record's audit trail, oldest first, a page at a time, deleted records
    included."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    def execute(self, request: RecordHistoryRequest) -> Page[AuditEntry]:
        actor = request.actor
        with self._uow:
            record = self._uow.records.get(request.record_id)
            if record is None or not sees_owner(actor, record.owner_id):
                raise NotFound("Record not found.")
            authorize(actor, Permission.WRITE_RECORDS)
            entries = self._uow.audit.for_record(request.record_id)
        page = request.page
        return Page(entries[page.offset : page.offset + page.page_size], len(entries), page)
