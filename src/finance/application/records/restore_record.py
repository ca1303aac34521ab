from __future__ import annotations

from dataclasses import dataclass

from finance.application.authorization import Actor, authorize
from finance.application.ports import Clock, UnitOfWork
from finance.application.records.audit_trail import save_with_audit
from finance.application.records.visibility import visible_record
from finance.domain.records import AuditAction, Record
from finance.domain.roles import Permission


@dataclass(frozen=True)
class RestoreRecordRequest:
    actor: Actor
    record_id: int


class RestoreRecord:
    """Admins bring a soft-deleted record back; a record that is not deleted is not found."""

    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    def execute(self, request: RestoreRecordRequest) -> Record:
        with self._uow:
            record = visible_record(
                self._uow, request.actor, request.record_id, deleted=True, for_update=True
            )
            authorize(request.actor, Permission.WRITE_RECORDS)
            now = self._clock.now()
            changes = record.restore(now)
            save_with_audit(
                self._uow, record, request.actor.user_id, AuditAction.RESTORED, changes, now
            )
            self._uow.commit()
        return record
