from __future__ import annotations

from dataclasses import dataclass, replace

from finance.application.authorization import Actor
from finance.application.pagination import Page, PageRequest
from finance.application.ports import ScheduleQuery, UnitOfWork
from finance.application.records.visibility import visible_owner
from finance.domain.schedules import Schedule


@dataclass(frozen=True)
class ListSchedulesRequest:
    actor: Actor
    query: ScheduleQuery
    page: PageRequest


class ListSchedules:
    """Users list their own schedules, admins everyone's or one owner's, by type, category
    (any case) and whether active. Oldest first."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    def execute(self, request: ListSchedulesRequest) -> Page[Schedule]:
        owner_id = visible_owner(request.actor, request.query.owner_id)
        with self._uow:
            return self._uow.schedules.find(replace(request.query, owner_id=owner_id), request.page)
