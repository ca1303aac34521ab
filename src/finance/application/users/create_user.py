from __future__ import annotations

from dataclasses import dataclass

from finance.application.authorization import Actor, authorize
from finance.application.errors import Conflict
from finance.application.ports import Clock, PasswordHasher, UnitOfWork
from finance.domain.roles import Permission, Role
from finance.domain.users import User, check_password_policy, clean_name, normalize_email


@dataclass(frozen=True)
class CreateUserRequest:
    actor: Actor
    email: str
    name: str
    password: str
    role: Role


class CreateUser:
    """Admins create users. Emails are unique regardless of case; the password must be at
    least 8 characters, not all digits and not the email itself."""

    def __init__(self, uow: UnitOfWork, hasher: PasswordHasher, clock: Clock) -> None:
        self._uow = uow
        self._hasher = hasher
        self._clock = clock

    def execute(self, request: CreateUserRequest) -> User:
        authorize(request.actor, Permission.MANAGE_USERS)
        return register_user(
            self._uow,
            self._hasher,
            self._clock,
            email=request.email,
            name=request.name,
            password=request.password,
            role=request.role,
        )


def register_user(
    uow: UnitOfWork,
    hasher: PasswordHasher,
    clock: Clock,
    *,
    email: str,
    name: str,
    password: str,
    role: Role,
) -> User:
    """Validate and store a new user; shared by the admin use case and first-admin bootstrap."""
    email = normalize_email(email)
    name = clean_name(name)
    check_password_policy(password, email)
    password_hash = hasher.hash(password)
    with uow:
        if uow.users.get_by_email(email) is not None:
            raise Conflict("A user with this email already exists.")
        user = uow.users.add(
            User(
                email=email,
                name=name,
                role=role,
                password_hash=password_hash,
                date_joined=clock.now(),
            )
        )
        uow.commit()
    return user
