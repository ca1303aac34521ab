from __future__ import annotations

from dataclasses import dataclass

from finance.application.authorization import Actor, authorize
from finance.application.errors import NotFound
from finance.application.ports import UnitOfWork
from finance.domain.roles import Permission
from finance.domain.users import User


@dataclass(frozen=True)
class GetUserRequest:
    actor: Actor
    user_id: int


class GetUser:
    """Admins look up any user by id."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    def execute(self, request: GetUserRequest) -> User:
        authorize(request.actor, Permission.MANAGE_USERS)
        with self._uow:
            user = self._uow.users.get(request.user_id)
        if user is None:
            raise NotFound("User not found.")
        return user
