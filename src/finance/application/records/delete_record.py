from __future__ import annotations

from dataclasses import dataclass

from finance.application.authorization import Actor, authorize
from finance.application.errors import PreconditionFailed
from finance.application.ports import Clock, UnitOfWork
from finance.application.records.audit_trail import save_change
from finance.application.records.scope import visible_record
from finance.domain.records import AuditAction
from finance.domain.roles import Permission


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
            record = visible_record(self._uow, request.actor, request.record_id, for_update=True)
            authorize(request.actor, Permission.WRITE_RECORDS)
            if request.expected_version is not None and request.expected_version != record.version:
                raise PreconditionFailed("The record has changed since you read it.")
            now = self._clock.now()
            record.soft_delete(now)
            save_change(
                self._uow,
                record,
                request.actor.user_id,
                AuditAction.DELETED,
                {"is_deleted": [False, True]},
                now,
            )
