"""How a record is stored: the records table's columns to and from the domain's ``Record``."""

from __future__ import annotations

from typing import Any

from finance.application.records.filters import search_key
from finance.domain.money import Money
from finance.domain.records import Record, RecordType, category_key


def to_record(row: Any) -> Record:
    return Record(
        id=row.id,
        owner_id=row.owner_id,
        created_by=row.created_by,
        amount=Money.from_cents(row.amount_cents),
        type=RecordType(row.type),
        category=row.category,
        description=row.description,
        date=row.date,
        created_at=row.created_at,
        updated_at=row.updated_at,
        version=row.version,
        is_deleted=row.is_deleted,
        deleted_at=row.deleted_at,
        recurring_id=row.recurring_id,
    )


#: The columns ``record_values`` fills, in its order (every column but the id).
RECORD_COLUMNS = (
    "owner_id",
    "created_by",
    "amount_cents",
    "type",
    "category",
    "category_key",
    "description",
    "search_key",
    "date",
    "created_at",
    "updated_at",
    "version",
    "is_deleted",
    "deleted_at",
    "recurring_id",
)


def record_values(record: Record) -> tuple[Any, ...]:
    """A record's stored values in ``RECORD_COLUMNS`` order (a tuple: bulk loads make
    millions of them)."""
    return (
        record.owner_id,
        record.created_by,
        record.amount.cents,
        str(record.type),
        record.category,
        category_key(record.category),
        record.description,
        search_key(record),
        record.date,
        record.created_at,
        record.updated_at,
        record.version,
        record.is_deleted,
        record.deleted_at,
        record.recurring_id,
    )


def record_columns(record: Record) -> dict[str, Any]:
    return dict(zip(RECORD_COLUMNS, record_values(record), strict=True))
