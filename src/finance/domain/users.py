"""Users: who may sign in, with which role, and the rules their details obey."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from finance.domain.errors import InvalidValue
from finance.domain.roles import Role
from finance.domain.text import check_storable

MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 256
MAX_NAME_LENGTH = 150
MAX_EMAIL_LENGTH = 254

#: No whitespace in any sense: Python's and JavaScript's (which adds U+FEFF), so every address
#: this refuses breaks the pattern the OpenAPI spec states too.
_EMAIL = re.compile(r"[^@\s\ufeff]+@[^@\s\ufeff]+\.[^@\s\ufeff]+")


def normalize_email(email: str) -> str:
    """The form in which emails are stored and compared: trimmed and lower-case."""
    normalized = check_storable("email", email).strip().lower()
    if not normalized or len(normalized) > MAX_EMAIL_LENGTH or not _EMAIL.fullmatch(normalized):
        raise InvalidValue("email", "Not a valid email address.")
    return normalized


def clean_name(name: str) -> str:
    cleaned = check_storable("name", name).strip()
    if not cleaned:
        raise InvalidValue("name", "Must not be blank.")
    if len(cleaned) > MAX_NAME_LENGTH:
        raise InvalidValue("name", f"Must be at most {MAX_NAME_LENGTH} characters.")
    return cleaned


def check_password_policy(password: str, email: str, field: str = "password") -> None:
    """Refuse passwords that are short, all digits or the account's own email."""
    check_storable(field, password)
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidValue(field, f"Must be at least {MIN_PASSWORD_LENGTH} characters.")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise InvalidValue(field, f"Must be at most {MAX_PASSWORD_LENGTH} characters.")
    if password.isdigit():
        raise InvalidValue(field, "Must not be entirely numeric.")
    if password.strip().lower() == email.strip().lower():
        raise InvalidValue(field, "Must not be the same as the email.")


@dataclass
class User:
    """A person who signs in. ``token_version`` changes whenever their earlier tokens must stop
    working."""

    email: str
    name: str
    role: Role
    password_hash: str
    date_joined: datetime
    is_active: bool = True
    token_version: int = 1
    id: int | None = None

    @property
    def is_active_admin(self) -> bool:
        return self.is_active and self.role is Role.ADMIN

    def rename(self, name: str) -> None:
        self.name = clean_name(name)

    def change_role(self, role: Role) -> None:
        if role is not self.role:
            self.role = role
            self.token_version += 1

    def set_password_hash(self, password_hash: str) -> None:
        """A new password ends every session opened with the old one."""
        self.password_hash = password_hash
        self.token_version += 1

    def rehash_password(self, password_hash: str) -> None:
        """Same password, stronger hash parameters: sessions stay valid."""
        self.password_hash = password_hash

    def deactivate(self) -> None:
        if self.is_active:
            self.is_active = False
            self.token_version += 1

    def activate(self) -> None:
        self.is_active = True

    def would_stop_being_admin(self, role: Role | None, is_active: bool | None) -> bool:
        """Whether the change leaves this active admin without admin rights."""
        if not self.is_active_admin:
            return False
        return (role is not None and role is not Role.ADMIN) or is_active is False
