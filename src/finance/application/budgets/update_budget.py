from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from finance.application.authorization import Actor
from finance.application.budgets.budget_access import budget_to_change
from finance.application.budgets.create_budget import refuse_overlap
from finance.application.ports import Clock, UnitOfWork
from finance.application.records.visibility import ensure_active_owner
from finance.domain.budgets import Budget


@dataclass(frozen=True)
class UpdateBudgetRequest:
    actor: Actor
    budget_id: int
    changes: dict[str, Any] = field(default_factory=dict)
    expected_version: int | None = None


class UpdateBudget:
    """Admins change a budget's owner, category, amount, months or rollover; the version goes
    up by one. With an expected version that is no longer current, nothing changes; a change
    that makes it overlap another budget of the owner and category is a conflict."""

    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    def execute(self, request: UpdateBudgetRequest) -> Budget:
        with self._uow:
            budget = budget_to_change(
                self._uow, request.actor, request.budget_id, request.expected_version
            )
            owner_id = request.changes.get("owner_id")
            if owner_id is not None and owner_id != budget.owner_id:
                ensure_active_owner(self._uow, owner_id)
            budget.apply(request.changes, self._clock.now())
            refuse_overlap(self._uow, budget)
            self._uow.budgets.save(budget)
            self._uow.commit()
        return budget
