"""When a recurring schedule falls: start date, then every interval of days, weeks, months or
years, a day its month lacks moved to that month's last day, counted from the start so the
31st comes back after a short month; the end date included, the count respected. Checked
against a calendar walked a day or a month at a time."""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, timedelta
from itertools import islice, takewhile

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from finance.domain.errors import InvalidValue
from finance.domain.money import Money
from finance.domain.records import RecordType
from finance.domain.schedules import Frequency, Schedule

NOW = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
#: The day walk stays short; the month walk may span generations.
DAY_HORIZON = 3000
MONTH_HORIZON = 60_000


def schedule(
    frequency: Frequency,
    start: date,
    interval: int = 1,
    end_date: date | None = None,
    count: int | None = None,
) -> Schedule:
    return Schedule.create(
        owner_id=1,
        amount=Money.parse("10.00"),
        type=RecordType.EXPENSE,
        category="Rent",
        description="",
        frequency=frequency,
        interval=interval,
        start_date=start,
        end_date=end_date,
        count=count,
        created_by=1,
        now=NOW,
    )


def walk_calendar(
    frequency: Frequency,
    start: date,
    interval: int,
    end_date: date | None,
    count: int | None,
    horizon: date,
) -> list[date]:
    """The occurrences up to ``horizon``, found by walking the calendar from the start: a day
    at a time for daily and weekly schedules, a month at a time for monthly and yearly ones,
    keeping every ``interval``-th step and clamping the start's day to the month's length."""
    found: list[date] = []

    def open_ended(day: date) -> bool:
        within_end = end_date is None or day <= end_date
        return day <= horizon and within_end and (count is None or len(found) < count)

    if frequency in (Frequency.DAILY, Frequency.WEEKLY):
        days_apart = interval * (7 if frequency is Frequency.WEEKLY else 1)
        day, days_walked = start, 0
        while open_ended(day):
            if days_walked % days_apart == 0:
                found.append(day)
            day += timedelta(days=1)
            days_walked += 1
        return found
    months_apart = interval * (12 if frequency is Frequency.YEARLY else 1)
    year, month, months_walked = start.year, start.month, 0
    while True:
        if months_walked % months_apart == 0:
            last_day = calendar.monthrange(year, month)[1]
            day = date(year, month, min(start.day, last_day))
            if not open_ended(day):
                return found
            found.append(day)
        month += 1
        if month == 13:
            year, month = year + 1, 1
        months_walked += 1


def up_to(horizon: date, plan: Schedule) -> list[date]:
    return list(takewhile(lambda day: day <= horizon, plan.occurrences()))


month_ends = st.builds(
    lambda year, month, day: date(year, month, min(day, calendar.monthrange(year, month)[1])),
    st.integers(1900, 2100),
    st.integers(1, 12),
    st.integers(28, 31),
)
leap_days = st.integers(1900, 2100).filter(calendar.isleap).map(lambda year: date(year, 2, 29))
starts = st.one_of(
    st.dates(date(1900, 1, 1), date(2100, 12, 31)),
    month_ends,
    leap_days,
)
intervals = st.one_of(st.integers(1, 13), st.integers(1, 1000))
frequencies = st.sampled_from(list(Frequency))


@st.composite
def schedules(draw: st.DrawFn) -> tuple[Schedule, date]:
    """A schedule with an end date, a count or neither, and a horizon to compare up to."""
    frequency = draw(frequencies)
    start = draw(starts)
    interval = draw(intervals)
    reach = DAY_HORIZON if frequency in (Frequency.DAILY, Frequency.WEEKLY) else MONTH_HORIZON
    horizon = start + timedelta(days=draw(st.integers(0, reach)))
    end = draw(
        st.sampled_from(["end_date", "count", "neither"]),
    )
    end_date = count = None
    if end == "end_date":
        end_date = start + timedelta(days=draw(st.integers(0, reach)))
    elif end == "count":
        count = draw(st.integers(1, 40))
    return schedule(frequency, start, interval, end_date, count), horizon


@settings(max_examples=300, deadline=None)
@given(schedules())
def test_occurrences_match_a_walk_over_the_calendar(drawn: tuple[Schedule, date]) -> None:
    plan, horizon = drawn
    expected = walk_calendar(
        plan.frequency, plan.start_date, plan.interval, plan.end_date, plan.count, horizon
    )
    assert up_to(horizon, plan) == expected
    assert plan.due(horizon) == expected


@settings(max_examples=150, deadline=None)
@given(
    frequency=frequencies,
    start=starts,
    interval=st.integers(1, 13),
    last=st.integers(0, 11),
)
def test_the_end_date_is_included_and_the_count_is_exact(
    frequency: Frequency, start: date, interval: int, last: int
) -> None:
    far = start + timedelta(days=MONTH_HORIZON)
    walked = walk_calendar(frequency, start, interval, None, last + 1, far)
    assert len(walked) == last + 1
    final = walked[-1]
    assert list(schedule(frequency, start, interval, end_date=final).occurrences()) == walked
    assert list(schedule(frequency, start, interval, count=last + 1).occurrences()) == walked
    if last > 0:
        day_before = final - timedelta(days=1)
        before = schedule(frequency, start, interval, end_date=day_before)
        assert list(before.occurrences()) == walked[:-1]


@settings(max_examples=150, deadline=None)
@given(schedules(), st.integers(0, 39))
def test_only_occurrences_after_the_last_made_are_pending(
    drawn: tuple[Schedule, date], made: int
) -> None:
    plan, horizon = drawn
    walked = walk_calendar(
        plan.frequency, plan.start_date, plan.interval, plan.end_date, plan.count, horizon
    )
    if made >= len(walked):
        return
    plan.made(walked[made], NOW)
    assert list(takewhile(lambda day: day <= horizon, plan.pending())) == walked[made + 1 :]
    if made + 1 < len(walked):
        assert plan.next_date == walked[made + 1]
    else:
        assert plan.next_date is None or plan.next_date > horizon


@settings(max_examples=150, deadline=None)
@given(schedules(), st.integers(-400, DAY_HORIZON))
def test_occurrences_since_a_day_are_those_of_the_walk_from_that_day_on(
    drawn: tuple[Schedule, date], offset: int
) -> None:
    plan, horizon = drawn
    since = plan.start_date + timedelta(days=offset)
    walked = walk_calendar(
        plan.frequency, plan.start_date, plan.interval, plan.end_date, plan.count, horizon
    )
    found = list(takewhile(lambda day: day <= horizon, plan.occurrences(since)))
    assert found == [day for day in walked if day >= since]


def test_the_31st_monthly_falls_on_each_months_last_day_and_comes_back() -> None:
    plan = schedule(Frequency.MONTHLY, date(2026, 1, 31))
    assert list(islice(plan.occurrences(), 5)) == [
        date(2026, 1, 31),
        date(2026, 2, 28),
        date(2026, 3, 31),
        date(2026, 4, 30),
        date(2026, 5, 31),
    ]
    leap = schedule(Frequency.MONTHLY, date(2024, 1, 31))
    assert list(islice(leap.occurrences(), 3)) == [
        date(2024, 1, 31),
        date(2024, 2, 29),
        date(2024, 3, 31),
    ]


def test_the_30th_every_six_months_keeps_its_day_when_the_month_has_it() -> None:
    plan = schedule(Frequency.MONTHLY, date(2025, 8, 30), interval=6)
    assert list(islice(plan.occurrences(), 4)) == [
        date(2025, 8, 30),
        date(2026, 2, 28),
        date(2026, 8, 30),
        date(2027, 2, 28),
    ]


def test_29_february_yearly_is_the_28th_in_common_years_and_the_29th_in_leap_years() -> None:
    plan = schedule(Frequency.YEARLY, date(2024, 2, 29))
    assert list(islice(plan.occurrences(), 5)) == [
        date(2024, 2, 29),
        date(2025, 2, 28),
        date(2026, 2, 28),
        date(2027, 2, 28),
        date(2028, 2, 29),
    ]
    century = schedule(Frequency.YEARLY, date(2096, 2, 29), interval=4)
    assert list(islice(century.occurrences(), 3)) == [
        date(2096, 2, 29),
        date(2100, 2, 28),
        date(2104, 2, 29),
    ]


def test_the_end_date_is_included() -> None:
    plan = schedule(Frequency.WEEKLY, date(2026, 1, 5), end_date=date(2026, 1, 26))
    assert list(plan.occurrences()) == [
        date(2026, 1, 5),
        date(2026, 1, 12),
        date(2026, 1, 19),
        date(2026, 1, 26),
    ]
    day_before = schedule(Frequency.WEEKLY, date(2026, 1, 5), end_date=date(2026, 1, 25))
    assert list(day_before.occurrences())[-1] == date(2026, 1, 19)
    same_day = schedule(Frequency.YEARLY, date(2026, 1, 5), end_date=date(2026, 1, 5))
    assert list(same_day.occurrences()) == [date(2026, 1, 5)]


def test_a_count_stops_after_that_many_occurrences() -> None:
    plan = schedule(Frequency.DAILY, date(2026, 2, 27), interval=2, count=3)
    assert list(plan.occurrences()) == [date(2026, 2, 27), date(2026, 3, 1), date(2026, 3, 3)]


def test_occurrences_stop_at_the_calendars_end() -> None:
    assert list(schedule(Frequency.DAILY, date(9999, 12, 30)).occurrences()) == [
        date(9999, 12, 30),
        date(9999, 12, 31),
    ]
    assert list(schedule(Frequency.MONTHLY, date(9999, 11, 30)).occurrences()) == [
        date(9999, 11, 30),
        date(9999, 12, 30),
    ]
    assert list(schedule(Frequency.WEEKLY, date(9999, 12, 31)).occurrences()) == [
        date(9999, 12, 31)
    ]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"interval": 0}, "interval"),
        ({"interval": 1001}, "interval"),
        ({"count": 0}, "count"),
        ({"end_date": date(2026, 1, 4)}, "end_date"),
        ({"end_date": date(2026, 2, 1), "count": 2}, "count"),
    ],
)
def test_a_schedule_refuses_a_bad_interval_or_end(changes: dict[str, object], field: str) -> None:
    values: dict[str, object] = {"interval": 1, "end_date": None, "count": None}
    values.update(changes)
    with pytest.raises(InvalidValue) as error:
        schedule(Frequency.WEEKLY, date(2026, 1, 5), **values)  # type: ignore[arg-type]
    assert error.value.field == field
    existing = schedule(Frequency.WEEKLY, date(2026, 1, 5))
    with pytest.raises(InvalidValue) as error:
        existing.apply(changes, NOW)
    assert error.value.field == field


def test_the_widest_interval_is_allowed() -> None:
    plan = schedule(Frequency.DAILY, date(2026, 1, 1), interval=1000, count=2)
    first, second = plan.occurrences()
    assert (first, second - first) == (date(2026, 1, 1), timedelta(days=1000))
