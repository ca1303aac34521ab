from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from itertools import islice

from finance.application.authorization import Actor, authorize
from finance.application.ports import UnitOfWork
from finance.application.recurring.schedule_access import visible_schedule
from finance.domain.errors import InvalidValue
from finance.domain.roles import Permission

MAX_UPCOMING = 100


@dataclass(frozen=True)
class UpcomingOccurrencesRequest:
    actor: Actor
    schedule_id: int
    limit: int = 5


class UpcomingOccurrences:
    """The next dates (1 to 100, default 5) a schedule will make a record on, oldest first;
    none once it has ended or was deactivated."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    def execute(self, request: UpcomingOccurrencesRequest) -> list[date]:
        if not 1 <= request.limit <= MAX_UPCOMING:
            raise InvalidValue("limit", f"Must be between 1 and {MAX_UPCOMING}.")
        authorize(request.actor, Permission.READ_OWN_RECORDS)
        with self._uow:
            schedule = visible_schedule(self._uow, request.actor, request.schedule_id)
        return list(islice(schedule.pending(), request.limit))
