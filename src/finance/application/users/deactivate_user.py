from __future__ import annotations

from dataclasses import dataclass

from finance.application.authorization import Actor, authorize
from finance.application.errors import NotFound
from finance.application.ports import UnitOfWork
from finance.application.users.last_admin import ensure_another_active_admin
from finance.domain.roles import Permission


@dataclass(frozen=True)
class DeactivateUserRequest:
    actor: Actor
    user_id: int


class DeactivateUser:
    """Admins deactivate a user instead of deleting them: the user can no longer sign in and their
    records stay. The last active admin cannot be deactivated."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    def execute(self, request: DeactivateUserRequest) -> None:
        authorize(request.actor, Permission.MANAGE_USERS)
        with self._uow:
            user = self._uow.users.get(request.user_id)
            if user is None:
                raise NotFound("User not found.")
            if user.would_stop_being_admin(None, False):
                ensure_another_active_admin(self._uow, user)
            user.deactivate()
            self._uow.users.save(user)
            self._uow.commit()
