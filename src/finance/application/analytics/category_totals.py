from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from finance.application.analytics.scope import amount, dashboard_scope
from finance.application.analytics.statistics import DashboardScope, DashboardUnitOfWork
from finance.application.authorization import Actor
from finance.domain.records import RecordType, category_key


@dataclass(frozen=True)
class CategoryTotalsRequest:
    actor: Actor
    scope: DashboardScope = field(default_factory=DashboardScope)
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
    ("Food" before "food"). With `type`, only that type's rows. Scope as for the summary."""

    def __init__(self, uow: DashboardUnitOfWork) -> None:
        self._uow = uow

    def execute(self, request: CategoryTotalsRequest) -> list[CategoryTotalLine]:
        scope = dashboard_scope(request.actor, request.scope)
        with self._uow:
            rows = self._uow.statistics.category_totals(scope, request.type)
        rows.sort(key=lambda r: (-r.total_cents, category_key(r.category), r.category, r.type))
        return [CategoryTotalLine(r.category, r.type, amount(r.total_cents), r.count) for r in rows]
