"""The budget and schedule repositories behave alike on memory, SQLite and PostgreSQL: every
attribute survives the round trip, lists and filters agree with a brute-force answer, the
use cases' changes are kept, and each occurrence of a schedule is noted exactly once."""

from __future__ import annotations

import threading
import time
from copy import deepcopy
from dataclasses import dataclass, fields, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from dependency_injector import providers

from finance.application.authorization import Actor
from finance.application.budgets.create_budget import CreateBudgetRequest
from finance.application.budgets.delete_budget import DeleteBudgetRequest
from finance.application.budgets.update_budget import UpdateBudgetRequest
from finance.application.errors import Conflict, NotFound, PreconditionFailed
from finance.application.pagination import PageRequest
from finance.application.ports import BudgetQuery, ScheduleQuery, UnitOfWork
from finance.application.records.filters import RecordFilter, RecordQuery
from finance.application.recurring.create_schedule import CreateScheduleRequest
from finance.application.recurring.deactivate_schedule import DeactivateScheduleRequest
from finance.application.recurring.occurrences import make_due
from finance.application.recurring.run_schedule import RunScheduleRequest
from finance.application.recurring.update_schedule import UpdateScheduleRequest
from finance.domain.budgets import Budget
from finance.domain.money import Money
from finance.domain.records import Record, RecordType
from finance.domain.roles import Role
from finance.domain.schedules import Frequency, Schedule
from finance.domain.users import User
from finance.main import Container
from tests.conftest import Store, adapter_unit_of_work

NOW = datetime(2026, 5, 17, 8, 30, 15, 123456, tzinfo=UTC)
LATER = NOW + timedelta(days=1, microseconds=654321)


def month(year: int, number: int) -> date:
    return date(year, number, 1)


def assert_same_budget(actual: Budget | None, expected: Budget) -> None:
    assert actual is not None
    for f in fields(Budget):
        assert getattr(actual, f.name) == getattr(expected, f.name), f.name
    assert actual.created_at.utcoffset() == timedelta(0)
    assert actual.updated_at.utcoffset() == timedelta(0)


def assert_same_schedule(actual: Schedule | None, expected: Schedule) -> None:
    assert actual is not None
    for f in fields(Schedule):
        assert getattr(actual, f.name) == getattr(expected, f.name), f.name
    assert actual.created_at.utcoffset() == timedelta(0)
    assert actual.updated_at.utcoffset() == timedelta(0)


def assert_same_record(actual: Record | None, expected: Record) -> None:
    assert actual is not None
    for f in fields(Record):
        assert getattr(actual, f.name) == getattr(expected, f.name), f.name


@dataclass(frozen=True)
class People:
    admin: int
    owners: list[int]

    @property
    def actor(self) -> Actor:
        return Actor(self.admin, Role.ADMIN)


class FixedClock:
    def __init__(self, now: datetime) -> None:
        self.at = now

    def now(self) -> datetime:
        return self.at


@pytest.fixture
def container(any_store: Store) -> Container:
    container = any_store.container()
    container.clock.override(providers.Object(FixedClock(NOW)))
    return container


@pytest.fixture
def uow(container: Container) -> UnitOfWork:
    return adapter_unit_of_work(container)


@pytest.fixture
def people(uow: UnitOfWork) -> People:
    ids = []
    with uow:
        for n, role in enumerate((Role.ADMIN, Role.VIEWER, Role.ANALYST)):
            user = uow.users.add(User(f"p{n}@example.com", f"P{n}", role, "hash", NOW))
            assert user.id is not None
            ids.append(user.id)
        uow.commit()
    return People(ids[0], ids[1:])


def new_budget(owner: int, **changes: Any) -> Budget:
    budget = Budget(
        owner_id=owner,
        category="Groceries",
        amount=Money.parse("250.00"),
        start_month=month(2026, 1),
        created_at=NOW,
        updated_at=NOW,
    )
    return replace(budget, **changes)


def new_schedule(owner: int, created_by: int, **changes: Any) -> Schedule:
    schedule = Schedule(
        owner_id=owner,
        amount=Money.parse("950.00"),
        type=RecordType.EXPENSE,
        category="Rent",
        frequency=Frequency.MONTHLY,
        start_date=date(2026, 1, 31),
        created_by=created_by,
        created_at=NOW,
        updated_at=NOW,
    )
    return replace(schedule, **changes)


def add_budgets(uow: UnitOfWork, *budgets: Budget) -> list[Budget]:
    with uow:
        stored = [uow.budgets.add(b) for b in budgets]
        uow.commit()
    return stored


def add_schedules(uow: UnitOfWork, *schedules: Schedule) -> list[Schedule]:
    with uow:
        stored = [uow.schedules.add(s) for s in schedules]
        uow.commit()
    return stored


def records_of(uow: UnitOfWork, owner: int) -> list[Record]:
    with uow:
        page = uow.records.find_page(RecordQuery(RecordFilter(owner_id=owner)), PageRequest(1, 100))
    return page.items


# Budgets ---------------------------------------------------------------------------------


def test_every_budget_attribute_round_trips(uow: UnitOfWork, people: People) -> None:
    open_ended, bounded = add_budgets(
        uow,
        new_budget(people.owners[0], amount=Money.parse("9999999999.99"), rollover=True),
        new_budget(
            people.owners[1],
            category="Café — Ünïcode",
            amount=Money.parse("0.01"),
            start_month=month(1999, 12),
            end_month=month(2000, 2),
            rollover=False,
            version=7,
            created_at=NOW - timedelta(days=400, microseconds=1),
        ),
    )
    assert open_ended.id is not None and bounded.id is not None
    assert open_ended.id != bounded.id
    with uow:
        assert_same_budget(uow.budgets.get(open_ended.id), open_ended)
        assert_same_budget(uow.budgets.get(bounded.id), bounded)
        assert uow.budgets.get(max(open_ended.id, bounded.id) + 1000) is None

    open_ended.apply(
        {
            "owner_id": people.owners[1],
            "category": "Food",
            "amount": Money.parse("12.34"),
            "start_month": month(2025, 2),
            "end_month": month(2027, 12),
            "rollover": False,
        },
        LATER,
    )
    bounded.apply({"end_month": None, "rollover": True}, LATER)
    with uow:
        uow.budgets.save(open_ended)
        uow.budgets.save(bounded)
        uow.commit()
    with uow:
        assert_same_budget(uow.budgets.get(open_ended.id, for_update=True), open_ended)
        assert_same_budget(uow.budgets.get(bounded.id), bounded)
        renamed = uow.budgets.find(BudgetQuery(category_key="food"), PageRequest())
        old_name = uow.budgets.find(BudgetQuery(category_key="groceries"), PageRequest())
        clash = uow.budgets.overlapping(replace(open_ended, id=None, category="FOOD"))
    assert [b.id for b in renamed.items] == [open_ended.id]
    assert old_name.items == [] and old_name.total == 0
    assert [b.id for b in clash] == [open_ended.id]


def test_budgets_are_kept_only_on_commit_and_only_through_save(
    uow: UnitOfWork, people: People
) -> None:
    with uow:
        dropped = uow.budgets.add(new_budget(people.owners[0]))
        assert dropped.id is not None
    with uow:
        assert uow.budgets.get(dropped.id) is None
        assert uow.budgets.find(BudgetQuery(), PageRequest()).total == 0
    [kept] = add_budgets(uow, new_budget(people.owners[0]))
    assert kept.id is not None
    with uow:
        fetched = uow.budgets.get(kept.id)
        assert fetched is not None
        fetched.apply({"amount": Money.parse("1.00")}, LATER)
        uow.budgets.save(fetched)
    with uow:
        unsaved = uow.budgets.get(kept.id)
        assert unsaved is not None
        unsaved.rollover = True
        uow.commit()
    with uow:
        assert_same_budget(uow.budgets.get(kept.id), kept)


BUDGET_SEED = [
    (0, "Food", month(2026, 1), None, False),
    (0, "Rent", month(2026, 1), month(2026, 3), True),
    (0, "rent", month(2026, 4), month(2026, 4), False),
    (0, "Café", month(2025, 11), month(2026, 2), False),
    (1, "FOOD", month(2025, 12), month(2026, 2), True),
    (1, "Food", month(2026, 3), None, False),
    (1, "CAFÉ", month(2026, 1), month(2026, 1), False),
    (1, "Rent", month(2024, 6), None, True),
]


def seed_budgets(uow: UnitOfWork, people: People) -> list[Budget]:
    return add_budgets(
        uow,
        *[
            new_budget(
                people.owners[o],
                category=c,
                start_month=s,
                end_month=e,
                rollover=r,
                amount=Money.from_cents(1000 + n),
            )
            for n, (o, c, s, e, r) in enumerate(BUDGET_SEED)
        ],
    )


def covers(budget: Budget, when: date) -> bool:
    return budget.start_month <= when and (budget.end_month is None or when <= budget.end_month)


QUERY_MONTHS = [
    None,
    month(2024, 5),
    month(2025, 11),
    month(2026, 1),
    month(2026, 2),
    month(2026, 3),
    month(2026, 4),
    month(2026, 5),
    month(9999, 12),
]
CATEGORY_KEYS = [None, "food", "rent", "café", "travel"]


def test_budget_lists_filter_count_and_page_alike(uow: UnitOfWork, people: People) -> None:
    """Every combination of owner, category key and month against the brute-force answer:
    oldest first, the total, and a second page of two."""
    stored = seed_budgets(uow, people)
    with uow:
        for owner in (None, *people.owners):
            for key in CATEGORY_KEYS:
                for when in QUERY_MONTHS:
                    query = BudgetQuery(owner, key, when)
                    expected = sorted(
                        b.id
                        for b in stored
                        if b.id is not None
                        and (owner is None or b.owner_id == owner)
                        and (key is None or b.category.lower() == key)
                        and (when is None or covers(b, when))
                    )
                    page = uow.budgets.find(query, PageRequest(1, 100))
                    second = uow.budgets.find(query, PageRequest(2, 2))
                    assert [b.id for b in page.items] == expected, query
                    assert page.total == len(expected), query
                    assert [b.id for b in second.items] == expected[2:4], query
                    assert second.total == len(expected), query
        for budget in uow.budgets.find(BudgetQuery(), PageRequest(1, 100)).items:
            assert_same_budget(budget, next(b for b in stored if b.id == budget.id))


def test_budgets_in_force_agree(uow: UnitOfWork, people: People) -> None:
    stored = seed_budgets(uow, people)
    with uow:
        for owner in (None, *people.owners):
            for when in QUERY_MONTHS[1:]:
                assert when is not None
                expected = sorted(
                    b.id
                    for b in stored
                    if b.id is not None
                    and (owner is None or b.owner_id == owner)
                    and covers(b, when)
                )
                found = uow.budgets.in_force(owner, when)
                assert [b.id for b in found] == expected, (owner, when)
                for budget in found:
                    assert_same_budget(budget, next(b for b in stored if b.id == budget.id))


def overlap_by_hand(a: Budget, b: Budget) -> bool:
    """Same owner, categories equal ignoring case, and some month within both ranges."""
    far = date.max
    return (
        a.owner_id == b.owner_id
        and a.category.lower() == b.category.lower()
        and a.start_month <= (b.end_month or far)
        and b.start_month <= (a.end_month or far)
    )


PROBE_RANGES = [
    (month(2020, 1), month(2024, 5)),
    (month(2020, 1), month(2024, 6)),
    (month(2025, 1), month(2025, 12)),
    (month(2025, 6), month(2026, 1)),
    (month(2026, 2), month(2026, 2)),
    (month(2026, 3), month(2026, 4)),
    (month(2026, 4), None),
    (month(2026, 5), None),
    (month(2030, 1), None),
    (month(2000, 1), None),
]


def test_overlap_detection_agrees_with_the_months(uow: UnitOfWork, people: People) -> None:
    """New budgets (no id yet) of each owner, category spelling and month range, and every
    stored budget moved to other months: the stored budgets they overlap, never themselves."""
    stored = seed_budgets(uow, people)
    probes = [
        new_budget(owner, category=category, start_month=start, end_month=end)
        for owner in people.owners
        for category in ("FOOD", "rent", "café", "Travel")
        for start, end in PROBE_RANGES
    ]
    probes += [
        replace(b, start_month=start, end_month=end) for b in stored for start, end in PROBE_RANGES
    ]
    found_any = False
    with uow:
        for probe in probes:
            expected = sorted(
                b.id
                for b in stored
                if b.id is not None and b.id != probe.id and overlap_by_hand(b, probe)
            )
            found = uow.budgets.overlapping(probe)
            assert sorted(b.id or 0 for b in found) == expected, probe
            found_any = found_any or bool(expected)
        for budget in stored:
            assert uow.budgets.overlapping(budget) == [], budget
    assert found_any


def test_a_removed_budget_is_gone_everywhere_once_committed(
    uow: UnitOfWork, people: People
) -> None:
    stored = seed_budgets(uow, people)
    gone, *rest = stored
    assert gone.id is not None
    with uow:
        uow.budgets.remove(gone.id)
    with uow:
        assert_same_budget(uow.budgets.get(gone.id), gone)
        uow.budgets.remove(gone.id)
        uow.commit()
    with uow:
        assert uow.budgets.get(gone.id) is None
        listed = uow.budgets.find(BudgetQuery(), PageRequest(1, 100))
        assert [b.id for b in listed.items] == [b.id for b in rest]
        assert listed.total == len(rest)
        assert gone.id not in [b.id for b in uow.budgets.in_force(None, month(2026, 1))]
        assert uow.budgets.overlapping(replace(gone, id=None)) == []
        for budget in rest:
            assert budget.id is not None
            assert_same_budget(uow.budgets.get(budget.id), budget)


def test_the_budget_use_cases_keep_what_they_change(
    container: Container, uow: UnitOfWork, people: People
) -> None:
    """Create stamps the clock's time and version 1; each update stores every changed field,
    moves the version on by one and stamps ``updated_at``; a stale version or a change that
    would overlap another budget changes nothing; delete removes it, a second delete is 404."""
    actor = people.actor
    owner = people.owners[0]
    created = container.create_budget().execute(
        CreateBudgetRequest(
            actor, "  Food ", Money.parse("300.00"), month(2026, 1), month(2026, 12), False, owner
        )
    )
    assert created.id is not None
    other = container.create_budget().execute(
        CreateBudgetRequest(actor, "FOOD", Money.parse("1.00"), month(2028, 1), None, False, owner)
    )
    with uow:
        stored = uow.budgets.get(created.id)
    assert stored is not None
    assert (stored.version, stored.created_at, stored.updated_at) == (1, NOW, NOW)
    assert (stored.category, stored.end_month, stored.rollover) == ("Food", month(2026, 12), False)

    container.clock.override(providers.Object(FixedClock(LATER)))
    changes: dict[str, Any] = {
        "category": "food",
        "amount": Money.parse("412.50"),
        "end_month": month(2027, 6),
        "rollover": True,
    }
    updated = container.update_budget().execute(
        UpdateBudgetRequest(actor, created.id, changes, expected_version=1)
    )
    expected = replace(stored, **changes, version=2, updated_at=LATER)
    assert_same_budget(updated, expected)
    with uow:
        assert_same_budget(uow.budgets.get(created.id), expected)

    unchanged = container.update_budget().execute(UpdateBudgetRequest(actor, created.id, {}))
    expected = replace(expected, version=3)
    assert_same_budget(unchanged, expected)

    with pytest.raises(PreconditionFailed):
        container.update_budget().execute(
            UpdateBudgetRequest(actor, created.id, {"amount": Money.parse("1.00")}, 2)
        )
    with pytest.raises(Conflict):
        container.update_budget().execute(
            UpdateBudgetRequest(actor, created.id, {"end_month": None}, expected_version=3)
        )
    with uow:
        assert_same_budget(uow.budgets.get(created.id), expected)

    with pytest.raises(PreconditionFailed):
        container.delete_budget().execute(DeleteBudgetRequest(actor, created.id, 2))
    with uow:
        assert_same_budget(uow.budgets.get(created.id), expected)
    container.delete_budget().execute(DeleteBudgetRequest(actor, created.id, expected_version=3))
    with pytest.raises(NotFound):
        container.delete_budget().execute(DeleteBudgetRequest(actor, created.id))
    with uow:
        assert uow.budgets.get(created.id) is None
        assert [b.id for b in uow.budgets.find(BudgetQuery(), PageRequest()).items] == [other.id]


def test_creating_an_overlapping_budget_is_refused_in_any_case(
    container: Container, uow: UnitOfWork, people: People
) -> None:
    actor = people.actor
    owner = people.owners[0]
    first = container.create_budget().execute(
        CreateBudgetRequest(
            actor, "Café", Money.parse("10.00"), month(2026, 1), month(2026, 6), owner_id=owner
        )
    )
    with pytest.raises(Conflict):
        container.create_budget().execute(
            CreateBudgetRequest(
                actor, "CAFÉ", Money.parse("10.00"), month(2026, 6), None, owner_id=owner
            )
        )
    after = container.create_budget().execute(
        CreateBudgetRequest(
            actor, "CAFÉ", Money.parse("10.00"), month(2026, 7), None, owner_id=owner
        )
    )
    elsewhere = container.create_budget().execute(
        CreateBudgetRequest(
            actor, "café", Money.parse("10.00"), month(2026, 1), None, owner_id=people.owners[1]
        )
    )
    with uow:
        listed = uow.budgets.find(BudgetQuery(category_key="café"), PageRequest())
    assert [b.id for b in listed.items] == [first.id, after.id, elsewhere.id]


# Schedules -------------------------------------------------------------------------------


def test_every_schedule_attribute_round_trips(uow: UnitOfWork, people: People) -> None:
    owner = people.owners[0]
    plain, full = add_schedules(
        uow,
        new_schedule(owner, people.admin),
        new_schedule(
            people.owners[1],
            owner,
            amount=Money.parse("9999999999.99"),
            type=RecordType.INCOME,
            category="Salaire — été",
            description='quote " backslash \\ tab \t ünïcode',
            frequency=Frequency.YEARLY,
            interval=1000,
            start_date=date(2024, 2, 29),
            count=12,
            active=False,
            made_through=date(2025, 2, 28),
            version=9,
            created_at=NOW - timedelta(days=800, microseconds=7),
        ),
    )
    assert plain.id is not None and full.id is not None
    assert (plain.end_date, plain.count, plain.made_through, plain.active) == (
        None,
        None,
        None,
        True,
    )
    with uow:
        assert_same_schedule(uow.schedules.get(plain.id), plain)
        assert_same_schedule(uow.schedules.get(full.id), full)
        assert uow.schedules.get(max(plain.id, full.id) + 1000) is None

    plain.apply(
        {
            "owner_id": people.owners[1],
            "amount": Money.parse("0.01"),
            "type": RecordType.INCOME,
            "category": "Bonus",
            "description": "yearly",
            "frequency": Frequency.WEEKLY,
            "interval": 3,
            "start_date": date(2026, 2, 1),
            "end_date": date(2026, 12, 31),
        },
        LATER,
    )
    plain.made(date(2026, 2, 22), LATER)
    full.apply({"count": None, "frequency": Frequency.DAILY}, LATER)
    full.made_through = None
    full.active = True
    with uow:
        uow.schedules.save(plain)
        uow.schedules.save(full)
        uow.commit()
    with uow:
        assert_same_schedule(uow.schedules.get(plain.id, for_update=True), plain)
        assert_same_schedule(uow.schedules.get(full.id), full)
        renamed = uow.schedules.find(ScheduleQuery(category_key="bonus"), PageRequest())
        old_name = uow.schedules.find(ScheduleQuery(category_key="rent"), PageRequest())
        active = uow.schedules.active()
    assert [s.id for s in renamed.items] == [plain.id]
    assert old_name.items == [] and old_name.total == 0
    assert [s.id for s in active] == [plain.id, full.id]


SCHEDULE_SEED = [
    (0, RecordType.EXPENSE, "Rent", True),
    (0, RecordType.INCOME, "Salary", True),
    (0, RecordType.EXPENSE, "rent", False),
    (1, RecordType.EXPENSE, "RENT", True),
    (1, RecordType.INCOME, "Café", False),
    (1, RecordType.EXPENSE, "CAFÉ", True),
    (1, RecordType.INCOME, "salary", True),
]


def seed_schedules(uow: UnitOfWork, people: People) -> list[Schedule]:
    return add_schedules(
        uow,
        *[
            new_schedule(
                people.owners[o],
                people.admin,
                type=t,
                category=c,
                active=a,
                amount=Money.from_cents(500 + n),
            )
            for n, (o, t, c, a) in enumerate(SCHEDULE_SEED)
        ],
    )


def test_schedule_lists_filter_count_and_page_alike(uow: UnitOfWork, people: People) -> None:
    stored = seed_schedules(uow, people)
    with uow:
        for owner in (None, *people.owners):
            for kind in (None, *RecordType):
                for key in (None, "rent", "café", "salary", "travel"):
                    for active in (None, True, False):
                        query = ScheduleQuery(owner, kind, key, active)
                        expected = sorted(
                            s.id
                            for s in stored
                            if s.id is not None
                            and (owner is None or s.owner_id == owner)
                            and (kind is None or s.type == kind)
                            and (key is None or s.category.lower() == key)
                            and (active is None or s.active == active)
                        )
                        page = uow.schedules.find(query, PageRequest(1, 100))
                        second = uow.schedules.find(query, PageRequest(2, 2))
                        assert [s.id for s in page.items] == expected, query
                        assert page.total == len(expected), query
                        assert [s.id for s in second.items] == expected[2:4], query
                        assert second.total == len(expected), query
        for owner in (None, *people.owners):
            expected = sorted(
                s.id
                for s in stored
                if s.id is not None and s.active and (owner is None or s.owner_id == owner)
            )
            assert [s.id for s in uow.schedules.active(owner)] == expected, owner
        for schedule in uow.schedules.find(ScheduleQuery(), PageRequest(1, 100)).items:
            assert_same_schedule(schedule, next(s for s in stored if s.id == schedule.id))


def test_the_schedule_use_cases_keep_what_they_change(
    container: Container, uow: UnitOfWork, people: People
) -> None:
    actor = people.actor
    owner = people.owners[0]
    created = container.create_schedule().execute(
        CreateScheduleRequest(
            actor,
            Money.parse("950.00"),
            RecordType.EXPENSE,
            " Rent ",
            Frequency.MONTHLY,
            date(2026, 1, 31),
            owner_id=owner,
        )
    )
    assert created.id is not None
    with uow:
        stored = uow.schedules.get(created.id)
    assert stored is not None
    assert (stored.category, stored.version, stored.created_at, stored.updated_at) == (
        "Rent",
        1,
        NOW,
        NOW,
    )
    assert (stored.end_date, stored.count, stored.made_through, stored.active) == (
        None,
        None,
        None,
        True,
    )
    assert stored.created_by == people.admin

    container.clock.override(providers.Object(FixedClock(LATER)))
    made = container.run_schedule().execute(
        RunScheduleRequest(actor, created.id, date(2026, 4, 30))
    )
    assert [r.date for r in made] == [
        date(2026, 1, 31),
        date(2026, 2, 28),
        date(2026, 3, 31),
        date(2026, 4, 30),
    ]
    expected = replace(stored, made_through=date(2026, 4, 30), version=2, updated_at=LATER)
    with uow:
        assert_same_schedule(uow.schedules.get(created.id), expected)

    changes: dict[str, Any] = {"amount": Money.parse("990.00"), "count": 6, "description": "flat"}
    container.update_schedule().execute(UpdateScheduleRequest(actor, created.id, changes, 2))
    expected = replace(expected, **changes, version=3)
    with uow:
        assert_same_schedule(uow.schedules.get(created.id), expected)
    with pytest.raises(PreconditionFailed):
        container.update_schedule().execute(
            UpdateScheduleRequest(actor, created.id, {"count": 7}, expected_version=2)
        )

    container.deactivate_schedule().execute(DeactivateScheduleRequest(actor, created.id, 3))
    expected = replace(expected, active=False, version=4)
    with uow:
        assert_same_schedule(uow.schedules.get(created.id), expected)
        assert [s.id for s in uow.schedules.active(owner)] == []
        inactive = uow.schedules.find(ScheduleQuery(active=False), PageRequest())
    assert [s.id for s in inactive.items] == [created.id]
    assert container.run_schedule().execute(RunScheduleRequest(actor, created.id, NOW.date())) == []
    assert sorted(r.date for r in records_of(uow, owner)) == [r.date for r in made]


# Occurrences and the records schedules make ------------------------------------------------


def test_each_occurrence_is_noted_once(uow: UnitOfWork, people: People) -> None:
    """The unique key (schedule, date): a second note of one occurrence is refused, in the same
    unit of work and in later ones; other dates and other schedules are free; a note that was
    not committed was not kept; a refused note leaves the unit of work usable."""
    owner = people.owners[0]
    first, second = add_schedules(
        uow, new_schedule(owner, people.admin), new_schedule(owner, people.admin)
    )
    assert first.id is not None and second.id is not None
    day, next_day = date(2026, 1, 31), date(2026, 2, 28)
    with uow:
        made = [uow.records.add(first.record_on(d, NOW)) for d in (day, day, next_day)]
        ids = [r.id for r in made]
        assert None not in ids
        assert uow.schedules.occurred(first.id, day, ids[0] or 0)
        assert not uow.schedules.occurred(first.id, day, ids[1] or 0)
        assert uow.schedules.occurred(first.id, next_day, ids[2] or 0)
        uow.commit()
    with uow:
        extra = uow.records.add(second.record_on(day, NOW))
        assert extra.id is not None
        assert not uow.schedules.occurred(first.id, day, extra.id)
        assert not uow.schedules.occurred(first.id, next_day, extra.id)
        assert uow.schedules.occurred(second.id, day, extra.id)
    with uow:
        again = uow.records.add(second.record_on(day, NOW))
        assert again.id is not None
        assert uow.schedules.occurred(second.id, day, again.id), "the note was rolled back"
        uow.commit()
    with uow:
        assert not uow.schedules.occurred(second.id, day, again.id)


def test_a_run_from_a_stale_schedule_makes_nothing_twice(uow: UnitOfWork, people: People) -> None:
    """Two runners that read the schedule before either made anything: the second one's run
    is refused whole, so each occurrence has one record, however the runners meet."""
    owner = people.owners[0]
    [schedule] = add_schedules(uow, new_schedule(owner, people.admin))
    stale = deepcopy(schedule)
    with uow:
        made = make_due(uow, schedule, date(2026, 3, 31), NOW)
        uow.commit()
    assert [r.date for r in made] == [date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 31)]
    with uow, pytest.raises(Conflict):
        make_due(uow, stale, date(2026, 4, 30), NOW)
    kept = records_of(uow, owner)
    assert sorted(r.id or 0 for r in kept) == sorted(r.id or 0 for r in made)
    assert sorted(r.date for r in kept) == [r.date for r in made]
    assert {r.recurring_id for r in kept} == {schedule.id}


def test_two_runs_at_once_make_each_occurrence_once(container: Container, people: People) -> None:
    """Runners in two threads, neither holding the schedule's lock: the one that comes second
    waits for the first to commit and is then refused; one record per occurrence stays."""
    uow: UnitOfWork = adapter_unit_of_work(container)
    owner = people.owners[0]
    [schedule] = add_schedules(uow, new_schedule(owner, people.admin))
    copies = [deepcopy(schedule), deepcopy(schedule)]
    first_made = threading.Event()
    outcomes: dict[str, Any] = {}

    def first() -> None:
        mine = adapter_unit_of_work(container)
        with mine:
            outcomes["first"] = make_due(mine, copies[0], date(2026, 3, 31), NOW)
            first_made.set()
            time.sleep(0.3)
            mine.commit()

    def second() -> None:
        assert first_made.wait(10)
        mine = adapter_unit_of_work(container)
        try:
            with mine:
                outcomes["second"] = make_due(mine, copies[1], date(2026, 3, 31), NOW)
                mine.commit()
        except Conflict as refused:
            outcomes["second"] = refused

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(outcomes["first"]) == 3
    assert isinstance(outcomes["second"], Conflict), outcomes["second"]
    kept = records_of(uow, owner)
    assert sorted(r.date for r in kept) == [date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 31)]


def test_records_made_by_schedules_keep_their_recurring_id(
    container: Container, uow: UnitOfWork, people: People
) -> None:
    """``recurring_id`` through every way a record is stored and read back: one by one, in
    bulk, a change, the list, the stream and an idempotent replay; hand-made records keep
    None."""
    owner = people.owners[0]
    [schedule] = add_schedules(uow, new_schedule(owner, people.admin))
    assert schedule.id is not None
    by_hand = Record.create(
        amount=Money.parse("1.00"),
        type=RecordType.EXPENSE,
        category="Rent",
        date=date(2026, 1, 31),
        description="",
        owner_id=owner,
        created_by=people.admin,
        now=NOW,
    )
    since = NOW - timedelta(hours=1)
    with uow:
        single = uow.records.add(schedule.record_on(date(2026, 1, 31), NOW))
        bulk = uow.records.add_many(
            [schedule.record_on(date(2026, 2, 28), NOW), schedule.record_on(date(2026, 3, 31), NOW)]
        )
        hand = uow.records.add(by_hand)
        assert uow.idempotency.reserve(owner, "k", "fp", NOW, since)
        uow.idempotency.complete(owner, "k", single)
        uow.commit()
    made = [single, *bulk]
    assert {r.recurring_id for r in made} == {schedule.id}
    assert hand.recurring_id is None

    changed = made[1]
    assert changed.id is not None
    changed.apply({"amount": Money.parse("2.00")}, LATER)
    with uow:
        uow.records.save(changed)
        uow.commit()
    with uow:
        for record in [*made, hand]:
            assert record.id is not None
            assert_same_record(uow.records.get(record.id), record)
        replay = uow.idempotency.get(owner, "k", since)
    assert replay is not None and replay.record is not None
    assert replay.record.recurring_id == schedule.id
    listed = {r.id: r.recurring_id for r in records_of(uow, owner)}
    streamed = {
        r.id: r.recurring_id for r in container.record_stream().read(RecordQuery(RecordFilter()))
    }
    expected = {r.id: r.recurring_id for r in [*made, hand]}
    assert listed == expected
    assert streamed == expected


def test_records_a_run_makes_carry_the_schedule_and_its_creator(
    container: Container, uow: UnitOfWork, people: People
) -> None:
    owner = people.owners[1]
    actor = people.actor
    [schedule] = add_schedules(
        uow,
        new_schedule(
            owner,
            people.owners[0],
            type=RecordType.INCOME,
            category="Salary",
            description="pay",
            start_date=date(2026, 2, 28),
            frequency=Frequency.WEEKLY,
            interval=2,
        ),
    )
    assert schedule.id is not None
    made = container.run_schedule().execute(
        RunScheduleRequest(actor, schedule.id, date(2026, 4, 1))
    )
    assert [r.date for r in made] == [date(2026, 2, 28), date(2026, 3, 14), date(2026, 3, 28)]
    again = container.run_schedule().execute(
        RunScheduleRequest(actor, schedule.id, date(2026, 4, 1))
    )
    assert again == []
    kept = records_of(uow, owner)
    assert sorted(r.id or 0 for r in kept) == sorted(r.id or 0 for r in made)
    with uow:
        for record in made:
            assert record.id is not None
            stored = uow.records.get(record.id)
            assert_same_record(stored, record)
            assert stored is not None
            assert (stored.recurring_id, stored.created_by, stored.owner_id) == (
                schedule.id,
                people.owners[0],
                owner,
            )
            assert (stored.type, stored.category, stored.description, stored.amount) == (
                RecordType.INCOME,
                "Salary",
                "pay",
                schedule.amount,
            )
            history = uow.audit.for_record(record.id)
            assert [(e.action.value, e.actor_id) for e in history] == [
                ("created", people.owners[0])
            ]
