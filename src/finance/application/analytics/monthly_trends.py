from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date
from decimal import Decimal

from finance.application.analytics.statistics import DashboardQuery, DashboardUnitOfWork
from finance.application.analytics.visibility import allowed_query
from finance.application.authorization import Actor
from finance.application.ports import Clock
from finance.domain.errors import InvalidValue
from finance.domain.money import amount_of_cents
from finance.domain.months import add_months, month_end, month_of, months_spanned

DEFAULT_MONTHS = 12
MAX_MONTHS = 120


@dataclass(frozen=True)
class MonthlyTrendsRequest:
    actor: Actor
    query: DashboardQuery = field(default_factory=DashboardQuery)
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
    dates are given. Whose records as for the summary."""

    def __init__(self, uow: DashboardUnitOfWork, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    def execute(self, request: MonthlyTrendsRequest) -> list[MonthTrend]:
        if not 1 <= request.months <= MAX_MONTHS:
            raise InvalidValue("months", f"Must be between 1 and {MAX_MONTHS}.")
        query = allowed_query(request.actor, request.query)
        first, last, query = self._window(query, request.months)
        with self._uow:
            found = {m.month: m for m in self._uow.statistics.monthly_totals(query)}
        trends = []
        month: date | None = first
        while month is not None and month <= last:
            totals = found.get(month)
            income = totals.income_cents if totals else 0
            expense = totals.expense_cents if totals else 0
            trends.append(
                MonthTrend(
                    month,
                    amount_of_cents(income),
                    amount_of_cents(expense),
                    amount_of_cents(income - expense),
                    totals.count if totals else 0,
                )
            )
            month = add_months(month, 1)
        return trends

    def _window(self, query: DashboardQuery, months: int) -> tuple[date, date, DashboardQuery]:
        """The first and last month shown, and the query narrowed to them."""
        date_from, date_to = query.date_from, query.date_to
        if date_from is not None and date_to is not None:
            first, last = month_of(date_from), month_of(date_to)
            if months_spanned(first, last) > MAX_MONTHS:
                raise InvalidValue("date_to", f"The range must span at most {MAX_MONTHS} months.")
            return first, last, query
        if date_from is not None:
            first = month_of(date_from)
            end = add_months(first, months - 1)
            if end is None:
                raise InvalidValue("date_from", "The months must end by the year 9999.")
            return first, end, DashboardQuery(query.owner_id, date_from, month_end(end))
        last = month_of(date_to or self._clock.now().astimezone(UTC).date())
        start = add_months(last, -(months - 1))
        if start is None:
            raise InvalidValue("date_to", "The months must start in the year 1 or later.")
        return start, last, DashboardQuery(query.owner_id, start, date_to or month_end(last))
