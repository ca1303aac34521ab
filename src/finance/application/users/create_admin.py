from __future__ import annotations

from dataclasses import dataclass

from finance.application.ports import Clock, PasswordHasher, UnitOfWork
from finance.application.users.create_user import register_user
from finance.domain.roles import Role
from finance.domain.users import User


@dataclass(frozen=True)
class CreateAdminRequest:
    email: str
    name: str
    password: str
    only_if_none: bool = False


class CreateAdmin:
    """Operators create an admin from the command line. With ``only_if_none`` nothing happens
    when an admin already exists, so a first start can run it every time."""

    def __init__(self, uow: UnitOfWork, hasher: PasswordHasher, clock: Clock) -> None:
        self._uow = uow
        self._hasher = hasher
        self._clock = clock

    def execute(self, request: CreateAdminRequest) -> User | None:
        if request.only_if_none:
            with self._uow:
                if self._uow.users.any_admin():
                    return None
        return register_user(
            self._uow,
            self._hasher,
            self._clock,
            email=request.email,
            name=request.name,
            password=request.password,
            role=Role.ADMIN,
        )
