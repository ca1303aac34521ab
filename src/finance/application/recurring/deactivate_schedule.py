from __future__ import annotations

from dataclasses import dataclass

from finance.application.authorization import Actor
from finance.application.ports import Clock, UnitOfWork
from finance.application.recurring.schedule_access import schedule_to_change


@dataclass(frozen=True)
class DeactivateScheduleRequest:
    actor: Actor
    schedule_id: int
    expected_version: int | None = None


class DeactivateSchedule:
    """Admins stop a schedule: it makes nothing more; the records it made stay."""

    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    def execute(self, request: DeactivateScheduleRequest) -> None:
        with self._uow:
            schedule = schedule_to_change(
                self._uow, request.actor, request.schedule_id, request.expected_version
            )
            schedule.deactivate(self._clock.now())
            self._uow.schedules.save(schedule)
            self._uow.commit()
