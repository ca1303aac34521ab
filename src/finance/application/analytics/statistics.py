"""What the dashboard reads: the statistics port, its read models, and the query of a query."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Protocol

from finance.application.ports import (
    BudgetRepository,
    Progress,
    RecordRepository,
    ScheduleRepository,
    Transaction,
)
from finance.domain.errors import InvalidValue
from finance.domain.records import Record, RecordType


@dataclass(frozen=True)
class DashboardQuery:
    """Live records of one owner (``None``: every owner) dated within the bounds (inclusive;
    ``None``: unbounded)."""

    owner_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None

    def __post_init__(self) -> None:
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise InvalidValue("date_from", "Must not be after date_to.")

    def includes(self, record: Record) -> bool:
        """The query in plain Python, for stores that have no query engine."""
        return (
            not record.is_deleted
            and (self.owner_id is None or record.owner_id == self.owner_id)
            and (self.date_from is None or record.date >= self.date_from)
            and (self.date_to is None or record.date <= self.date_to)
        )


@dataclass(frozen=True)
class Totals:
    income_cents: int
    expense_cents: int
    count: int


@dataclass(frozen=True)
class CategoryTotal:
    """The records of one type whose categories are equal ignoring case; ``category`` is the
    spelling among them that sorts first by code point."""

    type: RecordType
    category: str
    total_cents: int
    count: int


@dataclass(frozen=True)
class MonthTotals:
    month: date
    income_cents: int
    expense_cents: int
    count: int


class DashboardStatistics(Protocol):
    """Sums over live records, exact, in integer cents. Rows come in no particular order:
    ordering, gap-filling and net amounts are the use cases' work."""

    def totals(self, query: DashboardQuery) -> Totals: ...

    def category_totals(
        self, query: DashboardQuery, type: RecordType | None
    ) -> list[CategoryTotal]:
        """One row per (type, category ignoring case) that has records in the query."""
        ...

    def monthly_totals(self, query: DashboardQuery) -> list[MonthTotals]:
        """One row per month (its first day) that has records in the query."""
        ...

    def monthly_expenses(
        self, owners_and_categories: set[tuple[int, str]], first: date, last: date
    ) -> dict[tuple[int, str, date], int]:
        """Live expenses in cents per (owner, category key, month) for the given owners and
        category keys, from month ``first`` to month ``last`` (first days, both included);
        months without any are left out."""
        ...

    def differences(self, progress: Progress) -> list[str]:
        """Where stored totals (if the store keeps any) differ from the records; empty if
        none do. Progress in records read."""
        ...

    def rebuild(self, progress: Progress) -> None:
        """Recompute every stored total from the records. Progress in records read."""
        ...


class DashboardUnitOfWork(Transaction, Protocol):
    """A transaction that reads records and the dashboard's statistics."""

    @property
    def records(self) -> RecordRepository: ...

    @property
    def statistics(self) -> DashboardStatistics: ...

    @property
    def budgets(self) -> BudgetRepository: ...

    @property
    def schedules(self) -> ScheduleRepository: ...
