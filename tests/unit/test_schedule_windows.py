"""Asking a schedule for its occurrences from a day on gives what walking from its start gives:
the shortcut that keeps old daily schedules cheap never skips nor adds a date."""

from __future__ import annotations

from datetime import UTC, date, datetime
from itertools import islice

from hypothesis import given, settings
from hypothesis import strategies as st

from finance.domain.money import Money
from finance.domain.records import RecordType
from finance.domain.schedules import Frequency, Schedule


def schedule(frequency: Frequency, interval: int, start: date, count: int | None) -> Schedule:
    return Schedule.create(
        owner_id=1,
        amount=Money.parse("9.99"),
        type=RecordType.EXPENSE,
        category="Rent",
        description="",
        frequency=frequency,
        interval=interval,
        start_date=start,
        end_date=None,
        count=count,
        created_by=1,
        now=datetime(2026, 1, 1, tzinfo=UTC),
    )


@settings(max_examples=400, deadline=None)
@given(
    st.sampled_from(list(Frequency)),
    st.integers(1, 40),
    st.dates(date(1990, 1, 1), date(2030, 12, 31)),
    st.dates(date(1985, 1, 1), date(2040, 12, 31)),
    st.none() | st.integers(1, 60),
)
def test_occurrences_since_a_day_are_the_walked_ones_from_that_day(
    frequency: Frequency, interval: int, start: date, since: date, count: int | None
) -> None:
    plan = schedule(frequency, interval, start, count)
    walked = [d for d in islice(plan.occurrences(), 20_000) if d >= since][:30]
    assert list(islice(plan.occurrences(since), 30)) == walked


def test_pending_starts_after_the_last_made_occurrence() -> None:
    plan = schedule(Frequency.MONTHLY, 1, date(2000, 1, 31), None)
    plan.made(date(2026, 1, 31), datetime(2026, 2, 1, tzinfo=UTC))
    assert list(islice(plan.pending(), 3)) == [
        date(2026, 2, 28),
        date(2026, 3, 31),
        date(2026, 4, 30),
    ]
