"""The budget report agrees to the cent with a brute-force computation, on memory, SQLite and
PostgreSQL, for random budgets (start and end months, open-ended, rollover on and off), random
expense and income records over random months (soft-deleted ones, categories differing only in
case, other owners and categories) and a random report month. The oracle follows API.md's words
month by month from the raw records; it never reads the stores' totals."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete

from finance.adapters.sqlalchemy.tables import (
    budgets,
    record_audit,
    record_daily_totals,
    record_monthly_totals,
    records,
)
from finance.application.authorization import Actor
from finance.application.budgets.budget_report import BudgetOverview, BudgetReportRequest
from finance.application.errors import Forbidden
from finance.application.ports import UnitOfWork
from finance.domain.budgets import Budget
from finance.domain.money import Money
from finance.domain.records import Record, RecordType
from finance.domain.roles import Role
from finance.domain.users import User
from finance.main import Container
from tests.conftest import Store, adapter_unit_of_work

NOW = datetime(2025, 7, 1, 9, 0, tzinfo=UTC)
FIRST_MONTH = (2023, 11)
#: 2023-11 to 2025-04: two year ends, a leap February and a common one.
MONTHS = 18

months = st.integers(0, MONTHS - 1)
early_months = st.one_of(st.integers(0, 3), months)
late_months = st.one_of(st.integers(MONTHS - 6, MONTHS - 1), months)
cents = st.one_of(
    st.sampled_from([1, 3, 5, 99, 100, 333, 1000, 2000, 99_999_999_999]),
    st.integers(1, 50_000),
)
#: Most records belong to the first user, so that budgets and spending meet often.
owners = st.sampled_from([0, 0, 0, 1, 2])
budget_categories = st.sampled_from(["Food", "food", "Rent", "Café"])
record_categories = st.sampled_from(
    ["Food", "FOOD", "food", "Food", "Rent", "RENT", "Café", "CAFÉ", "café", "Fuel"]
)
days = st.sampled_from([1, 2, 15, 27, 28, 29, 30, 31])


def month_at(index: int) -> date:
    year, number = divmod(FIRST_MONTH[0] * 12 + FIRST_MONTH[1] - 1 + index, 12)
    return date(year, number + 1, 1)


def next_month(when: date) -> date:
    return date(when.year + 1, 1, 1) if when.month == 12 else date(when.year, when.month + 1, 1)


def day_in(month_index: int, day: int) -> date:
    first = month_at(month_index)
    last = (next_month(first) - timedelta(days=1)).day
    return first.replace(day=min(day, last))


@dataclass(frozen=True)
class BudgetDraft:
    owner: int
    category: str
    cents: int
    start: int
    length: int | None
    rollover: bool


@dataclass(frozen=True)
class RecordDraft:
    owner: int
    type: RecordType
    category: str
    cents: int
    month: int
    day: int
    deleted: bool


budget_drafts = st.builds(
    BudgetDraft,
    owners,
    budget_categories,
    cents,
    early_months,
    st.none() | st.integers(1, 12),
    st.booleans(),
)
record_drafts = st.builds(
    RecordDraft,
    owners,
    st.sampled_from([RecordType.EXPENSE, RecordType.EXPENSE, RecordType.INCOME]),
    record_categories,
    cents,
    months,
    days,
    st.sampled_from([False, False, True]),
)


@dataclass(frozen=True)
class Plan:
    budgets: list[BudgetDraft]
    records: list[RecordDraft]
    report_month: int


@st.composite
def plans(draw: st.DrawFn) -> Plan:
    """Budgets, a report month, and records of which about half aim at a budget: its owner,
    its category in some case, a month from its start to the report month; the rest anywhere."""
    budgets = draw(st.lists(budget_drafts, min_size=1, max_size=6))
    report_month = draw(late_months)
    found = []
    for _ in range(draw(st.integers(5, 40))):
        record = draw(record_drafts)
        if draw(st.booleans()):
            aim = draw(st.sampled_from(budgets))
            spelling = draw(
                st.sampled_from([aim.category, aim.category.lower(), aim.category.upper()])
            )
            when = draw(
                st.one_of(st.just(report_month), st.integers(aim.start, report_month))
                if aim.start <= report_month
                else months
            )
            record = replace(record, owner=aim.owner, category=spelling, month=when)
        found.append(record)
    return Plan(budgets, found, report_month)


@dataclass
class World:
    """One store for the whole test, its users, and a clean slate before each example."""

    store: Store
    container: Container
    users: list[int]

    def clear(self) -> None:
        if self.store.name == "memory":
            memory = self.container.memory_store()
            memory.records.clear()
            memory.audit.clear()
            memory.budgets.clear()
        else:
            with self.container.engine().begin() as conn:
                for table in (
                    record_daily_totals,
                    record_monthly_totals,
                    record_audit,
                    records,
                    budgets,
                ):
                    conn.execute(delete(table))

    def uow(self) -> UnitOfWork:
        return adapter_unit_of_work(self.container)


@pytest.fixture
def world(any_store: Store) -> World:
    container = any_store.container()
    uow: UnitOfWork = adapter_unit_of_work(container)
    ids = []
    with uow:
        for n, role in enumerate((Role.ADMIN, Role.ANALYST, Role.VIEWER)):
            user = uow.users.add(User(f"b{n}@example.com", f"B{n}", role, "hash", NOW))
            assert user.id is not None
            ids.append(user.id)
        uow.commit()
    return World(any_store, container, ids)


def overlapping(a: Budget, b: Budget) -> bool:
    far = date.max
    return (
        a.owner_id == b.owner_id
        and a.category.lower() == b.category.lower()
        and a.start_month <= (b.end_month or far)
        and b.start_month <= (a.end_month or far)
    )


def store_budgets(world: World, drafts: list[BudgetDraft]) -> list[Budget]:
    """The drafts as budgets, leaving out any that would overlap one kept before it (the API
    refuses those)."""
    kept: list[Budget] = []
    for d in drafts:
        start = month_at(d.start)
        end = None if d.length is None else month_at(d.start + d.length - 1)
        budget = Budget.create(
            owner_id=world.users[d.owner],
            category=d.category,
            amount=Money.from_cents(d.cents),
            start_month=start,
            end_month=end,
            rollover=d.rollover,
            now=NOW,
        )
        if not any(overlapping(budget, other) for other in kept):
            kept.append(budget)
    uow = world.uow()
    with uow:
        for budget in kept:
            uow.budgets.add(budget)
        uow.commit()
    return kept


def store_records(world: World, drafts: list[RecordDraft]) -> list[Record]:
    """The drafts as records (half in bulk, half one by one); then the deleted ones are
    soft-deleted, each in its own transaction, as the API does."""
    made = [
        Record.create(
            amount=Money.from_cents(d.cents),
            type=d.type,
            category=d.category,
            date=day_in(d.month, d.day),
            description="",
            owner_id=world.users[d.owner],
            created_by=world.users[0],
            now=NOW,
        )
        for d in drafts
    ]
    half = len(made) // 2
    uow = world.uow()
    with uow:
        uow.records.add_many(made[:half])
        for record in made[half:]:
            uow.records.add(record)
        uow.commit()
    for record, draft in zip(made, drafts, strict=True):
        if draft.deleted:
            assert record.id is not None
            with uow:
                stored = uow.records.get(record.id, for_update=True)
                assert stored is not None
                stored.soft_delete(NOW)
                uow.records.save(stored)
                uow.commit()
            record.soft_delete(NOW)
    return made


@dataclass(frozen=True)
class Expected:
    budgeted: int
    carried: int
    spent: int
    available: int
    remaining: int
    percent_used: str | None


def spent_cents(found: list[Record], budget: Budget, when: date) -> int:
    """Live expenses of the budget's owner in its category (any case) dated in month ``when``."""
    return sum(
        r.amount.cents
        for r in found
        if not r.is_deleted
        and r.type is RecordType.EXPENSE
        and r.owner_id == budget.owner_id
        and r.category.lower() == budget.category.lower()
        and r.date.year == when.year
        and r.date.month == when.month
    )


def percent(spent: int, available: int) -> str | None:
    """``spent / available * 100`` with one decimal, rounded half up, in whole integers."""
    if available <= 0:
        return None
    tenths, rest = divmod(spent * 1000, available)
    if 2 * rest >= available:
        tenths += 1
    return f"{tenths // 10}.{tenths % 10}"


def by_hand(found: list[Record], budget: Budget, when: date) -> Expected:
    """Walk the budget's months from its first to ``when``: each month's ``carried`` is the
    previous month's ``remaining`` with rollover (0 in the first month), else 0."""
    amount = budget.amount.cents
    current = budget.start_month
    carried = 0
    while True:
        spent = spent_cents(found, budget, current)
        available = amount + carried
        remaining = available - spent
        if current == when:
            return Expected(amount, carried, spent, available, remaining, percent(spent, available))
        carried = remaining if budget.rollover else 0
        current = next_month(current)


def cents_of(amount: Decimal) -> int:
    scaled = amount * 100
    assert scaled == scaled.to_integral_value(), amount
    return int(scaled)


def check(
    world: World,
    kept: list[Budget],
    found: list[Record],
    actor: Actor,
    owner_id: int | None,
    when: date,
) -> None:
    report: BudgetOverview = world.container.budget_report().execute(
        BudgetReportRequest(actor, when, owner_id)
    )
    assert report.month == when
    scope = owner_id if actor.role is Role.ADMIN else actor.user_id
    in_force = {
        b.id: b
        for b in kept
        if (scope is None or b.owner_id == scope)
        and b.start_month <= when
        and (b.end_month is None or when <= b.end_month)
    }
    assert sorted(line.budget.id or 0 for line in report.lines) == sorted(b or 0 for b in in_force)
    totals = {"budgeted": 0, "available": 0, "spent": 0, "remaining": 0}
    for line in report.lines:
        budget = in_force[line.budget.id]
        expected = by_hand(found, budget, when)
        got = Expected(
            cents_of(line.budgeted),
            cents_of(line.carried),
            cents_of(line.spent),
            cents_of(line.available),
            cents_of(line.remaining),
            None if line.percent_used is None else str(line.percent_used),
        )
        assert got == expected, (budget, when)
        assert (line.budget.owner_id, line.budget.category) == (budget.owner_id, budget.category)
        for name in totals:
            totals[name] += getattr(expected, name)
    for name, value in totals.items():
        assert cents_of(report.total(name)) == value, name


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(plan=plans())
@example(
    plan=Plan(
        [BudgetDraft(0, "Food", 2000, 0, None, False)],
        [
            RecordDraft(0, RecordType.EXPENSE, "FOOD", 1, 3, 15, False),
            RecordDraft(0, RecordType.EXPENSE, "food", 2, 3, 31, True),
        ],
        3,
    )
).via("0.05 % is a tie: half up gives 0.1")
@example(
    plan=Plan(
        [BudgetDraft(0, "Rent", 1000, 1, None, True), BudgetDraft(1, "rent", 1000, 1, 2, True)],
        [
            RecordDraft(0, RecordType.EXPENSE, "RENT", 2000, 1, 1, False),
            RecordDraft(0, RecordType.EXPENSE, "Rent", 5, 2, 29, False),
            RecordDraft(0, RecordType.INCOME, "Rent", 5000, 2, 1, False),
            RecordDraft(1, RecordType.EXPENSE, "Rent", 2500, 1, 31, False),
            RecordDraft(1, RecordType.EXPENSE, "Rent", 99, 0, 31, False),
        ],
        2,
    )
).via("overspent: nothing available (0) and less than nothing (-500)")
def test_the_budget_report_matches_a_month_by_month_walk(world: World, plan: Plan) -> None:
    world.clear()
    kept = store_budgets(world, plan.budgets)
    found = store_records(world, plan.records)
    when = month_at(plan.report_month)
    admin = Actor(world.users[0], Role.ADMIN)
    analyst = Actor(world.users[1], Role.ANALYST)
    check(world, kept, found, admin, None, when)
    for owner in world.users:
        check(world, kept, found, admin, owner, when)
    check(world, kept, found, analyst, None, when)
    check(world, kept, found, analyst, world.users[1], when)
    with pytest.raises(Forbidden):
        world.container.budget_report().execute(BudgetReportRequest(analyst, when, world.users[2]))
    with pytest.raises(Forbidden):
        world.container.budget_report().execute(
            BudgetReportRequest(Actor(world.users[2], Role.VIEWER), when)
        )
