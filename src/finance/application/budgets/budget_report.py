from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from finance.application.analytics.statistics import DashboardQuery, DashboardUnitOfWork
from finance.application.analytics.visibility import allowed_query
from finance.application.authorization import Actor
from finance.application.ports import Clock
from finance.domain.budgets import BudgetMonth
from finance.domain.months import month_of


@dataclass(frozen=True)
class BudgetReportRequest:
    actor: Actor
    month: date | None = None
    owner_id: int | None = None


@dataclass(frozen=True)
class BudgetOverview:
    month: date
    lines: list[BudgetMonth]

    def total(self, name: str) -> Decimal:
        return sum((getattr(line, name) for line in self.lines), Decimal("0.00"))


class BudgetReport:
    """Each budget in force in a month (default: the current UTC month) against what was
    spent: budgeted, carried from earlier months with rollover, available, spent, remaining
    (negative when overspent) and the share used. Analysts see their own, admins everyone's or
    one owner's; viewers are refused. Spending comes from the maintained monthly totals, so a
    budget's age costs nothing."""

    def __init__(self, uow: DashboardUnitOfWork, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    def execute(self, request: BudgetReportRequest) -> BudgetOverview:
        owner_id = allowed_query(request.actor, DashboardQuery(request.owner_id)).owner_id
        month = request.month or month_of(self._clock.now().date())
        with self._uow:
            budgets = self._uow.budgets.in_force(owner_id, month)
            first = min((b.start_month for b in budgets if b.rollover), default=month)
            keys = {(b.owner_id, b.category_key) for b in budgets}
            spent = self._uow.statistics.monthly_expenses(keys, first, month)
        lines = []
        for budget in budgets:
            in_month = spent.get((budget.owner_id, budget.category_key, month), 0)
            before = 0
            if budget.rollover:
                before = sum(
                    cents
                    for (owner, key, when), cents in spent.items()
                    if (owner, key) == (budget.owner_id, budget.category_key)
                    and budget.start_month <= when < month
                )
            lines.append(BudgetMonth.of(budget, month, in_month, before))
        return BudgetOverview(month, lines)
