from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from finance.application.analytics.statistics import DashboardQuery, DashboardUnitOfWork
from finance.application.analytics.visibility import allowed_query
from finance.application.authorization import Actor
from finance.domain.money import amount_of_cents


@dataclass(frozen=True)
class SummaryRequest:
    actor: Actor
    query: DashboardQuery = field(default_factory=DashboardQuery)


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
        query = allowed_query(request.actor, request.query)
        with self._uow:
            totals = self._uow.statistics.totals(query)
        return DashboardSummary(
            total_income=amount_of_cents(totals.income_cents),
            total_expense=amount_of_cents(totals.expense_cents),
            net_balance=amount_of_cents(totals.income_cents - totals.expense_cents),
            record_count=totals.count,
        )
