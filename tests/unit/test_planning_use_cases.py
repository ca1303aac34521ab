"""Budgets, recurring schedules and the forecast, in-process over the memory adapter: who may
do what, versions and overlaps, each occurrence made once as an ordinary record, and the
report's and forecast's numbers worked out by hand."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from finance.adapters.memory.unit_of_work import MemoryUnitOfWork
from finance.application.analytics.forecast import Forecast, ForecastRequest
from finance.application.analytics.statistics import DashboardQuery
from finance.application.analytics.summary import DashboardSummary, Summary, SummaryRequest
from finance.application.authorization import Actor
from finance.application.budgets.budget_report import (
    BudgetOverview,
    BudgetReport,
    BudgetReportRequest,
)
from finance.application.budgets.create_budget import CreateBudget, CreateBudgetRequest
from finance.application.budgets.delete_budget import DeleteBudget, DeleteBudgetRequest
from finance.application.budgets.get_budget import GetBudget, GetBudgetRequest
from finance.application.budgets.list_budgets import ListBudgets, ListBudgetsRequest
from finance.application.budgets.update_budget import UpdateBudget, UpdateBudgetRequest
from finance.application.errors import Conflict, Forbidden, NotFound, PreconditionFailed
from finance.application.pagination import PageRequest
from finance.application.ports import BudgetQuery, ScheduleQuery
from finance.application.records.create_record import CreateRecord, CreateRecordRequest
from finance.application.records.delete_record import DeleteRecord, DeleteRecordRequest
from finance.application.records.get_record import GetRecord, GetRecordRequest
from finance.application.records.record_history import RecordHistory, RecordHistoryRequest
from finance.application.recurring.create_schedule import CreateSchedule, CreateScheduleRequest
from finance.application.recurring.deactivate_schedule import (
    DeactivateSchedule,
    DeactivateScheduleRequest,
)
from finance.application.recurring.get_schedule import GetSchedule, GetScheduleRequest
from finance.application.recurring.list_schedules import ListSchedules, ListSchedulesRequest
from finance.application.recurring.run_schedule import RunSchedule, RunScheduleRequest
from finance.application.recurring.run_schedules import (
    RunSchedules,
    RunSchedulesRequest,
)
from finance.application.recurring.upcoming_occurrences import (
    UpcomingOccurrences,
    UpcomingOccurrencesRequest,
)
from finance.application.recurring.update_schedule import UpdateSchedule, UpdateScheduleRequest
from finance.application.users.deactivate_user import DeactivateUser, DeactivateUserRequest
from finance.domain.budgets import Budget, BudgetMonth
from finance.domain.errors import InvalidValue
from finance.domain.money import Money
from finance.domain.records import AuditAction, Record, RecordType, category_key
from finance.domain.roles import Role
from finance.domain.schedules import Frequency, Schedule
from tests.unit.conftest import FakeClock, Users

EXPENSE, INCOME = RecordType.EXPENSE, RecordType.INCOME
MONTHLY, WEEKLY, YEARLY, DAILY = (
    Frequency.MONTHLY,
    Frequency.WEEKLY,
    Frequency.YEARLY,
    Frequency.DAILY,
)


def month(year: int, number: int) -> date:
    return date(year, number, 1)


def at(year: int, number: int, day: int) -> datetime:
    return datetime(year, number, day, 12, 0, tzinfo=UTC)


class Planning:
    """The budget, schedule and forecast use cases over one memory store; an admin acts unless
    the test says who."""

    def __init__(self, uow: MemoryUnitOfWork, clock: FakeClock, admin: Actor) -> None:
        self.uow, self.clock, self.admin = uow, clock, admin

    # budgets

    def budget(
        self,
        actor: Actor | None = None,
        category: str = "Food",
        amount: str = "100.00",
        start: date = date(2026, 1, 1),
        end: date | None = None,
        rollover: bool = False,
        owner: int | None = None,
    ) -> Budget:
        request = CreateBudgetRequest(
            actor or self.admin, category, Money.parse(amount), start, end, rollover, owner
        )
        return CreateBudget(self.uow, self.clock).execute(request)

    def get_budget(self, actor: Actor, budget_id: int | None) -> Budget:
        assert budget_id is not None
        return GetBudget(self.uow).execute(GetBudgetRequest(actor, budget_id))

    def update_budget(
        self,
        budget_id: int | None,
        changes: dict[str, object],
        actor: Actor | None = None,
        version: int | None = None,
    ) -> Budget:
        assert budget_id is not None
        request = UpdateBudgetRequest(actor or self.admin, budget_id, dict(changes), version)
        return UpdateBudget(self.uow, self.clock).execute(request)

    def delete_budget(
        self, budget_id: int | None, actor: Actor | None = None, version: int | None = None
    ) -> None:
        assert budget_id is not None
        request = DeleteBudgetRequest(actor or self.admin, budget_id, version)
        DeleteBudget(self.uow).execute(request)

    def budgets(self, actor: Actor, **query: object) -> list[int | None]:
        request = ListBudgetsRequest(actor, BudgetQuery(**query), PageRequest(1, 100))  # type: ignore[arg-type]
        return [b.id for b in ListBudgets(self.uow).execute(request).items]

    def report(
        self, actor: Actor, when: date | None = None, owner: int | None = None
    ) -> BudgetOverview:
        request = BudgetReportRequest(actor, when, owner)
        return BudgetReport(self.uow, self.clock).execute(request)

    # records

    def record(
        self, amount: str, category: str, day: date, owner: int | None, kind: RecordType = EXPENSE
    ) -> Record:
        request = CreateRecordRequest(
            self.admin, Money.parse(amount), kind, category, day, "", owner
        )
        return CreateRecord(self.uow, self.clock).execute(request)

    def get_record(self, actor: Actor, record_id: int | None) -> Record:
        assert record_id is not None
        return GetRecord(self.uow).execute(GetRecordRequest(actor, record_id))

    def summary(self, owner: int | None) -> DashboardSummary:
        return Summary(self.uow).execute(SummaryRequest(self.admin, DashboardQuery(owner)))

    # schedules

    def schedule(
        self,
        actor: Actor | None = None,
        amount: str = "50.00",
        kind: RecordType = EXPENSE,
        category: str = "Rent",
        frequency: Frequency = MONTHLY,
        start: date = date(2026, 1, 31),
        interval: int = 1,
        end: date | None = None,
        count: int | None = None,
        owner: int | None = None,
        description: str = "",
    ) -> Schedule:
        request = CreateScheduleRequest(
            actor or self.admin,
            Money.parse(amount),
            kind,
            category,
            frequency,
            start,
            description,
            interval,
            end,
            count,
            owner,
        )
        return CreateSchedule(self.uow, self.clock).execute(request)

    def get_schedule(self, actor: Actor, schedule_id: int | None) -> Schedule:
        assert schedule_id is not None
        return GetSchedule(self.uow).execute(GetScheduleRequest(actor, schedule_id))

    def update_schedule(
        self,
        schedule_id: int | None,
        changes: dict[str, object],
        actor: Actor | None = None,
        version: int | None = None,
    ) -> Schedule:
        assert schedule_id is not None
        request = UpdateScheduleRequest(actor or self.admin, schedule_id, dict(changes), version)
        return UpdateSchedule(self.uow, self.clock).execute(request)

    def deactivate(
        self, schedule_id: int | None, actor: Actor | None = None, version: int | None = None
    ) -> None:
        assert schedule_id is not None
        request = DeactivateScheduleRequest(actor or self.admin, schedule_id, version)
        DeactivateSchedule(self.uow, self.clock).execute(request)

    def run(
        self, schedule_id: int | None, until: date | None = None, actor: Actor | None = None
    ) -> list[Record]:
        assert schedule_id is not None
        request = RunScheduleRequest(actor or self.admin, schedule_id, until)
        return RunSchedule(self.uow, self.clock).execute(request)

    def run_all(self, until: date | None = None) -> dict[int | None, int]:
        """How many records each schedule run made, by schedule id."""
        runs = RunSchedules(self.uow, self.clock).execute(RunSchedulesRequest(until))
        assert len({run.schedule_id for run in runs}) == len(runs)
        return {run.schedule_id: run.created for run in runs}

    def upcoming(
        self, schedule_id: int | None, limit: int = 5, actor: Actor | None = None
    ) -> list[date]:
        assert schedule_id is not None
        request = UpcomingOccurrencesRequest(actor or self.admin, schedule_id, limit)
        return UpcomingOccurrences(self.uow).execute(request)

    def schedules(self, actor: Actor, **query: object) -> list[int | None]:
        request = ListSchedulesRequest(actor, ScheduleQuery(**query), PageRequest(1, 100))  # type: ignore[arg-type]
        return [s.id for s in ListSchedules(self.uow).execute(request).items]

    def forecast(
        self, actor: Actor, months: int = 3, owner: int | None = None
    ) -> list[tuple[str, str, str, str, str]]:
        found = Forecast(self.uow, self.clock).execute(ForecastRequest(actor, months, owner))
        return [
            (
                f"{m.month:%Y-%m}",
                str(m.scheduled_income),
                str(m.scheduled_expense),
                str(m.scheduled_net),
                str(m.budgeted_expense),
            )
            for m in found
        ]


@pytest.fixture
def plan(uow: MemoryUnitOfWork, clock: FakeClock, admin_actor: Actor) -> Planning:
    return Planning(uow, clock, admin_actor)


@pytest.fixture
def analyst(users: Users) -> Actor:
    return users.actor(users.add(Role.ANALYST))


@pytest.fixture
def other(users: Users) -> Actor:
    return users.actor(users.add(Role.ANALYST))


def deactivate_user(uow: MemoryUnitOfWork, admin: Actor, user_id: int) -> None:
    DeactivateUser(uow).execute(DeactivateUserRequest(admin, user_id))


def line_of(overview: BudgetOverview, budget: Budget) -> tuple[str, ...]:
    """One budget's line as the report shows it."""
    lines = [line for line in overview.lines if line.budget.id == budget.id]
    assert len(lines) == 1, overview.lines
    return shown(lines[0])


def shown(line: BudgetMonth) -> tuple[str, ...]:
    percent = line.percent_used
    return (
        str(line.budgeted),
        str(line.carried),
        str(line.available),
        str(line.spent),
        str(line.remaining),
        "null" if percent is None else str(percent),
    )


# --- budgets: who may do what -------------------------------------------------------------


def test_admin_creates_a_budget_for_themselves_by_default_and_for_any_active_user(
    plan: Planning, analyst: Actor, admin_actor: Actor
) -> None:
    own = plan.budget(category=" Food ", amount="250.00", start=month(2026, 2))
    theirs = plan.budget(owner=analyst.user_id, end=month(2026, 6), rollover=True)
    assert own.owner_id == admin_actor.user_id
    assert theirs.owner_id == analyst.user_id
    stored = plan.get_budget(analyst, theirs.id)
    assert (stored.category, stored.amount, stored.start_month, stored.end_month) == (
        "Food",
        Money.parse("100.00"),
        month(2026, 1),
        month(2026, 6),
    )
    assert (stored.rollover, stored.version) == (True, 1)
    again = plan.get_budget(admin_actor, own.id)
    assert (again.category, again.amount, again.end_month, again.rollover) == (
        "Food",
        Money.parse("250.00"),
        None,
        False,
    )


def test_a_budgets_owner_must_be_an_active_user(
    plan: Planning, users: Users, uow: MemoryUnitOfWork, admin_actor: Actor
) -> None:
    with pytest.raises(InvalidValue) as error:
        plan.budget(owner=999)
    assert error.value.field == "owner_id"
    leaving = users.add(Role.ANALYST)
    assert leaving.id is not None
    kept = plan.budget(owner=leaving.id)
    deactivate_user(uow, admin_actor, leaving.id)
    with pytest.raises(InvalidValue) as error:
        plan.budget(owner=leaving.id, category="Fuel")
    assert error.value.field == "owner_id"
    mine = plan.budget(category="Fuel")
    with pytest.raises(InvalidValue) as error:
        plan.update_budget(mine.id, {"owner_id": leaving.id})
    assert error.value.field == "owner_id"
    assert plan.get_budget(admin_actor, mine.id).owner_id == admin_actor.user_id
    assert plan.get_budget(admin_actor, kept.id).owner_id == leaving.id


@pytest.mark.parametrize("role", [Role.VIEWER, Role.ANALYST])
def test_only_admins_write_budgets(plan: Planning, users: Users, role: Role) -> None:
    actor = users.actor(users.add(role))
    with pytest.raises(Forbidden):
        plan.budget(actor=actor)
    own = plan.budget(owner=actor.user_id)
    with pytest.raises(Forbidden):
        plan.update_budget(own.id, {"amount": Money.parse("1.00")}, actor=actor)
    with pytest.raises(Forbidden):
        plan.delete_budget(own.id, actor=actor)
    assert plan.get_budget(actor, own.id).amount == Money.parse("100.00")


def test_users_see_their_own_budgets_and_admins_everyones(
    plan: Planning, users: Users, analyst: Actor, other: Actor, admin_actor: Actor
) -> None:
    viewer = users.actor(users.add(Role.VIEWER))
    mine = plan.budget(owner=analyst.user_id, category="Food", end=month(2026, 3))
    later = plan.budget(owner=analyst.user_id, category="FOOD", start=month(2026, 4))
    fuel = plan.budget(owner=analyst.user_id, category="Fuel", start=month(2026, 2))
    theirs = plan.budget(owner=other.user_id)
    watched = plan.budget(owner=viewer.user_id)
    assert plan.budgets(analyst) == [mine.id, later.id, fuel.id]
    assert plan.budgets(viewer) == [watched.id]
    assert plan.get_budget(viewer, watched.id).owner_id == viewer.user_id
    with pytest.raises(NotFound):
        plan.get_budget(analyst, theirs.id)
    with pytest.raises(Forbidden):
        plan.budgets(analyst, owner_id=other.user_id)
    assert plan.budgets(admin_actor) == [mine.id, later.id, fuel.id, theirs.id, watched.id]
    assert plan.budgets(admin_actor, owner_id=other.user_id) == [theirs.id]
    assert plan.get_budget(admin_actor, theirs.id).owner_id == other.user_id
    assert plan.budgets(analyst, category_key=category_key("food")) == [mine.id, later.id]
    assert plan.budgets(analyst, month=month(2026, 1)) == [mine.id]
    assert plan.budgets(analyst, month=month(2026, 3)) == [mine.id, fuel.id]
    assert plan.budgets(analyst, month=month(2030, 1)) == [later.id, fuel.id]
    with pytest.raises(NotFound):
        plan.get_budget(admin_actor, 999)


# --- budgets: overlaps and versions -------------------------------------------------------


def test_two_budgets_of_one_owner_and_category_may_not_share_a_month(
    plan: Planning, analyst: Actor, other: Actor, admin_actor: Actor
) -> None:
    owner = analyst.user_id
    first = plan.budget(owner=owner, category="Food", start=month(2026, 1), end=month(2026, 3))
    with pytest.raises(Conflict):
        plan.budget(owner=owner, category="food", start=month(2026, 3))
    with pytest.raises(Conflict):
        plan.budget(owner=owner, category=" FOOD ", start=month(2025, 6), end=month(2026, 1))
    after = plan.budget(owner=owner, category="Food", start=month(2026, 4))
    plan.budget(owner=owner, category="Fuel", start=month(2026, 1))
    plan.budget(owner=other.user_id, category="Food", start=month(2026, 1))
    plan.budget(category="Food", start=month(2026, 1))
    with pytest.raises(Conflict):
        plan.update_budget(after.id, {"start_month": month(2026, 3)})
    with pytest.raises(Conflict):
        plan.update_budget(first.id, {"end_month": None})
    unchanged = plan.get_budget(admin_actor, after.id)
    assert (unchanged.start_month, unchanged.version) == (month(2026, 4), 1)
    assert plan.get_budget(admin_actor, first.id).end_month == month(2026, 3)
    moved = plan.update_budget(first.id, {"category": "Groceries", "end_month": None})
    assert (moved.category, moved.end_month) == ("Groceries", None)


def test_a_budget_may_be_changed_without_clashing_with_itself(plan: Planning) -> None:
    budget = plan.budget(start=month(2026, 1), end=month(2026, 3))
    changed = plan.update_budget(budget.id, {"end_month": month(2026, 12)})
    assert changed.end_month == month(2026, 12)


def test_updating_a_budget_moves_its_version_and_a_stale_version_changes_nothing(
    plan: Planning, clock: FakeClock, admin_actor: Actor
) -> None:
    budget = plan.budget()
    clock.advance(hours=1)
    changed = plan.update_budget(budget.id, {"amount": Money.parse("120.00")}, version=1)
    assert (changed.version, changed.updated_at, changed.created_at) == (
        2,
        clock.now(),
        budget.created_at,
    )
    with pytest.raises(PreconditionFailed):
        plan.update_budget(budget.id, {"amount": Money.parse("999.00")}, version=1)
    with pytest.raises(PreconditionFailed):
        plan.delete_budget(budget.id, version=1)
    stored = plan.get_budget(admin_actor, budget.id)
    assert (stored.amount, stored.version) == (Money.parse("120.00"), 2)
    with pytest.raises(InvalidValue):
        plan.update_budget(budget.id, {"end_month": month(2025, 1)}, version=2)
    assert plan.get_budget(admin_actor, budget.id).version == 2


def test_deleting_a_budget_removes_it_and_frees_its_months(
    plan: Planning, admin_actor: Actor
) -> None:
    budget = plan.budget(category="Food")
    plan.delete_budget(budget.id, version=1)
    with pytest.raises(NotFound):
        plan.get_budget(admin_actor, budget.id)
    with pytest.raises(NotFound):
        plan.delete_budget(budget.id)
    assert plan.budgets(admin_actor) == []
    again = plan.budget(category="food")
    assert plan.budgets(admin_actor) == [again.id]


# --- the budget report --------------------------------------------------------------------


def test_the_budget_report_sets_each_budget_against_what_was_spent(
    plan: Planning, analyst: Actor, other: Actor, admin_actor: Actor
) -> None:
    a, b = analyst.user_id, other.user_id
    food = plan.budget(owner=a, category="Food", amount="300.00", rollover=True)
    fun = plan.budget(
        owner=a, category="Fun", amount="50.00", start=month(2026, 3), end=month(2026, 3)
    )
    plan.budget(owner=a, category="Travel", amount="200.00", start=month(2026, 4))
    theirs = plan.budget(owner=b, category="Food", amount="100.00", start=month(2026, 3))

    plan.record("250.00", "Food", date(2026, 1, 5), a)
    plan.record("100.00", "FOOD", date(2026, 1, 31), a)
    plan.record("200.00", "food", date(2026, 2, 1), a)
    plan.record("999.00", "Food", date(2026, 2, 10), a, INCOME)
    gone = plan.record("80.00", "Food", date(2026, 2, 11), a)
    DeleteRecord(plan.uow, plan.clock).execute(DeleteRecordRequest(admin_actor, gone.id or 0))
    plan.record("120.00", "food", date(2026, 3, 31), a)
    fun_spent = plan.record("60.00", "Fun", date(2026, 3, 1), a)
    plan.record("40.00", "Food", date(2026, 4, 1), a)
    plan.record("70.00", "Travel", date(2026, 3, 2), a)
    plan.record("500.00", "Food", date(2026, 3, 3), b)

    march = plan.report(analyst)
    assert march.month == month(2026, 3)
    assert len(march.lines) == 2
    # Food: January left 300 - 350 = -50, February 300 - 200 = 100, so 50 carried.
    assert line_of(march, food) == ("300.00", "50.00", "350.00", "120.00", "230.00", "34.3")
    assert line_of(march, fun) == ("50.00", "0.00", "50.00", "60.00", "-10.00", "120.0")
    totals = [str(march.total(name)) for name in ("budgeted", "available", "spent", "remaining")]
    assert totals == ["350.00", "400.00", "180.00", "220.00"]

    january = plan.report(analyst, month(2026, 1))
    assert [shown(line) for line in january.lines] == [
        ("300.00", "0.00", "300.00", "350.00", "-50.00", "116.7")
    ]
    february = plan.report(analyst, month(2026, 2))
    assert [shown(line) for line in february.lines] == [
        ("300.00", "-50.00", "250.00", "200.00", "50.00", "80.0")
    ]

    everyone = plan.report(admin_actor)
    assert len(everyone.lines) == 3
    assert line_of(everyone, theirs) == ("100.00", "0.00", "100.00", "500.00", "-400.00", "500.0")
    assert line_of(everyone, food) == line_of(march, food)
    only_b = plan.report(admin_actor, owner=b)
    assert [line.budget.id for line in only_b.lines] == [theirs.id]

    DeleteRecord(plan.uow, plan.clock).execute(DeleteRecordRequest(admin_actor, fun_spent.id or 0))
    assert line_of(plan.report(analyst), fun) == (
        "50.00",
        "0.00",
        "50.00",
        "0.00",
        "50.00",
        "0.0",
    )


def test_a_budget_report_with_nothing_in_force_is_empty(plan: Planning, analyst: Actor) -> None:
    plan.budget(owner=analyst.user_id, start=month(2026, 4))
    overview = plan.report(analyst)
    assert overview.lines == []
    assert str(overview.total("spent")) == "0.00"


def test_the_budget_report_is_for_analysts_and_admins(
    plan: Planning, users: Users, analyst: Actor, other: Actor
) -> None:
    viewer = users.actor(users.add(Role.VIEWER))
    plan.budget(owner=viewer.user_id)
    with pytest.raises(Forbidden):
        plan.report(viewer)
    with pytest.raises(Forbidden):
        plan.report(viewer, owner=viewer.user_id)
    with pytest.raises(Forbidden):
        plan.report(analyst, owner=other.user_id)
    plan.budget(owner=other.user_id)
    assert plan.report(analyst).lines == []
    assert plan.report(analyst, owner=analyst.user_id).lines == []


# --- schedules: who may do what -----------------------------------------------------------


def test_admin_schedules_for_themselves_by_default_and_for_any_active_user(
    plan: Planning, analyst: Actor, admin_actor: Actor
) -> None:
    own = plan.schedule(category=" Rent ", start=date(2026, 4, 1), description="flat")
    theirs = plan.schedule(owner=analyst.user_id, frequency=WEEKLY, count=4)
    assert (own.owner_id, own.created_by) == (admin_actor.user_id, admin_actor.user_id)
    assert (theirs.owner_id, theirs.created_by) == (analyst.user_id, admin_actor.user_id)
    stored = plan.get_schedule(analyst, theirs.id)
    assert (stored.frequency, stored.count, stored.active, stored.next_date) == (
        WEEKLY,
        4,
        True,
        date(2026, 1, 31),
    )
    again = plan.get_schedule(admin_actor, own.id)
    assert (again.category, again.description, again.next_date) == (
        "Rent",
        "flat",
        date(2026, 4, 1),
    )


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"owner": 999}, "owner_id"),
        ({"interval": 0}, "interval"),
        ({"interval": 1001}, "interval"),
        ({"end": date(2026, 1, 30)}, "end_date"),
        ({"end": date(2026, 12, 31), "count": 3}, "count"),
        ({"count": 0}, "count"),
        ({"category": " "}, "category"),
    ],
)
def test_a_schedule_is_validated(
    plan: Planning, admin_actor: Actor, fields: dict[str, object], field: str
) -> None:
    with pytest.raises(InvalidValue) as error:
        plan.schedule(**fields)  # type: ignore[arg-type]
    assert error.value.field == field
    assert plan.schedules(admin_actor) == []


def test_a_schedule_for_an_inactive_user_is_refused(
    plan: Planning, users: Users, uow: MemoryUnitOfWork, admin_actor: Actor
) -> None:
    leaving = users.add(Role.VIEWER)
    assert leaving.id is not None
    deactivate_user(uow, admin_actor, leaving.id)
    with pytest.raises(InvalidValue) as error:
        plan.schedule(owner=leaving.id)
    assert error.value.field == "owner_id"


@pytest.mark.parametrize("role", [Role.VIEWER, Role.ANALYST])
def test_only_admins_create_change_run_or_stop_schedules(
    plan: Planning, users: Users, clock: FakeClock, role: Role
) -> None:
    clock.current = at(2026, 5, 15)
    actor = users.actor(users.add(role))
    with pytest.raises(Forbidden):
        plan.schedule(actor=actor, owner=actor.user_id)
    own = plan.schedule(owner=actor.user_id)
    with pytest.raises(Forbidden):
        plan.update_schedule(own.id, {"amount": Money.parse("1.00")}, actor=actor)
    with pytest.raises(Forbidden):
        plan.run(own.id, actor=actor)
    with pytest.raises(Forbidden):
        plan.deactivate(own.id, actor=actor)
    stored = plan.get_schedule(actor, own.id)
    assert (stored.amount, stored.active, stored.next_date) == (
        Money.parse("50.00"),
        True,
        date(2026, 1, 31),
    )
    assert plan.upcoming(own.id, 2, actor=actor) == [date(2026, 1, 31), date(2026, 2, 28)]
    assert plan.summary(actor.user_id).record_count == 0


def test_users_see_their_own_schedules_and_admins_everyones(
    plan: Planning, analyst: Actor, other: Actor, admin_actor: Actor
) -> None:
    rent = plan.schedule(owner=analyst.user_id, category="Rent")
    salary = plan.schedule(owner=analyst.user_id, kind=INCOME, category="Salary")
    stopped = plan.schedule(owner=analyst.user_id, category="rent")
    plan.deactivate(stopped.id)
    theirs = plan.schedule(owner=other.user_id)
    assert plan.schedules(analyst) == [rent.id, salary.id, stopped.id]
    assert plan.schedules(analyst, type=INCOME) == [salary.id]
    assert plan.schedules(analyst, active=False) == [stopped.id]
    assert plan.schedules(analyst, category_key=category_key("RENT")) == [rent.id, stopped.id]
    assert plan.schedules(admin_actor) == [rent.id, salary.id, stopped.id, theirs.id]
    assert plan.schedules(admin_actor, owner_id=other.user_id) == [theirs.id]
    with pytest.raises(Forbidden):
        plan.schedules(analyst, owner_id=other.user_id)
    with pytest.raises(NotFound):
        plan.get_schedule(analyst, theirs.id)
    with pytest.raises(NotFound):
        plan.upcoming(theirs.id, actor=analyst)
    assert plan.get_schedule(admin_actor, theirs.id).owner_id == other.user_id
    with pytest.raises(NotFound):
        plan.run(999)


# --- schedules: running -------------------------------------------------------------------


def test_a_run_makes_each_due_occurrence_exactly_once(
    plan: Planning, clock: FakeClock, analyst: Actor
) -> None:
    clock.current = at(2026, 5, 15)
    rent = plan.schedule(owner=analyst.user_id, amount="1200.00", start=date(2026, 1, 31))
    made = plan.run(rent.id)
    assert [r.date for r in made] == [
        date(2026, 1, 31),
        date(2026, 2, 28),
        date(2026, 3, 31),
        date(2026, 4, 30),
    ]
    assert plan.run(rent.id) == []
    assert plan.run(rent.id, until=date(2026, 3, 1)) == []
    assert plan.run_all() == {rent.id: 0}
    totals = plan.summary(analyst.user_id)
    assert (totals.record_count, str(totals.total_expense)) == (4, "4800.00")
    assert plan.get_schedule(analyst, rent.id).next_date == date(2026, 5, 31)

    clock.current = at(2026, 5, 31)
    assert [r.date for r in plan.run(rent.id)] == [date(2026, 5, 31)]
    assert plan.run(rent.id) == []
    assert plan.summary(analyst.user_id).record_count == 5


def test_a_run_up_to_a_past_day_makes_only_what_was_due_by_then(
    plan: Planning, clock: FakeClock
) -> None:
    clock.current = at(2026, 5, 15)
    daily = plan.schedule(frequency=DAILY, start=date(2026, 5, 1))
    assert [r.date for r in plan.run(daily.id, until=date(2026, 5, 3))] == [
        date(2026, 5, 1),
        date(2026, 5, 2),
        date(2026, 5, 3),
    ]
    assert len(plan.run(daily.id, until=date(2026, 5, 15))) == 12
    assert plan.summary(None).record_count == 15


def test_a_run_may_not_reach_into_the_future(
    plan: Planning, clock: FakeClock, admin_actor: Actor
) -> None:
    clock.current = at(2026, 5, 15)
    daily = plan.schedule(frequency=DAILY, start=date(2026, 5, 10))
    with pytest.raises(InvalidValue) as error:
        plan.run(daily.id, until=date(2026, 5, 16))
    assert error.value.field == "until"
    with pytest.raises(InvalidValue) as error:
        plan.run_all(until=date(2026, 5, 16))
    assert error.value.field == "until"
    assert plan.summary(None).record_count == 0
    assert plan.get_schedule(admin_actor, daily.id).next_date == date(2026, 5, 10)
    assert len(plan.run(daily.id, until=date(2026, 5, 15))) == 6


def test_made_records_are_ordinary_records_of_the_schedules_creator(
    plan: Planning, users: Users, clock: FakeClock, analyst: Actor, admin_actor: Actor
) -> None:
    clock.current = at(2026, 3, 10)
    salary = plan.schedule(
        owner=analyst.user_id,
        amount="3000.00",
        kind=INCOME,
        category="Salary",
        start=date(2026, 1, 25),
        description="monthly pay",
    )
    by_hand = plan.record("20.00", "Food", date(2026, 3, 1), analyst.user_id)
    someone_else = users.actor(users.add(Role.ADMIN))
    made = plan.run(salary.id, actor=someone_else)
    assert [r.date for r in made] == [date(2026, 1, 25), date(2026, 2, 25)]
    for record in made:
        seen = plan.get_record(analyst, record.id)
        assert (seen.recurring_id, seen.owner_id, seen.created_by) == (
            salary.id,
            analyst.user_id,
            admin_actor.user_id,
        )
        assert (seen.amount, seen.type, seen.category, seen.description) == (
            Money.parse("3000.00"),
            INCOME,
            "Salary",
            "monthly pay",
        )
        assert (seen.version, seen.is_deleted, seen.created_at) == (1, False, clock.now())
        history = (
            RecordHistory(plan.uow)
            .execute(RecordHistoryRequest(someone_else, record.id or 0))
            .items
        )
        assert [(e.action, e.actor_id) for e in history] == [
            (AuditAction.CREATED, admin_actor.user_id)
        ]
        assert history[0].changes["amount"] == [None, "3000.00"]
        assert history[0].changes["date"] == [None, record.date.isoformat()]
    assert plan.get_record(analyst, by_hand.id).recurring_id is None
    totals = plan.summary(analyst.user_id)
    assert (totals.record_count, str(totals.total_income), str(totals.net_balance)) == (
        3,
        "6000.00",
        "5980.00",
    )
    DeleteRecord(plan.uow, plan.clock).execute(DeleteRecordRequest(admin_actor, made[0].id or 0))
    assert str(plan.summary(analyst.user_id).total_income) == "3000.00"
    assert plan.run(salary.id) == []


def test_editing_a_schedule_changes_only_occurrences_not_yet_made(
    plan: Planning, clock: FakeClock, admin_actor: Actor
) -> None:
    clock.current = at(2026, 3, 20)
    rent = plan.schedule(amount="100.00", category="Rent", start=date(2026, 1, 15))
    early = plan.run(rent.id)
    assert [r.date for r in early] == [date(2026, 1, 15), date(2026, 2, 15), date(2026, 3, 15)]
    current = plan.get_schedule(admin_actor, rent.id).version
    with pytest.raises(PreconditionFailed):
        plan.update_schedule(rent.id, {"amount": Money.parse("1.00")}, version=current - 1)
    changed = plan.update_schedule(
        rent.id,
        {"amount": Money.parse("150.00"), "category": "Housing", "description": "new lease"},
        version=current,
    )
    assert changed.version == current + 1
    assert plan.upcoming(rent.id, 2) == [date(2026, 4, 15), date(2026, 5, 15)]

    clock.current = at(2026, 5, 20)
    late = plan.run(rent.id)
    assert [(r.date, str(r.amount), r.category, r.description) for r in late] == [
        (date(2026, 4, 15), "150.00", "Housing", "new lease"),
        (date(2026, 5, 15), "150.00", "Housing", "new lease"),
    ]
    for record in early:
        kept = plan.get_record(admin_actor, record.id)
        assert (str(kept.amount), kept.category, kept.description, kept.version) == (
            "100.00",
            "Rent",
            "",
            1,
        )
    assert str(plan.summary(None).total_expense) == "600.00"


def test_a_deactivated_schedule_makes_nothing_and_has_nothing_upcoming(
    plan: Planning, clock: FakeClock, admin_actor: Actor
) -> None:
    clock.current = at(2026, 3, 15)
    gym = plan.schedule(category="Gym", start=date(2026, 1, 1))
    running = plan.schedule(category="Rent", start=date(2026, 1, 1))
    assert len(plan.run(gym.id)) == 3
    version = plan.get_schedule(admin_actor, gym.id).version
    with pytest.raises(PreconditionFailed):
        plan.deactivate(gym.id, version=version - 1)
    assert plan.get_schedule(admin_actor, gym.id).active is True
    plan.deactivate(gym.id, version=version)

    stopped = plan.get_schedule(admin_actor, gym.id)
    assert (stopped.active, stopped.next_date, stopped.version) == (False, None, version + 1)
    assert plan.upcoming(gym.id) == []
    clock.current = at(2026, 6, 15)
    assert plan.run(gym.id) == []
    assert plan.run_all() == {running.id: 6}
    assert plan.summary(None).record_count == 3 + 6


def test_a_count_is_respected_across_runs(plan: Planning, clock: FakeClock) -> None:
    clock.current = at(2026, 2, 15)
    three = plan.schedule(start=date(2026, 1, 10), count=3)
    assert [r.date for r in plan.run(three.id)] == [date(2026, 1, 10), date(2026, 2, 10)]
    assert plan.upcoming(three.id) == [date(2026, 3, 10)]
    clock.current = at(2026, 12, 31)
    assert [r.date for r in plan.run(three.id)] == [date(2026, 3, 10)]
    assert plan.run(three.id) == []
    assert plan.run_all() == {three.id: 0}
    assert plan.upcoming(three.id) == []
    assert plan.summary(None).record_count == 3


def test_an_end_date_is_respected_across_runs(plan: Planning, clock: FakeClock) -> None:
    clock.current = at(2026, 1, 12)
    weekly = plan.schedule(frequency=WEEKLY, start=date(2026, 1, 5), end=date(2026, 1, 26))
    assert [r.date for r in plan.run(weekly.id)] == [date(2026, 1, 5), date(2026, 1, 12)]
    clock.current = at(2026, 3, 1)
    assert [r.date for r in plan.run(weekly.id)] == [date(2026, 1, 19), date(2026, 1, 26)]
    assert plan.upcoming(weekly.id) == []


def test_running_every_schedule_makes_each_occurrence_once(
    plan: Planning, clock: FakeClock, analyst: Actor, other: Actor, uow: MemoryUnitOfWork
) -> None:
    clock.current = at(2026, 3, 15)
    mine = plan.schedule(owner=analyst.user_id, start=date(2026, 1, 1))
    theirs = plan.schedule(owner=other.user_id, frequency=WEEKLY, start=date(2026, 3, 1))
    stopped = plan.schedule(owner=analyst.user_id, category="Gym", start=date(2026, 1, 1))
    plan.deactivate(stopped.id)
    assert plan.run_all() == {mine.id: 3, theirs.id: 3}
    assert plan.run_all() == {mine.id: 0, theirs.id: 0}
    assert plan.run(mine.id) == []
    assert plan.summary(analyst.user_id).record_count == 3
    assert plan.summary(other.user_id).record_count == 3

    deactivate_user(uow, plan.admin, other.user_id)
    clock.current = at(2026, 4, 15)
    assert plan.run_all() == {mine.id: 1, theirs.id: 0}
    assert plan.run(theirs.id) == []
    assert plan.summary(other.user_id).record_count == 3


def test_an_occurrence_made_already_is_refused_and_the_run_makes_nothing(
    plan: Planning, clock: FakeClock, uow: MemoryUnitOfWork
) -> None:
    clock.current = at(2026, 3, 15)
    rent = plan.schedule(start=date(2026, 1, 1))
    assert len(plan.run(rent.id, until=date(2026, 2, 1))) == 2
    # A second runner that read the schedule before the first one's run was noted.
    with uow:
        stale = uow.schedules.get(rent.id or 0)
        assert stale is not None
        stale.made_through = None
        uow.schedules.save(stale)
        uow.commit()
    with pytest.raises(Conflict):
        plan.run(rent.id)
    assert plan.summary(None).record_count == 2


@pytest.mark.parametrize("limit", [0, 101])
def test_upcoming_takes_1_to_100_dates(plan: Planning, limit: int) -> None:
    daily = plan.schedule(frequency=DAILY, start=date(2026, 1, 1))
    with pytest.raises(InvalidValue) as error:
        plan.upcoming(daily.id, limit)
    assert error.value.field == "limit"


def test_upcoming_lists_the_next_dates_not_yet_made(plan: Planning, clock: FakeClock) -> None:
    clock.current = at(2026, 2, 1)
    yearly = plan.schedule(frequency=YEARLY, start=date(2024, 2, 29))
    assert plan.upcoming(yearly.id, 3) == [date(2024, 2, 29), date(2025, 2, 28), date(2026, 2, 28)]
    assert len(plan.run(yearly.id)) == 2
    assert plan.upcoming(yearly.id) == [
        date(2026, 2, 28),
        date(2027, 2, 28),
        date(2028, 2, 29),
        date(2029, 2, 28),
        date(2030, 2, 28),
    ]
    daily = plan.schedule(frequency=DAILY, start=date(2026, 1, 1))
    hundred = plan.upcoming(daily.id, 100)
    assert (len(hundred), hundred[0], hundred[-1]) == (100, date(2026, 1, 1), date(2026, 4, 10))


# --- forecast -----------------------------------------------------------------------------


@pytest.fixture
def forecast_plan(plan: Planning, analyst: Actor, other: Actor) -> Planning:
    """The clock in March 2026; schedules and budgets for the analyst and another owner."""
    a = analyst.user_id
    plan.schedule(
        owner=a, amount="3000.00", kind=INCOME, category="Salary", start=date(2026, 1, 25)
    )
    plan.schedule(owner=a, amount="1200.00", category="Rent", start=date(2026, 3, 1), count=2)
    plan.schedule(
        owner=a,
        amount="50.00",
        category="Groceries",
        frequency=WEEKLY,
        start=date(2026, 3, 2),
        end=date(2026, 4, 6),
    )
    plan.schedule(
        owner=a, amount="600.00", category="Insurance", frequency=YEARLY, start=date(2025, 4, 15)
    )
    gym = plan.schedule(owner=a, amount="30.00", category="Gym", start=date(2026, 1, 1))
    plan.deactivate(gym.id)
    plan.schedule(
        owner=a,
        amount="500.00",
        kind=INCOME,
        category="Bonus",
        frequency=YEARLY,
        start=date(2026, 12, 1),
    )
    plan.schedule(
        owner=a,
        amount="3.50",
        category="Coffee",
        frequency=DAILY,
        start=date(2026, 5, 30),
        count=5,
    )
    plan.schedule(owner=a, amount="10.00", category="Old", start=date(2025, 1, 1), count=12)
    plan.budget(owner=a, category="Food", amount="400.00", start=month(2026, 1))
    plan.budget(owner=a, category="Fun", amount="100.00", start=month(2026, 4), end=month(2026, 4))
    plan.budget(owner=a, category="Old", amount="999.00", start=month(2025, 1), end=month(2026, 2))
    b = other.user_id
    plan.schedule(owner=b, amount="1000.00", kind=INCOME, category="Salary", start=date(2026, 1, 1))
    plan.budget(owner=b, category="Food", amount="70.00", start=month(2026, 5))
    return plan


def test_the_forecast_adds_up_each_months_schedules_and_budgets(
    forecast_plan: Planning, analyst: Actor, other: Actor, admin_actor: Actor
) -> None:
    # March: salary; rent; groceries 2, 9, 16, 23 and 30 March. April: salary; rent (the
    # second and last); groceries 6 April; insurance. May: salary; coffee 30 and 31 May.
    assert forecast_plan.forecast(analyst) == [
        ("2026-03", "3000.00", "1450.00", "1550.00", "400.00"),
        ("2026-04", "3000.00", "1850.00", "1150.00", "500.00"),
        ("2026-05", "3000.00", "7.00", "2993.00", "400.00"),
    ]
    assert forecast_plan.forecast(admin_actor, owner=analyst.user_id) == (
        forecast_plan.forecast(analyst)
    )
    assert forecast_plan.forecast(admin_actor) == [
        ("2026-03", "4000.00", "1450.00", "2550.00", "400.00"),
        ("2026-04", "4000.00", "1850.00", "2150.00", "500.00"),
        ("2026-05", "4000.00", "7.00", "3993.00", "470.00"),
    ]
    assert forecast_plan.forecast(other, months=1) == [
        ("2026-03", "1000.00", "0.00", "1000.00", "0.00")
    ]
    june = forecast_plan.forecast(analyst, months=4)[-1]
    assert june == ("2026-06", "3000.00", "10.50", "2989.50", "400.00")


def test_the_forecast_counts_occurrences_made_already(
    forecast_plan: Planning, analyst: Actor
) -> None:
    before = forecast_plan.forecast(analyst)
    runs = forecast_plan.run_all()
    assert sum(runs.values()) > 0
    assert forecast_plan.forecast(analyst) == before


def test_a_forecast_may_be_negative(plan: Planning, analyst: Actor) -> None:
    plan.schedule(owner=analyst.user_id, amount="0.01", category="Fee", start=date(2026, 3, 31))
    assert plan.forecast(analyst, months=1) == [("2026-03", "0.00", "0.01", "-0.01", "0.00")]


@pytest.mark.parametrize("months", [0, 25])
def test_the_forecast_takes_1_to_24_months(plan: Planning, analyst: Actor, months: int) -> None:
    with pytest.raises(InvalidValue) as error:
        plan.forecast(analyst, months=months)
    assert error.value.field == "months"


def test_the_forecast_spans_up_to_24_months(plan: Planning, analyst: Actor) -> None:
    plan.schedule(owner=analyst.user_id, amount="5.00", frequency=YEARLY, start=date(2027, 2, 1))
    found = plan.forecast(analyst, months=24)
    assert [row[0] for row in found][:2] == ["2026-03", "2026-04"]
    assert found[-1][0] == "2028-02"
    assert [row[0] for row in found if row[2] != "0.00"] == ["2027-02", "2028-02"]


def test_the_forecast_is_for_analysts_and_admins(
    plan: Planning, users: Users, analyst: Actor, other: Actor
) -> None:
    viewer = users.actor(users.add(Role.VIEWER))
    with pytest.raises(Forbidden):
        plan.forecast(viewer)
    with pytest.raises(Forbidden):
        plan.forecast(analyst, owner=other.user_id)
