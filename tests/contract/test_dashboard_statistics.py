"""The dashboard agrees to the cent with a brute-force Decimal computation, on memory, SQLite and
PostgreSQL, for random records (many cent values, month and year edges, case variants of a
category, soft-deleted, updated and restored rows, several owners), every endpoint and scope.
Records are written through the repositories, so the SQL totals are kept up to date by the
same write paths as in production; after every example they must match the records."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete

from finance.adapters.sqlalchemy.tables import (
    record_audit,
    record_daily_totals,
    record_monthly_totals,
    records,
)
from finance.application.analytics.category_totals import CategoryTotals, CategoryTotalsRequest
from finance.application.analytics.monthly_trends import MonthlyTrends, MonthlyTrendsRequest
from finance.application.analytics.recent_transactions import (
    RecentTransactions,
    RecentTransactionsRequest,
)
from finance.application.analytics.statistics import DashboardQuery, DashboardUnitOfWork
from finance.application.analytics.summary import Summary, SummaryRequest
from finance.application.authorization import Actor
from finance.application.ports import NoProgress, UnitOfWork
from finance.domain.money import Money, format_amount
from finance.domain.records import Record, RecordType
from finance.domain.roles import Role
from finance.domain.users import User
from finance.main import Container
from tests.conftest import Store, adapter_unit_of_work

NOW = datetime(2025, 1, 15, 12, 0, tzinfo=UTC)
ZERO = Decimal("0.00")

EDGES = [
    date(2023, 11, 30),
    date(2023, 12, 1),
    date(2023, 12, 31),
    date(2024, 1, 1),
    date(2024, 1, 31),
    date(2024, 2, 1),
    date(2024, 2, 28),
    date(2024, 2, 29),
    date(2024, 3, 1),
    date(2024, 6, 30),
    date(2024, 12, 31),
    date(2025, 1, 1),
    date(2025, 1, 31),
]
dates = st.one_of(
    st.sampled_from(EDGES), st.dates(min_value=date(2023, 11, 1), max_value=date(2025, 2, 28))
)
cents = st.one_of(
    st.sampled_from([1, 5, 10, 99, 100, 101, 999, 999_999_999_999]),
    st.integers(1, 99_999),
    st.integers(1, 999_999_999_999),
)
categories = st.sampled_from(["Food", "food", "FOOD", "Rent", "rent", "Salary", "Café", "CAFÉ"])
kinds = st.sampled_from(list(RecordType))


@dataclass(frozen=True)
class Draft:
    owner: int
    cents: int
    type: RecordType
    category: str
    date: date


drafts = st.builds(Draft, st.integers(0, 2), cents, kinds, categories, dates)
changes = st.fixed_dictionaries(
    {},
    optional={
        "amount": cents.map(Money.from_cents),
        "type": kinds,
        "category": categories,
        "date": dates,
        "owner": st.integers(0, 2),
    },
)
fates = st.one_of(
    st.just(("keep",)),
    st.just(("delete",)),
    st.just(("delete", "restore")),
    st.tuples(st.just("update"), changes),
    st.tuples(st.just("update"), changes, st.just("delete")),
)


@dataclass
class World:
    """One store for the whole test: its users, and a clean slate before each example."""

    store: Store
    container: Container
    owners: list[int]
    admin: Actor
    analysts: list[Actor]
    kept: list[Record] = field(default_factory=list)

    def clear(self) -> None:
        if self.store.name == "memory":
            memory = self.container.memory_store()
            memory.records.clear()
            memory.audit.clear()
        else:
            with self.container.engine().begin() as conn:
                for table in (record_daily_totals, record_monthly_totals, record_audit, records):
                    conn.execute(delete(table))

    def uow(self) -> DashboardUnitOfWork:
        return adapter_unit_of_work(self.container)

    def read_uow(self) -> DashboardUnitOfWork:
        return adapter_unit_of_work(self.container, write=False)


class FixedClock:
    def now(self) -> datetime:
        return NOW


@pytest.fixture
def world(any_store: Store) -> Iterator[World]:
    container = any_store.container()
    uow: UnitOfWork = adapter_unit_of_work(container)
    with uow:
        ids: list[int] = []
        for n, role in enumerate((Role.ADMIN, Role.ANALYST, Role.ANALYST)):
            user = uow.users.add(User(f"u{n}@example.com", f"U{n}", role, "hash", NOW))
            assert user.id is not None
            ids.append(user.id)
        uow.commit()
    yield World(
        any_store,
        container,
        ids,
        Actor(ids[0], Role.ADMIN),
        [Actor(ids[1], Role.ANALYST), Actor(ids[2], Role.ANALYST)],
    )


def write(world: World, plan: list[tuple[Draft, tuple[Any, ...]]]) -> list[Record]:
    """Store the drafts (half in bulk, half one by one), then apply each one's fate in its own
    transaction; returns the records as they should now be."""
    made = [
        Record.create(
            amount=Money.from_cents(d.cents),
            type=d.type,
            category=d.category,
            date=d.date,
            description="",
            owner_id=world.owners[d.owner],
            created_by=world.owners[0],
            now=NOW,
        )
        for d, _ in plan
    ]
    half = len(made) // 2
    uow = world.uow()
    with uow:
        uow.records.add_many(made[:half])
        for record in made[half:]:
            uow.records.add(record)
        uow.commit()
    for record, (_, fate) in zip(made, plan, strict=True):
        for step in fate:
            if step == "keep":
                continue
            assert record.id is not None
            with uow:
                stored = uow.records.get(record.id, for_update=True)
                assert stored is not None
                if step == "delete":
                    stored.soft_delete(NOW)
                elif step == "restore":
                    stored.restore(NOW)
                else:
                    wanted = dict(fate[1])
                    if "owner" in wanted:
                        wanted["owner_id"] = world.owners[wanted.pop("owner")]
                    stored.apply(wanted, NOW)
                uow.records.save(stored)
                uow.commit()
            record.__dict__.update(stored.__dict__)
    return made


def live(
    found: list[Record], owner: int | None, start: date | None, end: date | None
) -> list[Record]:
    return [
        r
        for r in found
        if not r.is_deleted
        and (owner is None or r.owner_id == owner)
        and (start is None or r.date >= start)
        and (end is None or r.date <= end)
    ]


def total(found: list[Record], kind: RecordType) -> Decimal:
    return sum((r.amount.amount for r in found if r.type is kind), ZERO)


def shift(day: date, months: int) -> date:
    """The first day of the month ``months`` after ``day``'s."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def month_labels(start: date, end: date) -> list[str]:
    labels = []
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        labels.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return labels


def check(
    world: World, actor: Actor, owner_id: int | None, start: date | None, end: date | None
) -> None:
    found = live(world.kept, owner_id if actor.role is Role.ADMIN else actor.user_id, start, end)
    scope = DashboardQuery(owner_id, start, end)
    uow = world.read_uow()

    summary = Summary(uow).execute(SummaryRequest(actor, scope))
    income, expense = total(found, RecordType.INCOME), total(found, RecordType.EXPENSE)
    assert (summary.total_income, summary.total_expense) == (income, expense)
    assert summary.net_balance == income - expense
    assert summary.record_count == len(found)
    assert format_amount(summary.net_balance) == f"{income - expense:.2f}"

    for kind in (None, RecordType.INCOME, RecordType.EXPENSE):
        groups: dict[tuple[RecordType, str], list[Record]] = {}
        for r in found:
            if kind is None or r.type is kind:
                groups.setdefault((r.type, r.category.lower()), []).append(r)
        expected = sorted(
            (
                (min(r.category for r in rs), t, sum((r.amount.amount for r in rs), ZERO), len(rs))
                for (t, _), rs in groups.items()
            ),
            key=lambda row: (-row[2], row[0].lower(), row[0], row[1].value),
        )
        lines = CategoryTotals(uow).execute(CategoryTotalsRequest(actor, scope, kind))
        assert [(x.category, x.type, x.total, x.count) for x in lines] == expected

    newest = sorted(found, key=lambda r: (r.date, r.id), reverse=True)
    for limit in (1, 7, 100):
        recent = RecentTransactions(uow).execute(RecentTransactionsRequest(actor, scope, limit))
        assert [r.id for r in recent] == [r.id for r in newest[:limit]]

    trends = MonthlyTrends(uow, FixedClock()).execute(MonthlyTrendsRequest(actor, scope, 14))
    if start and end:
        first, last = start, end
    elif start:
        first, last = start, shift(start, 14) - timedelta(days=1)
    elif end:
        first, last = shift(end, -13), end
    else:
        first, last = date(2023, 12, 1), date(2025, 1, 31)
    labels = month_labels(first, last)
    assert [t.label for t in trends] == labels
    window = live(found, None, first, last)
    for trend in trends:
        month = [r for r in window if f"{r.date:%Y-%m}" == trend.label]
        assert trend.income == total(month, RecordType.INCOME), trend.label
        assert trend.expense == total(month, RecordType.EXPENSE), trend.label
        assert trend.net == trend.income - trend.expense
        assert trend.count == len(month)


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    plan=st.lists(st.tuples(drafts, fates), max_size=30),
    bounds=st.tuples(st.none() | dates, st.none() | dates).map(
        lambda b: tuple(sorted(b)) if None not in b else b  # type: ignore[type-var]
    ),
)
def test_dashboard_matches_a_brute_force_sum(
    world: World, plan: list[tuple[Draft, tuple[Any, ...]]], bounds: tuple[date | None, ...]
) -> None:
    world.clear()
    world.kept = write(world, plan)
    start, end = bounds
    check(world, world.admin, None, start, end)
    for owner in world.owners:
        check(world, world.admin, owner, start, end)
    for analyst in world.analysts:
        check(world, analyst, None, start, end)
        check(world, analyst, analyst.user_id, start, end)
    with world.uow() as uow:
        assert uow.statistics.differences(NoProgress()) == []
