from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from finance.application.authorization import Actor, authorize
from finance.application.errors import Conflict
from finance.application.ports import Clock, UnitOfWork
from finance.application.records.visibility import ensure_active_owner
from finance.domain.budgets import Budget
from finance.domain.money import Money
from finance.domain.roles import Permission


@dataclass(frozen=True)
class CreateBudgetRequest:
    actor: Actor
    category: str
    amount: Money
    start_month: date
    end_month: date | None = None
    rollover: bool = False
    owner_id: int | None = None


class CreateBudget:
    """Admins set a monthly limit for an active user's expense category (their own by
    default) from a month on, open-ended or to an end month, with or without rollover. Two
    budgets of one owner and category may not cover the same month."""

    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    def execute(self, request: CreateBudgetRequest) -> Budget:
        authorize(request.actor, Permission.WRITE_RECORDS)
        budget = Budget.create(
            owner_id=request.owner_id or request.actor.user_id,
            category=request.category,
            amount=request.amount,
            start_month=request.start_month,
            end_month=request.end_month,
            rollover=request.rollover,
            now=self._clock.now(),
        )
        with self._uow:
            ensure_active_owner(self._uow, budget.owner_id)
            refuse_overlap(self._uow, budget)
            stored = self._uow.budgets.add(budget)
            self._uow.commit()
        return stored


def refuse_overlap(uow: UnitOfWork, budget: Budget) -> None:
    clash = uow.budgets.overlapping(budget)
    if clash:
        raise Conflict(
            f"Budget {clash[0].id} already covers {budget.category!r} for this owner in some of "
            "these months."
        )
