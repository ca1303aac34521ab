"""Financial records: income and expenses owned by a user, versioned and soft-deleted."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from finance.domain.errors import InvalidValue
from finance.domain.money import Money
from finance.domain.text import check_storable

MAX_CATEGORY_LENGTH = 100
MAX_DESCRIPTION_LENGTH = 1000

#: The fields a change may touch, in the order the audit trail lists them.
EDITABLE_FIELDS = ("amount", "type", "category", "date", "description", "owner_id")


class RecordType(StrEnum):
    INCOME = "income"
    EXPENSE = "expense"


def clean_category(category: str) -> str:
    """Trimmed, case kept, 1 to 100 characters."""
    cleaned = check_storable("category", category).strip()
    if not cleaned:
        raise InvalidValue("category", "Must not be blank.")
    if len(cleaned) > MAX_CATEGORY_LENGTH:
        raise InvalidValue("category", f"Must be at most {MAX_CATEGORY_LENGTH} characters.")
    return cleaned


def category_key(category: str) -> str:
    """How categories compare: case-insensitively."""
    return category.strip().lower()


def clean_description(description: str) -> str:
    if len(description) > MAX_DESCRIPTION_LENGTH:
        raise InvalidValue("description", f"Must be at most {MAX_DESCRIPTION_LENGTH} characters.")
    return check_storable("description", description)


def audit_value(value: Any) -> Any:
    """A field's value as the audit trail and JSON show it."""
    if isinstance(value, Money | RecordType):
        return str(value)
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


@dataclass
class Record:
    """One income or expense. Every change bumps ``version``; deleting only hides it."""

    amount: Money
    type: RecordType
    category: str
    date: dt.date
    owner_id: int
    created_by: int
    created_at: datetime
    updated_at: datetime
    description: str = ""
    version: int = 1
    is_deleted: bool = False
    deleted_at: datetime | None = None
    #: The recurring schedule that made the record; None for one made by hand.
    recurring_id: int | None = None
    id: int | None = field(default=None)

    @classmethod
    def create(
        cls,
        *,
        amount: Money,
        type: RecordType,
        category: str,
        date: dt.date,
        description: str,
        owner_id: int,
        created_by: int,
        now: datetime,
    ) -> Record:
        return cls(
            amount=amount,
            type=type,
            category=clean_category(category),
            date=date,
            description=clean_description(description),
            owner_id=owner_id,
            created_by=created_by,
            created_at=now,
            updated_at=now,
        )

    def snapshot(self) -> dict[str, Any]:
        """The editable fields as plain values, for the audit trail (in EDITABLE_FIELDS order;
        spelled out because imports take a snapshot of every row)."""
        return {
            "amount": str(self.amount),
            "type": self.type.value,
            "category": self.category,
            "date": self.date.isoformat(),
            "description": self.description,
            "owner_id": self.owner_id,
        }

    def apply(self, changes: dict[str, Any], now: datetime) -> dict[str, list[Any]]:
        """Apply new field values and return ``{field: [old, new]}`` for those that differ.
        Saving always bumps the version, so a client's ETag always moves on."""
        cleaners: dict[str, Any] = {
            "category": clean_category,
            "description": clean_description,
        }
        unknown = set(changes) - set(EDITABLE_FIELDS)
        if unknown:
            raise InvalidValue(sorted(unknown)[0], "Cannot be changed.")
        cleaned = {name: cleaners.get(name, _same)(value) for name, value in changes.items()}
        diff: dict[str, list[Any]] = {}
        for name in EDITABLE_FIELDS:
            if name in cleaned and cleaned[name] != getattr(self, name):
                diff[name] = [audit_value(getattr(self, name)), audit_value(cleaned[name])]
                setattr(self, name, cleaned[name])
        self._touch(now)
        return diff

    def soft_delete(self, now: datetime) -> dict[str, list[Any]]:
        """Hide the record; return the change as ``apply`` does."""
        self.is_deleted = True
        self.deleted_at = now
        self._touch(now)
        return {"is_deleted": [False, True]}

    def restore(self, now: datetime) -> dict[str, list[Any]]:
        """Bring the record back; return the change as ``apply`` does."""
        self.is_deleted = False
        self.deleted_at = None
        self._touch(now)
        return {"is_deleted": [True, False]}

    def _touch(self, now: datetime) -> None:
        self.version += 1
        self.updated_at = now


def _same(value: Any) -> Any:
    return value


class AuditAction(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    DELETED = "deleted"
    RESTORED = "restored"
    IMPORTED = "imported"


@dataclass(frozen=True)
class AuditEntry:
    """One change to a record: when, by whom, what, and each field's old and new value."""

    record_id: int
    at: datetime
    actor_id: int
    action: AuditAction
    changes: dict[str, list[Any]]
    id: int | None = None

    @classmethod
    def of_creation(
        cls, record: Record, actor_id: int, action: AuditAction = AuditAction.CREATED
    ) -> AuditEntry:
        assert record.id is not None
        changes = {name: [None, value] for name, value in record.snapshot().items()}
        return cls(record.id, record.created_at, actor_id, action, changes)
