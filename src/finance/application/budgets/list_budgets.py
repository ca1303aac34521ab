from __future__ import annotations

from dataclasses import dataclass, replace

from finance.application.authorization import Actor
from finance.application.pagination import Page, PageRequest
from finance.application.ports import BudgetQuery, UnitOfWork
from finance.application.records.visibility import visible_owner
from finance.domain.budgets import Budget


@dataclass(frozen=True)
class ListBudgetsRequest:
    actor: Actor
    query: BudgetQuery
    page: PageRequest


class ListBudgets:
    """Users list their own budgets, admins everyone's or one owner's; ``category`` matches
    any case and ``month`` keeps the budgets in force that month. Oldest first."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    def execute(self, request: ListBudgetsRequest) -> Page[Budget]:
        owner_id = visible_owner(request.actor, request.query.owner_id)
        with self._uow:
            return self._uow.budgets.find(replace(request.query, owner_id=owner_id), request.page)
