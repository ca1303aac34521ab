from __future__ import annotations

from dataclasses import dataclass

from finance.application.authorization import Actor, authorize
from finance.application.budgets.budget_access import visible_budget
from finance.application.ports import UnitOfWork
from finance.domain.budgets import Budget
from finance.domain.roles import Permission


@dataclass(frozen=True)
class GetBudgetRequest:
    actor: Actor
    budget_id: int


class GetBudget:
    """Users read their own budgets, admins anyone's; another owner's is not found."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    def execute(self, request: GetBudgetRequest) -> Budget:
        authorize(request.actor, Permission.READ_OWN_RECORDS)
        with self._uow:
            return visible_budget(self._uow, request.actor, request.budget_id)
