from __future__ import annotations

from dataclasses import dataclass

from finance.application.authorization import Actor
from finance.application.errors import Unauthenticated
from finance.application.ports import PasswordHasher, UnitOfWork
from finance.domain.errors import InvalidValue
from finance.domain.users import check_password_policy


@dataclass(frozen=True)
class ChangePasswordRequest:
    actor: Actor
    current_password: str
    new_password: str


class ChangePassword:
    """Any signed-in user changes their own password by giving the current one; every token
    issued to them before stops working."""

    def __init__(self, uow: UnitOfWork, hasher: PasswordHasher) -> None:
        self._uow = uow
        self._hasher = hasher

    def execute(self, request: ChangePasswordRequest) -> None:
        with self._uow:
            user = self._uow.users.get(request.actor.user_id)
            if user is None or not user.is_active:
                raise Unauthenticated("Token is no longer valid.")
            if not self._hasher.verify(user.password_hash, request.current_password):
                raise InvalidValue("current_password", "Current password is incorrect.")
            check_password_policy(request.new_password, user.email)
            user.set_password_hash(self._hasher.hash(request.new_password))
            self._uow.users.save(user)
            self._uow.commit()
