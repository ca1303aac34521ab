from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from finance.application.authorization import Actor, authorize
from finance.application.ports import Clock, UnitOfWork
from finance.application.records.visibility import ensure_active_owner
from finance.domain.money import Money
from finance.domain.records import RecordType
from finance.domain.roles import Permission
from finance.domain.schedules import Frequency, Schedule


@dataclass(frozen=True)
class CreateScheduleRequest:
    actor: Actor
    amount: Money
    type: RecordType
    category: str
    frequency: Frequency
    start_date: date
    description: str = ""
    interval: int = 1
    end_date: date | None = None
    count: int | None = None
    owner_id: int | None = None


class CreateSchedule:
    """Admins schedule a record to be made again and again for an active user (themselves by
    default): on the start date and every `interval` days, weeks, months or years after it,
    until an end date or for a number of occurrences (at most one of the two). A monthly or
    yearly date a month lacks (the 31st, 29 February) falls on that month's last day."""

    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    def execute(self, request: CreateScheduleRequest) -> Schedule:
        authorize(request.actor, Permission.WRITE_RECORDS)
        schedule = Schedule.create(
            owner_id=request.owner_id or request.actor.user_id,
            amount=request.amount,
            type=request.type,
            category=request.category,
            description=request.description,
            frequency=request.frequency,
            interval=request.interval,
            start_date=request.start_date,
            end_date=request.end_date,
            count=request.count,
            created_by=request.actor.user_id,
            now=self._clock.now(),
        )
        with self._uow:
            ensure_active_owner(self._uow, schedule.owner_id)
            stored = self._uow.schedules.add(schedule)
            self._uow.commit()
        return stored
