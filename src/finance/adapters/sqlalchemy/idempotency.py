"""Idempotency keys in SQL: a key claims its place before the record is made, and keeps the
record it answered with."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from finance.adapters.sqlalchemy.record_rows import record_columns
from finance.adapters.sqlalchemy.tables import idempotency_keys
from finance.application.ports import IdempotentResult
from finance.domain.money import Money
from finance.domain.records import Record, RecordType


def record_to_json(record: Record) -> dict[str, Any]:
    return {
        **{
            k: v.isoformat() if isinstance(v, date | datetime) else v
            for k, v in record_columns(record).items()
        },
        "id": record.id,
    }


def record_from_json(data: dict[str, Any]) -> Record:
    def moment(value: str | None) -> datetime | None:
        return datetime.fromisoformat(value) if value else None

    return Record(
        id=data["id"],
        owner_id=data["owner_id"],
        created_by=data["created_by"],
        amount=Money.from_cents(data["amount_cents"]),
        type=RecordType(data["type"]),
        category=data["category"],
        description=data["description"],
        date=date.fromisoformat(data["date"]),
        created_at=datetime.fromisoformat(data["created_at"]),
        updated_at=datetime.fromisoformat(data["updated_at"]),
        version=data["version"],
        is_deleted=data["is_deleted"],
        deleted_at=moment(data["deleted_at"]),
        recurring_id=data.get("recurring_id"),
    )


class SqlIdempotencyStore:
    def __init__(self, connection: Connection) -> None:
        self._conn = connection

    def _key(self, user_id: int, key: str) -> list[ColumnElement[bool]]:
        return [idempotency_keys.c.user_id == user_id, idempotency_keys.c.key == key]

    def get(self, user_id: int, key: str, since: datetime) -> IdempotentResult | None:
        row = self._conn.execute(
            select(idempotency_keys).where(
                *self._key(user_id, key), idempotency_keys.c.created_at > since
            )
        ).first()
        if row is None:
            return None
        record = record_from_json(row.response) if row.response else None
        return IdempotentResult(row.fingerprint, record)

    def reserve(
        self, user_id: int, key: str, fingerprint: str, now: datetime, since: datetime
    ) -> bool:
        self._conn.execute(
            delete(idempotency_keys).where(
                *self._key(user_id, key), idempotency_keys.c.created_at <= since
            )
        )
        try:
            with self._conn.begin_nested():
                self._conn.execute(
                    insert(idempotency_keys).values(
                        user_id=user_id, key=key, fingerprint=fingerprint, created_at=now
                    )
                )
        except IntegrityError:
            return False
        return True

    def complete(self, user_id: int, key: str, record: Record) -> None:
        self._conn.execute(
            update(idempotency_keys)
            .where(*self._key(user_id, key))
            .values(response=record_to_json(record))
        )
