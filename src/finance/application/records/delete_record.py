from __future__ import annotations

from dataclasses import dataclass

from finance.application.authorization import Actor
from finance.application.ports import Clock, UnitOfWork
from finance.application.records.audit_trail import save_with_audit
from finance.application.records.visibility import record_to_change
from finance.domain.records import AuditAction


@dataclass(frozen=True)
class DeleteRecordRequest:
    actor: Actor
    record_id: int
    expected_version: int | None = None


class DeleteRecord:
    """Admins delete a record softly: it leaves lists, reads, dashboards and exports, and can be
    restored. Deleting it again finds nothing."""

    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    def execute(self, request: DeleteRecordRequest) -> None:
        with self._uow:
            record = record_to_change(
                self._uow, request.actor, request.record_id, request.expected_version
            )
            now = self._clock.now()
            changes = record.soft_delete(now)
            save_with_audit(
                self._uow, record, request.actor.user_id, AuditAction.DELETED, changes, now
            )
            self._uow.commit()
