from __future__ import annotations

from dataclasses import dataclass

from finance.application.authorization import Actor
from finance.application.errors import Unauthenticated
from finance.application.ports import PasswordHasher, UnitOfWork
from finance.domain.errors import InvalidValue
from finance.domain.users import User, check_password_policy


@dataclass(frozen=True)
class ChangePasswordRequest:
    actor: Actor
    current_password: str
    new_password: str


class ChangePassword:
    """Any signed-in user changes their own password by giving the current one; every token
    issued to them before stops working. The slow hashing runs with no transaction open; if
    the password changed meanwhile, the current password given is no longer current."""

    def __init__(self, read_uow: UnitOfWork, uow: UnitOfWork, hasher: PasswordHasher) -> None:
        self._read_uow = read_uow
        self._uow = uow
        self._hasher = hasher

    def execute(self, request: ChangePasswordRequest) -> None:
        with self._read_uow:
            user = self._active_user(self._read_uow, request.actor)
        check_password_policy(request.new_password, user.email, field="new_password")
        if not self._hasher.verify(user.password_hash, request.current_password):
            raise InvalidValue("current_password", "Current password is incorrect.")
        new_hash = self._hasher.hash(request.new_password)
        with self._uow:
            stored = self._active_user(self._uow, request.actor)
            if stored.password_hash != user.password_hash:
                raise InvalidValue("current_password", "Current password is incorrect.")
            stored.set_password_hash(new_hash)
            self._uow.users.save(stored)
            self._uow.commit()

    @staticmethod
    def _active_user(uow: UnitOfWork, actor: Actor) -> User:
        user = uow.users.get(actor.user_id)
        if user is None or not user.is_active:
            raise Unauthenticated("Token is no longer valid.")
        return user
