from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from finance.application.ports import Clock, UnitOfWork
from finance.application.recurring.occurrences import make_due
from finance.domain.errors import InvalidValue


@dataclass(frozen=True)
class RunSchedulesRequest:
    until: date | None = None


@dataclass(frozen=True)
class ScheduleRun:
    schedule_id: int
    created: int


class RunSchedules:
    """Operators (cron) make the due occurrences of every active schedule up to a day
    (default today, UTC; never in the future), each schedule in a transaction of its own, so
    a failure leaves the others made. Running it twice, or twice at once, makes each
    occurrence once."""

    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    def execute(self, request: RunSchedulesRequest) -> list[ScheduleRun]:
        now = self._clock.now()
        until = request.until or now.date()
        if until > now.date():
            raise InvalidValue("until", "Must not be in the future.")
        with self._uow:
            ids = [s.id for s in self._uow.schedules.active() if s.id is not None]
        runs = []
        for schedule_id in ids:
            with self._uow:
                schedule = self._uow.schedules.get(schedule_id, for_update=True)
                if schedule is None or not schedule.active:
                    continue
                made = make_due(self._uow, schedule, until, now)
                self._uow.commit()
            runs.append(ScheduleRun(schedule_id, len(made)))
        return runs
