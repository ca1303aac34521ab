from __future__ import annotations

from dataclasses import dataclass

from finance.application.authorization import Actor, authorize
from finance.application.ports import UnitOfWork
from finance.application.recurring.schedule_access import visible_schedule
from finance.domain.roles import Permission
from finance.domain.schedules import Schedule


@dataclass(frozen=True)
class GetScheduleRequest:
    actor: Actor
    schedule_id: int


class GetSchedule:
    """Users read their own schedules, admins anyone's; another owner's is not found."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    def execute(self, request: GetScheduleRequest) -> Schedule:
        authorize(request.actor, Permission.READ_OWN_RECORDS)
        with self._uow:
            return visible_schedule(self._uow, request.actor, request.schedule_id)
