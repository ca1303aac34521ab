"""Calendar months as the dashboard counts them: each named by its first day."""

from __future__ import annotations

from datetime import date, timedelta


def month_of(day: date) -> date:
    return day.replace(day=1)


def add_months(month: date, count: int) -> date | None:
    """The first day of the month ``count`` months after ``month``'s; None past year 1 to 9999."""
    index = month.year * 12 + month.month - 1 + count
    year, month_index = divmod(index, 12)
    if not 1 <= year <= 9999:
        return None
    return date(year, month_index + 1, 1)


def month_end(month: date) -> date:
    following = add_months(month, 1)
    return following - timedelta(days=1) if following else date.max


def months_spanned(first: date, last: date) -> int:
    """How many months from ``first``'s to ``last``'s, both included."""
    return (last.year - first.year) * 12 + last.month - first.month + 1
