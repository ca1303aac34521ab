from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from finance.application.authorization import Actor
from finance.application.ports import Clock, UnitOfWork
from finance.application.records.audit_trail import save_with_audit
from finance.application.records.visibility import ensure_active_owner, record_to_change
from finance.domain.records import AuditAction, Record


@dataclass(frozen=True)
class UpdateRecordRequest:
    actor: Actor
    record_id: int
    changes: dict[str, Any] = field(default_factory=dict)
    expected_version: int | None = None


class UpdateRecord:
    """Admins change a record's fields; the version goes up by one. With an expected version
    that is no longer current, nothing changes."""

    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    def execute(self, request: UpdateRecordRequest) -> Record:
        with self._uow:
            record = record_to_change(
                self._uow, request.actor, request.record_id, request.expected_version
            )
            owner_id = request.changes.get("owner_id")
            if owner_id is not None and owner_id != record.owner_id:
                ensure_active_owner(self._uow, owner_id)
            now = self._clock.now()
            changes = record.apply(request.changes, now)
            save_with_audit(
                self._uow, record, request.actor.user_id, AuditAction.UPDATED, changes, now
            )
            self._uow.commit()
        return record
