from __future__ import annotations

from dataclasses import dataclass

from finance.application.authorization import Actor, authorize
from finance.application.errors import NotFound
from finance.application.ports import PasswordHasher, UnitOfWork
from finance.application.users.last_admin import ensure_another_active_admin
from finance.domain.roles import Permission, Role
from finance.domain.users import User, check_password_policy


@dataclass(frozen=True)
class UpdateUserRequest:
    actor: Actor
    user_id: int
    name: str | None = None
    role: Role | None = None
    is_active: bool | None = None
    password: str | None = None


class UpdateUser:
    """Admins change a user's name, role, active flag or password. The last active admin cannot
    be demoted or deactivated. A new role, a new password or deactivation ends the user's
    sessions."""

    def __init__(self, uow: UnitOfWork, hasher: PasswordHasher) -> None:
        self._uow = uow
        self._hasher = hasher

    def execute(self, request: UpdateUserRequest) -> User:
        authorize(request.actor, Permission.MANAGE_USERS)
        new_hash = self._new_password_hash(request)
        with self._uow:
            user = self._user(request.user_id)
            if request.name is not None:
                user.rename(request.name)
            if new_hash is not None:
                user.set_password_hash(new_hash)
            if user.would_stop_being_admin(request.role, request.is_active):
                ensure_another_active_admin(self._uow, user)
            if request.role is not None:
                user.change_role(request.role)
            if request.is_active is True:
                user.activate()
            elif request.is_active is False:
                user.deactivate()
            self._uow.users.save(user)
            self._uow.commit()
        return user

    def _new_password_hash(self, request: UpdateUserRequest) -> str | None:
        """The new password checked and hashed before the writing transaction opens (a user's
        email, which the policy compares with, never changes)."""
        if request.password is None:
            return None
        with self._uow:
            email = self._user(request.user_id).email
        check_password_policy(request.password, email)
        return self._hasher.hash(request.password)

    def _user(self, user_id: int) -> User:
        user = self._uow.users.get(user_id)
        if user is None:
            raise NotFound("User not found.")
        return user
