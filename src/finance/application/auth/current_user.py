from __future__ import annotations

from finance.application.authorization import Actor
from finance.application.errors import Unauthenticated
from finance.application.ports import UnitOfWork
from finance.domain.users import User


class GetCurrentUser:
    """Every signed-in user may read their own account."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    def execute(self, actor: Actor) -> User:
        with self._uow:
            user = self._uow.users.get(actor.user_id)
        if user is None:
            raise Unauthenticated("Token is no longer valid.")
        return user
