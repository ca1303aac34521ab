from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from finance.application.authorization import Actor
from finance.application.ports import Clock, UnitOfWork
from finance.application.recurring.occurrences import make_due
from finance.application.recurring.schedule_access import schedule_to_change
from finance.domain.errors import InvalidValue
from finance.domain.records import Record


@dataclass(frozen=True)
class RunScheduleRequest:
    actor: Actor
    schedule_id: int
    until: date | None = None


class RunSchedule:
    """Admins make every occurrence of a schedule due up to a day (default today, UTC; never
    a day in the future). Each occurrence is made exactly once, however often and however
    concurrently this runs; the records are ordinary records with `recurring_id` set."""

    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    def execute(self, request: RunScheduleRequest) -> list[Record]:
        now = self._clock.now()
        until = request.until or now.date()
        if until > now.date():
            raise InvalidValue("until", "Must not be in the future.")
        with self._uow:
            schedule = schedule_to_change(self._uow, request.actor, request.schedule_id)
            made = make_due(self._uow, schedule, until, now)
            self._uow.commit()
        return made
