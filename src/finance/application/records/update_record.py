from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from finance.application.authorization import Actor, authorize
from finance.application.errors import PreconditionFailed
from finance.application.ports import Clock, UnitOfWork
from finance.application.records.audit_trail import save_change
from finance.application.records.scope import ensure_active_owner, visible_record
from finance.domain.records import AuditAction, Record
from finance.domain.roles import Permission


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
            record = visible_record(self._uow, request.actor, request.record_id, for_update=True)
            authorize(request.actor, Permission.WRITE_RECORDS)
            if request.expected_version is not None and request.expected_version != record.version:
                raise PreconditionFailed("The record has changed since you read it.")
            owner_id = request.changes.get("owner_id")
            if owner_id is not None and owner_id != record.owner_id:
                ensure_active_owner(self._uow, owner_id)
            now = self._clock.now()
            changes = record.apply(request.changes, now)
            save_change(self._uow, record, request.actor.user_id, AuditAction.UPDATED, changes, now)
        return record
