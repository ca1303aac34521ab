from __future__ import annotations

from finance.application.errors import Conflict
from finance.application.ports import UnitOfWork
from finance.domain.users import User


def ensure_another_active_admin(uow: UnitOfWork, user: User) -> None:
    """Refuse a change that would leave no active admin to manage the system."""
    if user.id is None or [i for i in uow.users.active_admin_ids() if i != user.id]:
        return
    raise Conflict("The last active admin cannot be demoted or deactivated.")
