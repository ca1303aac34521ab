"""Who is acting, and the check every use case makes before it acts."""

from __future__ import annotations

from dataclasses import dataclass

from finance.application.errors import Forbidden, PreconditionFailed
from finance.domain.roles import Permission, Role, role_allows


@dataclass(frozen=True)
class Actor:
    """The authenticated user on whose behalf a use case runs."""

    user_id: int
    role: Role

    def may(self, permission: Permission) -> bool:
        return role_allows(self.role, permission)


def authorize(actor: Actor, permission: Permission) -> None:
    """Raise ``Forbidden`` unless the actor's role holds ``permission``."""
    if not actor.may(permission):
        raise Forbidden("You do not have permission to perform this action.")


def sees_owner(actor: Actor, owner_id: int) -> bool:
    """Whether the actor may see what ``owner_id`` owns: their own, or anyone's for admins."""
    return owner_id == actor.user_id or actor.may(Permission.READ_ALL_RECORDS)


def ensure_current(expected_version: int | None, version: int, what: str) -> None:
    """Raise ``PreconditionFailed`` if the client expected another version than the current."""
    if expected_version is not None and expected_version != version:
        raise PreconditionFailed(f"The {what} has changed since you read it.")
