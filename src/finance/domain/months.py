"""Calendar months, each named by its first day."""

from __future__ import annotations

import re
from datetime import date, timedelta

from finance.domain.errors import InvalidValue


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


_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")


def parse_month(field: str, text: str) -> date:
    """A month written ``YYYY-MM``, as its first day."""
    found = _MONTH.fullmatch(text)
    if found is None or not 1 <= int(found.group(2)) <= 12 or int(found.group(1)) < 1:
        raise InvalidValue(field, "Must be a month as YYYY-MM.")
    return date(int(found.group(1)), int(found.group(2)), 1)


def month_label(month: date) -> str:
    return f"{month.year:04d}-{month.month:02d}"
