"""Who is acting, and the check every use case makes before it acts."""

from __future__ import annotations

from dataclasses import dataclass

from finance.application.errors import Forbidden
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
