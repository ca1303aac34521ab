from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from finance.application.analytics.statistics import DashboardQuery, DashboardUnitOfWork
from finance.application.analytics.visibility import allowed_query
from finance.application.authorization import Actor
from finance.application.ports import Clock
from finance.domain.errors import InvalidValue
from finance.domain.money import amount_of_cents
from finance.domain.months import add_months, month_end, month_of
from finance.domain.records import RecordType

DEFAULT_MONTHS = 3
MAX_MONTHS = 24


@dataclass(frozen=True)
class ForecastRequest:
    actor: Actor
    months: int = DEFAULT_MONTHS
    owner_id: int | None = None


@dataclass(frozen=True)
class MonthForecast:
    month: date
    scheduled_income: Decimal
    scheduled_expense: Decimal
    budgeted_expense: Decimal

    @property
    def scheduled_net(self) -> Decimal:
        return self.scheduled_income - self.scheduled_expense


class Forecast:
    """The current UTC month and the next ones (1 to 24 in all, default 3): what the active
    schedules put in each month (every occurrence dated in it, made yet or not) and what the
    budgets in force allow for expenses. Analysts see their own, admins everyone's or one
    owner's; viewers are refused."""

    def __init__(self, uow: DashboardUnitOfWork, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    def execute(self, request: ForecastRequest) -> list[MonthForecast]:
        if not 1 <= request.months <= MAX_MONTHS:
            raise InvalidValue("months", f"Must be between 1 and {MAX_MONTHS}.")
        owner_id = allowed_query(request.actor, DashboardQuery(request.owner_id)).owner_id
        first = month_of(self._clock.now().date())
        months = [m for n in range(request.months) if (m := add_months(first, n)) is not None]
        last_day = month_end(months[-1])
        with self._uow:
            schedules = self._uow.schedules.active(owner_id)
            budgeted = {
                month: sum(b.amount.cents for b in self._uow.budgets.in_force(owner_id, month))
                for month in months
            }
        sums = {(month, kind): 0 for month in months for kind in RecordType}
        for schedule in schedules:
            for when in schedule.occurrences(since=first):
                if when > last_day:
                    break
                sums[(month_of(when), schedule.type)] += schedule.amount.cents
        return [
            MonthForecast(
                month,
                amount_of_cents(sums[(month, RecordType.INCOME)]),
                amount_of_cents(sums[(month, RecordType.EXPENSE)]),
                amount_of_cents(budgeted[month]),
            )
            for month in months
        ]
