"""Recurring schedules: the same record made again and again, on dates a calendar rule gives."""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from finance.domain.errors import InvalidValue
from finance.domain.money import Money
from finance.domain.records import (
    Record,
    RecordType,
    audit_value,
    clean_category,
    clean_description,
)

MAX_INTERVAL = 1000
#: The fields a change may touch, in the order a diff lists them.
SCHEDULE_FIELDS = (
    "owner_id",
    "amount",
    "type",
    "category",
    "description",
    "frequency",
    "interval",
    "start_date",
    "end_date",
    "count",
)


class Frequency(StrEnum):
    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY = "monthly"
    YEARLY = "yearly"


def occurrence_date(start: date, frequency: Frequency, step: int) -> date | None:
    """The date ``step`` units (days, weeks, months, years) after ``start``; a monthly or
    yearly date that its month lacks (the 31st, 29 February) falls on that month's last day.
    Always counted from ``start``, so the 31st comes back after a short month. None past the
    calendar's end (year 9999)."""
    try:
        if frequency is Frequency.DAILY:
            return start + timedelta(days=step)
        if frequency is Frequency.WEEKLY:
            return start + timedelta(weeks=step)
    except OverflowError:
        return None
    months = step if frequency is Frequency.MONTHLY else 12 * step
    year, month = divmod(start.year * 12 + start.month - 1 + months, 12)
    month += 1
    if year > 9999:
        return None
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


@dataclass
class Schedule:
    """Makes a record of ``amount``, ``type`` and ``category`` for ``owner_id`` on
    ``start_date`` and every ``interval`` days, weeks, months or years after it; it ends after
    ``end_date`` or after ``count`` occurrences (at most one of the two), or when deactivated.
    ``made_through`` is the last occurrence made: only later ones are made, so each is made
    once, and editing a schedule changes only those not yet made."""

    owner_id: int
    amount: Money
    type: RecordType
    category: str
    frequency: Frequency
    start_date: date
    created_by: int
    created_at: datetime
    updated_at: datetime
    description: str = ""
    interval: int = 1
    end_date: date | None = None
    count: int | None = None
    active: bool = True
    made_through: date | None = None
    version: int = 1
    id: int | None = field(default=None)

    @classmethod
    def create(
        cls,
        *,
        owner_id: int,
        amount: Money,
        type: RecordType,
        category: str,
        description: str,
        frequency: Frequency,
        interval: int,
        start_date: date,
        end_date: date | None,
        count: int | None,
        created_by: int,
        now: datetime,
    ) -> Schedule:
        schedule = cls(
            owner_id=owner_id,
            amount=amount,
            type=type,
            category=clean_category(category),
            description=clean_description(description),
            frequency=frequency,
            interval=interval,
            start_date=start_date,
            end_date=end_date,
            count=count,
            created_by=created_by,
            created_at=now,
            updated_at=now,
        )
        schedule._check()
        return schedule

    def _check(self) -> None:
        if not 1 <= self.interval <= MAX_INTERVAL:
            raise InvalidValue("interval", f"Must be between 1 and {MAX_INTERVAL}.")
        if self.end_date is not None and self.count is not None:
            raise InvalidValue("count", "Give an end_date or a count, not both.")
        if self.end_date is not None and self.end_date < self.start_date:
            raise InvalidValue("end_date", "Must not be before start_date.")
        if self.count is not None and self.count < 1:
            raise InvalidValue("count", "Must be at least 1.")

    def occurrences(self, since: date | None = None) -> Iterator[date]:
        """Every occurrence date from the start (or the first on or after ``since``), in
        order, until the schedule ends. Starts counting near ``since`` rather than walking
        every step from the start, so a daily schedule begun decades ago costs no more."""
        n = self._steps_before(since) if since is not None else 0
        while self.count is None or n < self.count:
            when = occurrence_date(self.start_date, self.frequency, n * self.interval)
            if when is None or (self.end_date is not None and when > self.end_date):
                return
            if since is None or when >= since:
                yield when
            n += 1

    def _steps_before(self, day: date) -> int:
        """A number of steps whose occurrence falls before ``day`` (or is the first one)."""
        if self.frequency in (Frequency.DAILY, Frequency.WEEKLY):
            unit = 1 if self.frequency is Frequency.DAILY else 7
            units = (day - self.start_date).days // unit
        else:
            months = (day.year - self.start_date.year) * 12 + day.month - self.start_date.month
            units = months if self.frequency is Frequency.MONTHLY else months // 12
        return max(0, units // self.interval - 1)

    def pending(self) -> Iterator[date]:
        """The occurrences not made yet, in order (none once deactivated)."""
        if not self.active:
            return
        after = self.made_through + timedelta(days=1) if self.made_through else None
        yield from self.occurrences(after)

    @property
    def next_date(self) -> date | None:
        return next(self.pending(), None)

    def due(self, until: date) -> list[date]:
        """The pending occurrences up to ``until`` (included)."""
        found = []
        for when in self.pending():
            if when > until:
                break
            found.append(when)
        return found

    def record_on(self, when: date, now: datetime) -> Record:
        """The record an occurrence makes, as if its creator had made it."""
        record = Record.create(
            amount=self.amount,
            type=self.type,
            category=self.category,
            date=when,
            description=self.description,
            owner_id=self.owner_id,
            created_by=self.created_by,
            now=now,
        )
        record.recurring_id = self.id
        return record

    def made(self, through: date, now: datetime) -> None:
        """Note that every occurrence up to ``through`` is made."""
        self.made_through = through
        self._touch(now)

    def apply(self, changes: dict[str, Any], now: datetime) -> dict[str, list[Any]]:
        """Apply new field values and return ``{field: [old, new]}`` for those that differ;
        the version always moves on."""
        unknown = set(changes) - set(SCHEDULE_FIELDS)
        if unknown:
            raise InvalidValue(sorted(unknown)[0], "Cannot be changed.")
        cleaners: dict[str, Any] = {
            "category": clean_category,
            "description": clean_description,
        }
        cleaned = {name: cleaners.get(name, _same)(value) for name, value in changes.items()}
        diff: dict[str, list[Any]] = {}
        for name in SCHEDULE_FIELDS:
            if name in cleaned and cleaned[name] != getattr(self, name):
                diff[name] = [audit_value(getattr(self, name)), audit_value(cleaned[name])]
                setattr(self, name, cleaned[name])
        self._check()
        self._touch(now)
        return diff

    def deactivate(self, now: datetime) -> dict[str, list[Any]]:
        diff = {"active": [True, False]} if self.active else {}
        self.active = False
        self._touch(now)
        return diff

    def _touch(self, now: datetime) -> None:
        self.version += 1
        self.updated_at = now


def _same(value: Any) -> Any:
    return value
