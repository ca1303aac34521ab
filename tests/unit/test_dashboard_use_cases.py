"""Dashboard use cases in-process over the memory adapter: scope, validation, ordering, net
amounts and month gap-filling."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from finance.adapters.memory.unit_of_work import MemoryUnitOfWork
from finance.application.analytics.category_totals import CategoryTotals, CategoryTotalsRequest
from finance.application.analytics.monthly_trends import MonthlyTrends, MonthlyTrendsRequest
from finance.application.analytics.recent_transactions import (
    RecentTransactions,
    RecentTransactionsRequest,
)
from finance.application.analytics.statistics import DashboardQuery
from finance.application.analytics.summary import Summary, SummaryRequest
from finance.application.analytics.verify_statistics import (
    VerifyStatistics,
    VerifyStatisticsRequest,
)
from finance.application.authorization import Actor
from finance.application.errors import Forbidden
from finance.application.records.create_record import CreateRecord, CreateRecordRequest
from finance.application.records.delete_record import DeleteRecord, DeleteRecordRequest
from finance.domain.errors import InvalidValue
from finance.domain.money import Money
from finance.domain.records import Record, RecordType
from finance.domain.roles import Role
from tests.unit.conftest import FakeClock, Users


class Dashboard:
    def __init__(self, uow: MemoryUnitOfWork, clock: FakeClock, admin: Actor) -> None:
        self.uow, self.clock, self.admin = uow, clock, admin

    def add(self, amount: str, kind: str, category: str, day: date, owner: int) -> Record:
        return CreateRecord(self.uow, self.clock).execute(
            CreateRecordRequest(
                self.admin, Money.parse(amount), RecordType(kind), category, day, "", owner
            )
        )

    def summary(self, actor: Actor, **scope: Any) -> Any:
        return Summary(self.uow).execute(SummaryRequest(actor, DashboardQuery(**scope)))

    def categories(self, actor: Actor, kind: RecordType | None = None, **scope: Any) -> Any:
        request = CategoryTotalsRequest(actor, DashboardQuery(**scope), kind)
        return CategoryTotals(self.uow).execute(request)

    def recent(self, actor: Actor, limit: int = 10, **scope: Any) -> Any:
        request = RecentTransactionsRequest(actor, DashboardQuery(**scope), limit)
        return RecentTransactions(self.uow).execute(request)

    def trends(self, actor: Actor, months: int = 12, **scope: Any) -> Any:
        request = MonthlyTrendsRequest(actor, DashboardQuery(**scope), months)
        return MonthlyTrends(self.uow, self.clock).execute(request)


@pytest.fixture
def dash(uow: MemoryUnitOfWork, clock: FakeClock, admin_actor: Actor) -> Dashboard:
    return Dashboard(uow, clock, admin_actor)


@pytest.fixture
def analyst(users: Users) -> Actor:
    return users.actor(users.add(Role.ANALYST))


@pytest.fixture
def other(users: Users) -> Actor:
    return users.actor(users.add(Role.ANALYST))


def test_viewers_see_no_dashboard(dash: Dashboard, users: Users) -> None:
    viewer = users.actor(users.add(Role.VIEWER))
    with pytest.raises(Forbidden):
        dash.summary(viewer)
    with pytest.raises(Forbidden):
        dash.categories(viewer)
    with pytest.raises(Forbidden):
        dash.recent(viewer)
    with pytest.raises(Forbidden):
        dash.trends(viewer)


def test_analysts_see_their_own_and_may_not_ask_for_another_owner(
    dash: Dashboard, analyst: Actor, other: Actor
) -> None:
    dash.add("10.00", "income", "Salary", date(2026, 2, 1), analyst.user_id)
    dash.add("99.00", "income", "Salary", date(2026, 2, 1), other.user_id)
    assert dash.summary(analyst).total_income == Decimal("10.00")
    assert dash.summary(analyst, owner_id=analyst.user_id).total_income == Decimal("10.00")
    with pytest.raises(Forbidden):
        dash.summary(analyst, owner_id=other.user_id)
    with pytest.raises(Forbidden):
        dash.trends(analyst, owner_id=other.user_id)


def test_admins_see_everyone_or_one_owner(dash: Dashboard, analyst: Actor, other: Actor) -> None:
    dash.add("10.00", "income", "Salary", date(2026, 2, 1), analyst.user_id)
    dash.add("0.05", "expense", "Fees", date(2026, 2, 2), other.user_id)
    everyone = dash.summary(dash.admin)
    assert (everyone.total_income, everyone.total_expense) == (Decimal("10.00"), Decimal("0.05"))
    assert everyone.net_balance == Decimal("9.95") and everyone.record_count == 2
    assert dash.summary(dash.admin, owner_id=other.user_id).net_balance == Decimal("-0.05")


def test_empty_sums_are_zero_with_two_decimals(dash: Dashboard) -> None:
    summary = dash.summary(dash.admin)
    assert [f"{v:.2f}" for v in (summary.total_income, summary.net_balance)] == ["0.00"] * 2
    assert str(summary.total_expense) == "0.00"
    assert summary.record_count == 0


def test_date_from_after_date_to_is_invalid(dash: Dashboard) -> None:
    with pytest.raises(InvalidValue) as error:
        dash.summary(dash.admin, date_from=date(2026, 2, 2), date_to=date(2026, 2, 1))
    assert error.value.field == "date_from"


def test_deleted_records_never_count(dash: Dashboard, analyst: Actor) -> None:
    kept = dash.add("1.00", "expense", "Food", date(2026, 1, 1), analyst.user_id)
    gone = dash.add("2.00", "expense", "Food", date(2026, 1, 2), analyst.user_id)
    DeleteRecord(dash.uow, dash.clock).execute(DeleteRecordRequest(dash.admin, gone.id or 0))
    assert dash.summary(analyst).total_expense == Decimal("1.00")
    assert [r.id for r in dash.recent(analyst)] == [kept.id]
    assert dash.categories(analyst)[0].count == 1


def test_categories_that_differ_in_case_are_one(dash: Dashboard, analyst: Actor) -> None:
    me = analyst.user_id
    dash.add("1.00", "expense", "food", date(2026, 1, 1), me)
    dash.add("2.00", "expense", "Food", date(2026, 1, 2), me)
    dash.add("3.00", "expense", "Rent", date(2026, 1, 3), me)
    dash.add("3.00", "expense", "bills", date(2026, 1, 3), me)
    dash.add("3.00", "income", "Food", date(2026, 1, 4), me)
    rows = [(r.category, r.type.value, str(r.total), r.count) for r in dash.categories(analyst)]
    assert rows == [
        ("bills", "expense", "3.00", 1),
        ("Food", "expense", "3.00", 2),
        ("Food", "income", "3.00", 1),
        ("Rent", "expense", "3.00", 1),
    ]
    only = dash.categories(analyst, RecordType.INCOME)
    assert [(r.category, r.type) for r in only] == [("Food", RecordType.INCOME)]


def test_recent_transactions_newest_first_then_highest_id(dash: Dashboard, analyst: Actor) -> None:
    me = analyst.user_id
    a = dash.add("1.00", "expense", "Food", date(2026, 1, 5), me)
    b = dash.add("1.00", "expense", "Food", date(2026, 1, 9), me)
    c = dash.add("1.00", "expense", "Food", date(2026, 1, 5), me)
    assert [r.id for r in dash.recent(analyst)] == [b.id, c.id, a.id]
    assert [r.id for r in dash.recent(analyst, limit=1)] == [b.id]
    assert [r.id for r in dash.recent(analyst, date_to=date(2026, 1, 8))] == [c.id, a.id]


@pytest.mark.parametrize("limit", [0, 101, -1])
def test_limit_is_1_to_100(dash: Dashboard, limit: int) -> None:
    with pytest.raises(InvalidValue) as error:
        dash.recent(dash.admin, limit=limit)
    assert error.value.field == "limit"


def test_trends_default_to_the_12_months_ending_this_month(dash: Dashboard, analyst: Actor) -> None:
    dash.clock.current = datetime(2026, 3, 31, 23, 59, tzinfo=UTC)
    me = analyst.user_id
    dash.add("5.00", "income", "Salary", date(2026, 3, 31), me)
    dash.add("1.25", "expense", "Food", date(2025, 4, 1), me)
    dash.add("7.00", "expense", "Food", date(2025, 3, 31), me)
    trends = dash.trends(analyst)
    assert [t.label for t in trends][0::11] == ["2025-04", "2026-03"]
    assert len(trends) == 12
    assert (trends[0].expense, trends[0].net, trends[0].count) == (
        Decimal("1.25"),
        Decimal("-1.25"),
        1,
    )
    assert (trends[-1].income, trends[-1].net) == (Decimal("5.00"), Decimal("5.00"))
    assert all(t.count == 0 and str(t.net) == "0.00" for t in trends[1:-1])


def test_trends_over_a_date_range_count_only_days_within_it(
    dash: Dashboard, analyst: Actor
) -> None:
    me = analyst.user_id
    dash.add("1.00", "income", "Salary", date(2025, 12, 14), me)
    dash.add("2.00", "income", "Salary", date(2025, 12, 15), me)
    dash.add("4.00", "income", "Salary", date(2026, 2, 10), me)
    dash.add("8.00", "income", "Salary", date(2026, 2, 11), me)
    trends = dash.trends(analyst, date_from=date(2025, 12, 15), date_to=date(2026, 2, 10))
    assert [(t.label, str(t.income)) for t in trends] == [
        ("2025-12", "2.00"),
        ("2026-01", "0.00"),
        ("2026-02", "4.00"),
    ]


def test_trends_with_one_bound_take_months_from_it(dash: Dashboard, analyst: Actor) -> None:
    after = dash.trends(analyst, months=3, date_from=date(2025, 11, 20))
    assert [t.label for t in after] == ["2025-11", "2025-12", "2026-01"]
    before = dash.trends(analyst, months=2, date_to=date(2025, 1, 5))
    assert [t.label for t in before] == ["2024-12", "2025-01"]


def test_trends_span_at_most_120_months(dash: Dashboard) -> None:
    assert (
        len(dash.trends(dash.admin, date_from=date(2016, 1, 31), date_to=date(2025, 12, 1))) == 120
    )
    with pytest.raises(InvalidValue):
        dash.trends(dash.admin, date_from=date(2015, 12, 31), date_to=date(2025, 12, 1))
    for months in (0, 121):
        with pytest.raises(InvalidValue) as error:
            dash.trends(dash.admin, months=months)
        assert error.value.field == "months"
    with pytest.raises(InvalidValue):
        dash.trends(dash.admin, date_from=date(9999, 6, 1), months=12)


def test_memory_store_never_drifts(uow: MemoryUnitOfWork) -> None:
    report = VerifyStatistics(uow).execute(VerifyStatisticsRequest(repair=True))
    assert (report.differences, report.repaired) == ([], False)
