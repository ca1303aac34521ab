from __future__ import annotations

from datetime import datetime
from typing import Any

from finance.application.ports import UnitOfWork
from finance.domain.records import AuditAction, AuditEntry, Record


def save_with_audit(
    uow: UnitOfWork,
    record: Record,
    actor_id: int,
    action: AuditAction,
    changes: dict[str, list[Any]],
    now: datetime,
) -> None:
    """Save a changed record and its audit entry in the unit of work; the caller commits."""
    assert record.id is not None
    uow.records.save(record)
    uow.audit.add(AuditEntry(record.id, now, actor_id, action, changes))
