"""What a records list asks for: filters, ordering, which owners, and where a cursor page
starts."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from finance.domain.errors import InvalidValue
from finance.domain.records import Record, RecordType, category_key


class Ordering(StrEnum):
    DATE = "date"
    DATE_DESC = "-date"
    AMOUNT = "amount"
    AMOUNT_DESC = "-amount"
    CREATED_AT = "created_at"
    CREATED_AT_DESC = "-created_at"
    ID = "id"
    ID_DESC = "-id"

    @property
    def field(self) -> str:
        return self.value.lstrip("-")

    @property
    def descending(self) -> bool:
        return self.value.startswith("-")


KeyValue = date | datetime | int


def sort_value(record: Record, ordering: Ordering) -> KeyValue:
    """The value a record is ordered by (amounts in cents); ties break on the id."""
    if ordering.field == "amount":
        return record.amount.cents
    value: KeyValue | None = getattr(record, ordering.field)
    assert value is not None
    return value


@dataclass(frozen=True)
class KeysetPosition:
    """The last row of the previous page: the next page starts strictly after it."""

    value: KeyValue
    record_id: int


@dataclass(frozen=True)
class RecordFilter:
    """The filters of the list, deleted list, export and dashboard. Bounds are inclusive."""

    type: RecordType | None = None
    category: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    min_amount: Decimal | None = None
    max_amount: Decimal | None = None
    q: str | None = None
    owner_id: int | None = None
    ordering: Ordering = Ordering.DATE_DESC

    def __post_init__(self) -> None:
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise InvalidValue("date_from", "Must not be after date_to.")
        for name in ("min_amount", "max_amount"):
            bound = getattr(self, name)
            if bound is not None and bound < 0:
                raise InvalidValue(name, "Must not be negative.")
        if (
            self.min_amount is not None
            and self.max_amount is not None
            and self.min_amount > self.max_amount
        ):
            raise InvalidValue("min_amount", "Must not be greater than max_amount.")

    @property
    def category_key(self) -> str | None:
        return category_key(self.category) if self.category is not None else None

    @property
    def q_key(self) -> str | None:
        return self.q.lower() if self.q else None

    @property
    def min_cents(self) -> int | None:
        return (
            int(self.min_amount.scaleb(2).to_integral_value(rounding="ROUND_CEILING"))
            if (self.min_amount is not None)
            else None
        )

    @property
    def max_cents(self) -> int | None:
        return (
            int(self.max_amount.scaleb(2).to_integral_value(rounding="ROUND_FLOOR"))
            if (self.max_amount is not None)
            else None
        )

    def matches(self, record: Record) -> bool:
        """The filter in plain Python, for stores that have no query engine."""
        cents = record.amount.cents
        return (
            (self.type is None or record.type is self.type)
            and (self.category_key is None or category_key(record.category) == self.category_key)
            and (self.date_from is None or record.date >= self.date_from)
            and (self.date_to is None or record.date <= self.date_to)
            and (self.min_cents is None or cents >= self.min_cents)
            and (self.max_cents is None or cents <= self.max_cents)
            and (self.q_key is None or self.q_key in search_key(record))
            and (self.owner_id is None or record.owner_id == self.owner_id)
        )


def search_key(record: Record) -> str:
    """What ``q`` searches: category and description, lower-cased, kept apart by a separator
    that never occurs in a query."""
    return f"{record.category.lower()}\x1f{record.description.lower()}"


@dataclass(frozen=True)
class RecordQuery:
    """A filter narrowed to the records the actor may see, over live or soft-deleted ones."""

    filter: RecordFilter
    deleted: bool = False

    def fingerprint(self) -> str:
        f = self.filter
        parts = [
            f.type,
            f.category_key,
            f.date_from,
            f.date_to,
            f.min_cents,
            f.max_cents,
            f.q_key,
            f.owner_id,
            f.ordering,
            self.deleted,
        ]
        text = json.dumps([None if p is None else str(p) for p in parts])
        return hashlib.sha256(text.encode()).hexdigest()[:16]
