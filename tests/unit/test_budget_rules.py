"""Budget rules: the months a budget covers, which budgets may not overlap, and what a month
of one comes to (budgeted, carried, available, spent, remaining, share used)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from fractions import Fraction
from math import floor

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from finance.domain.budgets import Budget, BudgetMonth
from finance.domain.errors import InvalidValue
from finance.domain.money import Money
from finance.domain.months import add_months

NOW = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
LATER = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def budget(
    category: str = "Food",
    amount: str = "100.00",
    start: date = date(2026, 1, 1),
    end: date | None = None,
    rollover: bool = False,
    owner: int = 1,
) -> Budget:
    return Budget.create(
        owner_id=owner,
        category=category,
        amount=Money.parse(amount),
        start_month=start,
        end_month=end,
        rollover=rollover,
        now=NOW,
    )


def month(year: int, number: int) -> date:
    return date(year, number, 1)


def cents(amount: str) -> int:
    return int(Decimal(amount) * 100)


# --- months -------------------------------------------------------------------------------


def test_a_budget_is_in_force_from_its_start_month_to_its_end_month_included() -> None:
    limited = budget(start=month(2026, 2), end=month(2026, 4))
    assert [limited.in_force(month(2026, m)) for m in range(1, 6)] == [
        False,
        True,
        True,
        True,
        False,
    ]


def test_an_open_ended_budget_never_stops() -> None:
    open_ended = budget(start=month(2026, 2))
    assert not open_ended.in_force(month(2026, 1))
    assert open_ended.in_force(month(2026, 2))
    assert open_ended.in_force(month(2999, 12))


def test_a_single_month_budget_is_allowed() -> None:
    single = budget(start=month(2026, 5), end=month(2026, 5))
    assert single.in_force(month(2026, 5))
    assert not single.in_force(month(2026, 6))


def test_the_end_month_may_not_come_before_the_start_month() -> None:
    with pytest.raises(InvalidValue) as error:
        budget(start=month(2026, 5), end=month(2026, 4))
    assert error.value.field == "end_month"
    with pytest.raises(InvalidValue) as error:
        budget(start=month(2026, 1), end=month(2025, 12))
    assert error.value.field == "end_month"


@pytest.mark.parametrize(
    ("start", "end", "field"),
    [
        (date(2026, 1, 15), None, "start_month"),
        (date(2026, 1, 1), date(2026, 3, 31), "end_month"),
    ],
)
def test_months_are_named_by_their_first_day(start: date, end: date | None, field: str) -> None:
    with pytest.raises(InvalidValue) as error:
        budget(start=start, end=end)
    assert error.value.field == field


@pytest.mark.parametrize("amount", ["0", "0.00", "-10.00", "1.005"])
def test_the_amount_is_positive_money(amount: str) -> None:
    with pytest.raises(InvalidValue) as error:
        budget(amount=amount)
    assert error.value.field == "amount"


def test_the_category_is_trimmed_and_may_not_be_blank() -> None:
    assert budget(category="  Eating out ").category == "Eating out"
    with pytest.raises(InvalidValue) as error:
        budget(category="   ")
    assert error.value.field == "category"


# --- overlap ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "second", "overlap"),
    [
        ((1, "Food", month(2026, 1), month(2026, 3)), (1, "food", month(2026, 3), None), True),
        ((1, "Food", month(2026, 1), month(2026, 3)), (1, " FOOD ", month(2026, 2), None), True),
        ((1, "Food", month(2026, 1), month(2026, 3)), (1, "Food", month(2026, 4), None), False),
        ((1, "Food", month(2026, 4), None), (1, "Food", month(2026, 1), month(2026, 3)), False),
        ((1, "Food", month(2026, 1), None), (1, "Food", month(2030, 1), month(2030, 1)), True),
        ((1, "Food", month(2026, 1), None), (1, "Food", month(2020, 1), None), True),
        (
            (1, "Food", month(2026, 1), month(2026, 12)),
            (1, "Food", month(2026, 6), month(2026, 6)),
            True,
        ),
        ((1, "Food", month(2026, 1), None), (2, "Food", month(2026, 1), None), False),
        ((1, "Food", month(2026, 1), None), (1, "Fuel", month(2026, 1), None), False),
        ((1, "Food", month(2026, 1), None), (1, "Food & drink", month(2026, 1), None), False),
    ],
)
def test_budgets_of_one_owner_and_category_overlap_when_they_share_a_month(
    first: tuple[int, str, date, date | None],
    second: tuple[int, str, date, date | None],
    overlap: bool,
) -> None:
    a = budget(owner=first[0], category=first[1], start=first[2], end=first[3])
    b = budget(owner=second[0], category=second[1], start=second[2], end=second[3])
    assert a.overlaps(b) is overlap
    assert b.overlaps(a) is overlap


month_numbers = st.integers(0, 36)


@st.composite
def spans(draw: st.DrawFn) -> tuple[int, int | None]:
    start = draw(month_numbers)
    length = draw(st.none() | st.integers(0, 36))
    return start, None if length is None else start + length


@settings(max_examples=200, deadline=None)
@given(
    spans(),
    spans(),
    st.sampled_from(["Food", "food", " FOOD", "Fuel"]),
    st.sampled_from([1, 2]),
)
def test_overlap_means_a_month_in_common(
    first: tuple[int, int | None], second: tuple[int, int | None], category: str, owner: int
) -> None:
    base = month(2026, 1)

    def nth(number: int) -> date:
        found = add_months(base, number)
        assert found is not None
        return found

    def covered(span: tuple[int, int | None]) -> set[int]:
        start, end = span
        return set(range(start, (end if end is not None else 200) + 1))

    a = budget(start=nth(first[0]), end=None if first[1] is None else nth(first[1]))
    b = budget(
        owner=owner,
        category=category,
        start=nth(second[0]),
        end=None if second[1] is None else nth(second[1]),
    )
    same_limit = owner == 1 and category.strip().lower() == "food"
    shares_a_month = bool(covered(first) & covered(second))
    assert a.overlaps(b) is (same_limit and shares_a_month)
    assert b.overlaps(a) is a.overlaps(b)


# --- changes ------------------------------------------------------------------------------


def test_a_change_lists_what_differs_and_moves_the_version_on() -> None:
    plan = budget()
    diff = plan.apply(
        {
            "amount": Money.parse("150.00"),
            "category": " Groceries ",
            "end_month": month(2026, 6),
            "rollover": False,
        },
        LATER,
    )
    assert diff == {
        "category": ["Food", "Groceries"],
        "amount": ["100.00", "150.00"],
        "end_month": [None, "2026-06"],
    }
    assert (plan.category, plan.amount, plan.end_month) == (
        "Groceries",
        Money.parse("150.00"),
        month(2026, 6),
    )
    assert (plan.version, plan.created_at, plan.updated_at) == (2, NOW, LATER)


def test_a_change_may_make_a_budget_open_ended() -> None:
    plan = budget(end=month(2026, 3))
    plan.apply({"end_month": None}, LATER)
    assert plan.in_force(month(2040, 1))


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"start_month": month(2026, 7)}, "end_month"),
        ({"end_month": month(2025, 12)}, "end_month"),
        ({"start_month": date(2026, 2, 2)}, "start_month"),
        ({"end_month": date(2026, 5, 31)}, "end_month"),
        ({"category": ""}, "category"),
        ({"id": 7}, "id"),
        ({"version": 9}, "version"),
    ],
)
def test_a_change_that_breaks_a_rule_is_refused(changes: dict[str, object], field: str) -> None:
    plan = budget(start=month(2026, 1), end=month(2026, 6))
    with pytest.raises(InvalidValue) as error:
        plan.apply(changes, LATER)
    assert error.value.field == field


# --- a month of a budget ------------------------------------------------------------------


@dataclass(frozen=True)
class Shown:
    budgeted: str
    carried: str
    available: str
    spent: str
    remaining: str
    percent_used: str | None


def shown(line: BudgetMonth) -> Shown:
    """The line as the report writes it: exact amounts, the share with one decimal."""
    percent = line.percent_used
    return Shown(
        str(line.budgeted),
        str(line.carried),
        str(line.available),
        str(line.spent),
        str(line.remaining),
        None if percent is None else str(percent),
    )


def test_without_rollover_nothing_is_carried() -> None:
    plan = budget(amount="400.00", start=month(2026, 1))
    line = BudgetMonth.of(plan, month(2026, 3), cents("123.45"), cents("9999.00"))
    assert shown(line) == Shown("400.00", "0.00", "400.00", "123.45", "276.55", "30.9")


def test_nothing_spent_is_zero_percent() -> None:
    line = BudgetMonth.of(budget(), month(2026, 1), 0, 0)
    assert shown(line) == Shown("100.00", "0.00", "100.00", "0.00", "100.00", "0.0")


@pytest.mark.parametrize(
    ("available", "spent", "percent"),
    [
        ("400.00", "49.00", "12.3"),
        ("1000.00", "0.50", "0.1"),
        ("1000.00", "0.45", "0.0"),
        ("400.00", "1.00", "0.3"),
        ("300.00", "100.00", "33.3"),
        ("300.00", "200.00", "66.7"),
        ("80.00", "0.18", "0.2"),
        ("100.00", "100.00", "100.0"),
        ("100.00", "150.01", "150.0"),
        ("0.03", "0.01", "33.3"),
        ("0.08", "0.07", "87.5"),
    ],
)
def test_the_share_used_has_one_decimal_rounded_half_up(
    available: str, spent: str, percent: str
) -> None:
    line = BudgetMonth.of(budget(amount=available), month(2026, 1), cents(spent), 0)
    assert shown(line).percent_used == percent


def test_overspending_leaves_a_negative_remainder() -> None:
    line = BudgetMonth.of(budget(amount="100.00"), month(2026, 2), cents("130.10"), 0)
    assert shown(line) == Shown("100.00", "0.00", "100.00", "130.10", "-30.10", "130.1")


def test_rollover_carries_nothing_into_the_first_month() -> None:
    plan = budget(amount="100.00", start=month(2026, 1), rollover=True)
    line = BudgetMonth.of(plan, month(2026, 1), cents("40.00"), 0)
    assert shown(line) == Shown("100.00", "0.00", "100.00", "40.00", "60.00", "40.0")


def test_rollover_carries_what_earlier_months_left() -> None:
    plan = budget(amount="100.00", start=month(2026, 1), rollover=True)
    # January 40 spent, February 70 spent: 60 + 30 left for March.
    line = BudgetMonth.of(plan, month(2026, 3), cents("50.00"), cents("110.00"))
    assert shown(line) == Shown("100.00", "90.00", "190.00", "50.00", "140.00", "26.3")


def test_rollover_carries_overspending_as_a_negative_amount() -> None:
    plan = budget(amount="100.00", start=month(2026, 1), rollover=True)
    # January 250 spent: 150 overspent, so February has 100 - 150 = -50 available.
    line = BudgetMonth.of(plan, month(2026, 2), cents("10.00"), cents("250.00"))
    assert shown(line) == Shown("100.00", "-150.00", "-50.00", "10.00", "-60.00", None)


def test_nothing_available_has_no_share_used() -> None:
    plan = budget(amount="100.00", start=month(2026, 1), rollover=True)
    line = BudgetMonth.of(plan, month(2026, 2), 0, cents("200.00"))
    assert shown(line) == Shown("100.00", "-100.00", "0.00", "0.00", "0.00", None)


def test_a_month_outside_the_budget_is_refused() -> None:
    plan = budget(start=month(2026, 2), end=month(2026, 3))
    for outside in (month(2026, 1), month(2026, 4)):
        with pytest.raises(InvalidValue) as error:
            BudgetMonth.of(plan, outside, 0, 0)
        assert error.value.field == "month"


def half_up_tenth(value: Fraction) -> Decimal:
    """A positive fraction rounded half up to one decimal, by integer arithmetic."""
    tenths = floor(value * 10 + Fraction(1, 2))
    return Decimal(tenths) / 10


@settings(max_examples=150, deadline=None)
@given(
    amount=st.integers(1, 10_000_000),
    spending=st.lists(st.integers(0, 20_000_000), min_size=1, max_size=24),
    rollover=st.booleans(),
)
def test_each_month_carries_the_previous_months_remainder(
    amount: int, spending: list[int], rollover: bool
) -> None:
    start = month(2025, 11)
    plan = budget(amount=str(Money.from_cents(amount)), start=start, rollover=rollover)
    previous: BudgetMonth | None = None
    for index, spent in enumerate(spending):
        when = add_months(start, index)
        assert when is not None
        line = BudgetMonth.of(plan, when, spent, sum(spending[:index]))
        if rollover and previous is not None:
            assert line.carried == previous.remaining
        else:
            assert line.carried == 0
        assert line.budgeted * 100 == amount
        assert line.spent * 100 == spent
        assert line.available == line.budgeted + line.carried
        assert line.remaining == line.available - line.spent
        available_cents = int(line.available * 100)
        if available_cents <= 0:
            assert line.percent_used is None
        else:
            expected = half_up_tenth(Fraction(spent * 100, available_cents))
            assert line.percent_used == expected
            assert line.percent_used is not None
            assert line.percent_used.as_tuple().exponent == -1
        previous = line
