"""Records' audit trail in SQL."""

from __future__ import annotations

from sqlalchemy import Connection, select

from finance.adapters.sqlalchemy.bulk_insert import insert_many
from finance.adapters.sqlalchemy.tables import record_audit
from finance.domain.records import AuditAction, AuditEntry

_COLUMNS = ("record_id", "at", "actor_id", "action", "changes")


class SqlAuditLog:
    def __init__(self, connection: Connection) -> None:
        self._conn = connection

    def add(self, entry: AuditEntry) -> None:
        self.add_many([entry])

    def add_many(self, entries: list[AuditEntry]) -> None:
        if entries:
            rows = [(e.record_id, e.at, e.actor_id, str(e.action), e.changes) for e in entries]
            insert_many(self._conn, record_audit, _COLUMNS, rows)

    def for_record(self, record_id: int) -> list[AuditEntry]:
        rows = self._conn.execute(
            select(record_audit)
            .where(record_audit.c.record_id == record_id)
            .order_by(record_audit.c.id)
        )
        return [
            AuditEntry(
                id=r.id,
                record_id=r.record_id,
                at=r.at,
                actor_id=r.actor_id,
                action=AuditAction(r.action),
                changes=r.changes,
            )
            for r in rows
        ]
