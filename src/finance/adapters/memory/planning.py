"""Budgets and recurring schedules in process memory."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from finance.adapters.memory.store import MemoryTransaction
from finance.application.pagination import Page, PageRequest
from finance.application.ports import BudgetQuery, ScheduleQuery
from finance.domain.budgets import Budget
from finance.domain.records import category_key
from finance.domain.schedules import Schedule


class MemoryBudgetRepository:
    def __init__(self, tx: MemoryTransaction) -> None:
        self._tx = tx
        self._budgets = tx.store.budgets

    def add(self, budget: Budget) -> Budget:
        budget.id = self._tx.next_id("budgets")
        self._tx.put(self._budgets, budget.id, replace(budget))
        return budget

    def get(self, budget_id: int, *, for_update: bool = False) -> Budget | None:
        budget = self._budgets.get(budget_id)
        return replace(budget) if budget else None

    def save(self, budget: Budget) -> None:
        assert budget.id in self._budgets
        self._tx.put(self._budgets, budget.id, replace(budget))

    def remove(self, budget_id: int) -> None:
        self._tx.drop(self._budgets, budget_id)

    def find(self, query: BudgetQuery, page: PageRequest) -> Page[Budget]:
        found = [
            b
            for _, b in sorted(self._budgets.items())
            if (query.owner_id is None or b.owner_id == query.owner_id)
            and (query.category_key is None or b.category_key == query.category_key)
            and (query.month is None or b.in_force(query.month))
        ]
        items = [replace(b) for b in found[page.offset : page.offset + page.page_size]]
        return Page(items, len(found), page)

    def overlapping(self, budget: Budget) -> list[Budget]:
        return [
            replace(b)
            for _, b in sorted(self._budgets.items())
            if b.id != budget.id and b.overlaps(budget)
        ]

    def in_force(self, owner_id: int | None, month: date) -> list[Budget]:
        return [
            replace(b)
            for _, b in sorted(self._budgets.items())
            if (owner_id is None or b.owner_id == owner_id) and b.in_force(month)
        ]


class MemoryScheduleRepository:
    def __init__(self, tx: MemoryTransaction) -> None:
        self._tx = tx
        self._schedules = tx.store.schedules
        self._occurrences = tx.store.occurrences

    def add(self, schedule: Schedule) -> Schedule:
        schedule.id = self._tx.next_id("schedules")
        self._tx.put(self._schedules, schedule.id, replace(schedule))
        return schedule

    def get(self, schedule_id: int, *, for_update: bool = False) -> Schedule | None:
        schedule = self._schedules.get(schedule_id)
        return replace(schedule) if schedule else None

    def save(self, schedule: Schedule) -> None:
        assert schedule.id in self._schedules
        self._tx.put(self._schedules, schedule.id, replace(schedule))

    def find(self, query: ScheduleQuery, page: PageRequest) -> Page[Schedule]:
        found = [
            s
            for _, s in sorted(self._schedules.items())
            if (query.owner_id is None or s.owner_id == query.owner_id)
            and (query.type is None or s.type is query.type)
            and (query.category_key is None or category_key(s.category) == query.category_key)
            and (query.active is None or s.active is query.active)
        ]
        items = [replace(s) for s in found[page.offset : page.offset + page.page_size]]
        return Page(items, len(found), page)

    def active(self, owner_id: int | None = None) -> list[Schedule]:
        return [
            replace(s)
            for _, s in sorted(self._schedules.items())
            if s.active and (owner_id is None or s.owner_id == owner_id)
        ]

    def occurred(self, schedule_id: int, when: date, record_id: int) -> bool:
        if (schedule_id, when) in self._occurrences:
            return False
        self._tx.put(self._occurrences, (schedule_id, when), record_id)
        return True
