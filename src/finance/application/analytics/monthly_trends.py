from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date
from decimal import Decimal

from finance.application.analytics.months import add_months, month_end, month_of, months_spanned
from finance.application.analytics.scope import amount, dashboard_scope
from finance.application.analytics.statistics import DashboardScope, DashboardUnitOfWork
from finance.application.authorization import Actor
from finance.application.ports import Clock
from finance.domain.errors import InvalidValue

DEFAULT_MONTHS = 12
MAX_MONTHS = 120


@dataclass(frozen=True)
class MonthlyTrendsRequest:
    actor: Actor
    scope: DashboardScope = field(default_factory=DashboardScope)
    months: int = DEFAULT_MONTHS


@dataclass(frozen=True)
class MonthTrend:
    month: date
    income: Decimal
    expense: Decimal
    net: Decimal
    count: int

    @property
    def label(self) -> str:
        return f"{self.month.year:04d}-{self.month.month:02d}"


class MonthlyTrends:
    """Income, expense, net (income minus expense) and record count per calendar month, oldest
    first, every month of the range present (zeros where there are no records). The range:
    with `date_from` and `date_to`, the months they span (at most 120), counting only records
    between them; with only `date_from`, `months` months starting with its month; with only
    `date_to`, `months` months ending with its month; with neither, the `months` months ending
    with the current UTC month. `months` is 1 to 120 (default 12) and is ignored when both
    dates are given. Scope as for the summary."""

    def __init__(self, uow: DashboardUnitOfWork, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    def execute(self, request: MonthlyTrendsRequest) -> list[MonthTrend]:
        if not 1 <= request.months <= MAX_MONTHS:
            raise InvalidValue("months", f"Must be between 1 and {MAX_MONTHS}.")
        scope = dashboard_scope(request.actor, request.scope)
        first, last, scope = self._window(scope, request.months)
        with self._uow:
            found = {m.month: m for m in self._uow.statistics.monthly_totals(scope)}
        trends = []
        month: date | None = first
        while month is not None and month <= last:
            totals = found.get(month)
            income = totals.income_cents if totals else 0
            expense = totals.expense_cents if totals else 0
            trends.append(
                MonthTrend(
                    month,
                    amount(income),
                    amount(expense),
                    amount(income - expense),
                    totals.count if totals else 0,
                )
            )
            month = add_months(month, 1)
        return trends

    def _window(self, scope: DashboardScope, months: int) -> tuple[date, date, DashboardScope]:
        """The first and last month shown, and the scope narrowed to them."""
        date_from, date_to = scope.date_from, scope.date_to
        if date_from is not None and date_to is not None:
            first, last = month_of(date_from), month_of(date_to)
            if months_spanned(first, last) > MAX_MONTHS:
                raise InvalidValue("date_to", f"The range must span at most {MAX_MONTHS} months.")
            return first, last, scope
        if date_from is not None:
            first = month_of(date_from)
            end = add_months(first, months - 1)
            if end is None:
                raise InvalidValue("date_from", "The months must end by the year 9999.")
            return first, end, DashboardScope(scope.owner_id, date_from, month_end(end))
        last = month_of(date_to or self._clock.now().astimezone(UTC).date())
        start = add_months(last, -(months - 1))
        if start is None:
            raise InvalidValue("date_to", "The months must start in the year 1 or later.")
        return start, last, DashboardScope(scope.owner_id, start, date_to or month_end(last))
