from __future__ import annotations

from dataclasses import dataclass

from finance.application.authorization import Actor
from finance.application.budgets.budget_access import budget_to_change
from finance.application.ports import UnitOfWork


@dataclass(frozen=True)
class DeleteBudgetRequest:
    actor: Actor
    budget_id: int
    expected_version: int | None = None


class DeleteBudget:
    """Admins delete a budget outright: budgets are plans, not money, so nothing is kept."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    def execute(self, request: DeleteBudgetRequest) -> None:
        with self._uow:
            budget = budget_to_change(
                self._uow, request.actor, request.budget_id, request.expected_version
            )
            assert budget.id is not None
            self._uow.budgets.remove(budget.id)
            self._uow.commit()
