from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from finance.application.analytics.statistics import DashboardQuery, DashboardUnitOfWork
from finance.application.analytics.visibility import allowed_query
from finance.application.authorization import Actor
from finance.domain.money import amount_of_cents
from finance.domain.records import RecordType, category_key


@dataclass(frozen=True)
class CategoryTotalsRequest:
    actor: Actor
    query: DashboardQuery = field(default_factory=DashboardQuery)
    type: RecordType | None = None


@dataclass(frozen=True)
class CategoryTotalLine:
    category: str
    type: RecordType
    total: Decimal
    count: int


class CategoryTotals:
    """Totals and record counts per category and type, over live records in the date range,
    largest total first, then by category (ignoring case), then by type. Categories that differ
    only in case are one category, shown with the spelling that sorts first by code point
    ("Food" before "food"). With `type`, only that type's rows. Whose records as for the summary."""

    def __init__(self, uow: DashboardUnitOfWork) -> None:
        self._uow = uow

    def execute(self, request: CategoryTotalsRequest) -> list[CategoryTotalLine]:
        query = allowed_query(request.actor, request.query)
        with self._uow:
            rows = self._uow.statistics.category_totals(query, request.type)
        rows.sort(key=lambda r: (-r.total_cents, category_key(r.category), r.category, r.type))
        return [
            CategoryTotalLine(r.category, r.type, amount_of_cents(r.total_cents), r.count)
            for r in rows
        ]
