from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from finance.application.analytics.scope import amount, dashboard_scope
from finance.application.analytics.statistics import DashboardScope, DashboardUnitOfWork
from finance.application.authorization import Actor


@dataclass(frozen=True)
class SummaryRequest:
    actor: Actor
    scope: DashboardScope = field(default_factory=DashboardScope)


@dataclass(frozen=True)
class DashboardSummary:
    total_income: Decimal
    total_expense: Decimal
    net_balance: Decimal
    record_count: int


class Summary:
    """Total income, total expense, their difference (income minus expense) and the number of
    records, exact to the cent, over live records in the date range. Analysts see their own;
    admins everyone's, or one owner's with `owner_id`; viewers are refused."""

    def __init__(self, uow: DashboardUnitOfWork) -> None:
        self._uow = uow

    def execute(self, request: SummaryRequest) -> DashboardSummary:
        scope = dashboard_scope(request.actor, request.scope)
        with self._uow:
            totals = self._uow.statistics.totals(scope)
        return DashboardSummary(
            total_income=amount(totals.income_cents),
            total_expense=amount(totals.expense_cents),
            net_balance=amount(totals.income_cents - totals.expense_cents),
            record_count=totals.count,
        )
