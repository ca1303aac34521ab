"""The dashboard's sums computed from the in-memory records on every read."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from finance.adapters.memory.store import MemoryTransaction
from finance.application.analytics.statistics import (
    CategoryTotal,
    DashboardQuery,
    MonthTotals,
    Totals,
)
from finance.application.ports import Progress
from finance.domain.months import month_of
from finance.domain.records import Record, RecordType, category_key


class MemoryDashboardStatistics:
    """Keeps nothing besides the records, so there is never anything to verify or rebuild."""

    def __init__(self, tx: MemoryTransaction) -> None:
        self._records = tx.store.records

    def _live(self, query: DashboardQuery) -> Iterator[Record]:
        return (r for r in self._records.values() if query.includes(r))

    def totals(self, query: DashboardQuery) -> Totals:
        sums = {RecordType.INCOME: 0, RecordType.EXPENSE: 0}
        count = 0
        for record in self._live(query):
            sums[record.type] += record.amount.cents
            count += 1
        return Totals(sums[RecordType.INCOME], sums[RecordType.EXPENSE], count)

    def category_totals(
        self, query: DashboardQuery, type: RecordType | None
    ) -> list[CategoryTotal]:
        groups: dict[tuple[RecordType, str], tuple[str, int, int]] = {}
        for record in self._live(query):
            if type is not None and record.type is not type:
                continue
            key = (record.type, category_key(record.category))
            spelling, cents, count = groups.get(key, (record.category, 0, 0))
            groups[key] = (
                min(spelling, record.category),
                cents + record.amount.cents,
                count + 1,
            )
        return [
            CategoryTotal(kind, spelling, cents, count)
            for (kind, _), (spelling, cents, count) in groups.items()
        ]

    def monthly_totals(self, query: DashboardQuery) -> list[MonthTotals]:
        months: dict[date, list[int]] = {}
        for record in self._live(query):
            sums = months.setdefault(month_of(record.date), [0, 0, 0])
            sums[0 if record.type is RecordType.INCOME else 1] += record.amount.cents
            sums[2] += 1
        return [MonthTotals(month, s[0], s[1], s[2]) for month, s in months.items()]

    def monthly_expenses(
        self, owners_and_categories: set[tuple[int, str]], first: date, last: date
    ) -> dict[tuple[int, str, date], int]:
        sums: dict[tuple[int, str, date], int] = {}
        for record in self._records.values():
            key = (record.owner_id, category_key(record.category))
            month = month_of(record.date)
            if (
                record.is_deleted
                or record.type is not RecordType.EXPENSE
                or key not in owners_and_categories
                or not first <= month <= last
            ):
                continue
            cell = (*key, month)
            sums[cell] = sums.get(cell, 0) + record.amount.cents
        return sums

    def differences(self, progress: Progress) -> list[str]:
        return []

    def rebuild(self, progress: Progress) -> None:
        return None
