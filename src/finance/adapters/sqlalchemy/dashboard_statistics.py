"""The dashboard's sums in SQL, read from the totals tables (see ``totals``). A query covers
whole months of its range from the monthly table and the partial months at its edges from the
daily table, so its cost depends on the number of owners, months and categories, never on the
number of records."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Table,
    delete,
    func,
    select,
)

from finance.adapters.sqlalchemy.dashboard_statements import (
    category_statement,
    count_statement,
    monthly_statement,
    plan,
    totals_statement,
)
from finance.adapters.sqlalchemy.tables import records
from finance.adapters.sqlalchemy.totals import (
    TotalsKey,
    add_to_totals,
    daily,
    monthly,
)
from finance.application.analytics.statistics import (
    CategoryTotal,
    DashboardQuery,
    MonthTotals,
    Totals,
)
from finance.application.ports import Progress
from finance.domain.months import month_of
from finance.domain.records import RecordType, category_key

#: How many record ids one GROUP BY of a check or a rebuild covers.
RECORDS_PER_PASS = 200_000


class SqlDashboardStatistics:
    def __init__(self, connection: Connection) -> None:
        self._conn = connection
        self._dialect = connection.dialect.name

    def _run(
        self,
        build: Any,
        query: DashboardQuery,
        type: RecordType | None = None,
        category_key: str | None = None,
    ) -> Any:
        shape, values = plan(self._dialect, query, type, category_key)
        return self._conn.execute(build(shape), values)

    def totals(self, query: DashboardQuery) -> Totals:
        rows = self._run(totals_statement, query).all()
        sums = {kind: (int(cents), int(count)) for kind, cents, count in rows}
        income = sums.get(RecordType.INCOME.value, (0, 0))
        expense = sums.get(RecordType.EXPENSE.value, (0, 0))
        return Totals(income[0], expense[0], income[1] + expense[1])

    def record_count(
        self, query: DashboardQuery, type: RecordType | None, category_key: str | None
    ) -> int:
        """How many live records the query holds, of one type and category if given."""
        total = self._run(count_statement, query, type, category_key).scalar_one()
        return int(total or 0)

    def category_totals(
        self, query: DashboardQuery, type: RecordType | None
    ) -> list[CategoryTotal]:
        return [
            CategoryTotal(RecordType(kind), category, int(cents), int(count))
            for kind, category, cents, count in self._run(category_statement, query, type)
        ]

    def monthly_totals(self, query: DashboardQuery) -> list[MonthTotals]:
        months: dict[date, list[int]] = {}
        for month, kind, cents, count in self._run(monthly_statement, query):
            sums = months.setdefault(month, [0, 0, 0])
            sums[0 if kind == RecordType.INCOME.value else 1] += int(cents)
            sums[2] += int(count)
        return [MonthTotals(month, s[0], s[1], s[2]) for month, s in months.items()]

    def monthly_expenses(
        self, owners_and_categories: set[tuple[int, str]], first: date, last: date
    ) -> dict[tuple[int, str, date], int]:
        if not owners_and_categories:
            return {}
        owners = sorted({owner for owner, _ in owners_and_categories})
        keys = sorted({key for _, key in owners_and_categories})
        rows = self._conn.execute(
            select(
                monthly.c.owner_id,
                monthly.c.category_key,
                monthly.c.month,
                func.sum(monthly.c.total_cents),
            )
            .where(
                monthly.c.type == RecordType.EXPENSE.value,
                monthly.c.owner_id.in_(owners),
                monthly.c.category_key.in_(keys),
                monthly.c.month >= first,
                monthly.c.month <= last,
            )
            .group_by(monthly.c.owner_id, monthly.c.category_key, monthly.c.month)
        )
        return {
            (owner, key, month): int(cents)
            for owner, key, month, cents in rows
            if (owner, key) in owners_and_categories and cents
        }

    def differences(self, progress: Progress) -> list[str]:
        expected_days = self._sums_from_records(progress, "Checking the totals")
        expected_months: dict[TotalsKey, tuple[int, int]] = {}
        for (owner_id, day, kind, category), (cents, count) in expected_days.items():
            key = (owner_id, month_of(day), kind, category)
            before = expected_months.get(key, (0, 0))
            expected_months[key] = (before[0] + cents, before[1] + count)
        found = []
        for table, period, expected in (
            (daily, "day", expected_days),
            (monthly, "month", expected_months),
        ):
            stored = dict(self._stored(table, period))
            for key in sorted(set(expected) | set(stored)):
                want, have = expected.get(key, (0, 0)), stored.get(key, (0, 0))
                if want != have:
                    owner_id, when, kind, category = key
                    found.append(
                        f"{table.name}: owner {owner_id}, {period} {when}, {kind}, {category!r}:"
                        f" stored {have[0]} cents in {have[1]} records,"
                        f" the records give {want[0]} cents in {want[1]}"
                    )
        return found

    def _sums_from_records(
        self, progress: Progress, stage: str
    ) -> dict[TotalsKey, tuple[int, int]]:
        """The live records' sums per (owner, day, type, category), read a range of ids at a
        time: each GROUP BY sorts at most ``RECORDS_PER_PASS`` rows, so memory stays bounded
        (by the number of totals, not of records) and the time linear."""
        last_id: int = self._conn.execute(
            select(func.coalesce(func.max(records.c.id), 0))
        ).scalar_one()
        progress.begin(stage, last_id)
        sums: dict[TotalsKey, tuple[int, int]] = {}
        group = (records.c.owner_id, records.c.date, records.c.type, records.c.category)
        live: ColumnElement[bool] = records.c.is_deleted.is_(False)
        if self._dialect == "sqlite":
            # Or SQLite's planner walks the whole index of live records on every pass, for
            # the ids of one range: 10M records took 14x as long as 1M.
            live = func.likely(live)
        for first in range(1, last_id + 1, RECORDS_PER_PASS):
            last = min(first + RECORDS_PER_PASS - 1, last_id)
            rows = self._conn.execute(
                select(*group, func.sum(records.c.amount_cents), func.count())
                .where(records.c.id.between(first, last), live)
                .group_by(*group)
            )
            for owner_id, day, kind, category, cents, count in rows:
                key = (owner_id, day, kind, category)
                before = sums.get(key, (0, 0))
                sums[key] = (before[0] + int(cents), before[1] + int(count))
            progress.advance(last - first + 1)
        return sums

    def _stored(self, table: Table, period: str) -> Iterable[tuple[TotalsKey, tuple[int, int]]]:
        rows = self._conn.execute(
            select(
                table.c.owner_id,
                table.c[period],
                table.c.type,
                table.c.category,
                table.c.category_key,
                table.c.total_cents,
                table.c.record_count,
            )
        )
        for owner_id, when, kind, category, key, cents, count in rows:
            if (cents, count) != (0, 0) or key != category_key(category):
                yield (owner_id, when, kind, category), (int(cents), int(count))

    def rebuild(self, progress: Progress) -> None:
        days = self._sums_from_records(progress, "Rebuilding the totals")
        self._conn.execute(delete(daily))
        self._conn.execute(delete(monthly))
        add_to_totals(self._conn, days)
