"""Which budgets an actor may see and change: their own, or everyone's for admins."""

from __future__ import annotations

from finance.application.authorization import Actor, authorize, ensure_current, sees_owner
from finance.application.errors import NotFound
from finance.application.ports import UnitOfWork
from finance.domain.budgets import Budget
from finance.domain.roles import Permission


def visible_budget(
    uow: UnitOfWork, actor: Actor, budget_id: int, for_update: bool = False
) -> Budget:
    """The budget if the actor may see it; otherwise NotFound, so existence never leaks."""
    budget = uow.budgets.get(budget_id, for_update=for_update)
    if budget is None or not sees_owner(actor, budget.owner_id):
        raise NotFound("Budget not found.")
    return budget


def budget_to_change(
    uow: UnitOfWork, actor: Actor, budget_id: int, expected_version: int | None
) -> Budget:
    """The budget an admin is about to change, locked until the unit of work ends."""
    budget = visible_budget(uow, actor, budget_id, for_update=True)
    authorize(actor, Permission.WRITE_RECORDS)
    ensure_current(expected_version, budget.version, "budget")
    return budget
