from __future__ import annotations

from dataclasses import dataclass

from finance.application.authorization import Actor, authorize
from finance.application.pagination import Page, PageRequest
from finance.application.ports import UnitOfWork, UserQuery
from finance.domain.roles import Permission
from finance.domain.users import User


@dataclass(frozen=True)
class ListUsersRequest:
    actor: Actor
    query: UserQuery
    page: PageRequest


class ListUsers:
    """Admins list users by id, filtered by role, active flag and a case-insensitive search of
    email or name."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    def execute(self, request: ListUsersRequest) -> Page[User]:
        authorize(request.actor, Permission.MANAGE_USERS)
        with self._uow:
            return self._uow.users.find(request.query, request.page)
