"""The plans of `finance demo-data`'s users: budgets near what each one spends, and their
salary and rent as monthly schedules, so the budget report and the forecast have something
to show."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import date, datetime
from typing import Protocol

from finance.application.ports import UnitOfWork
from finance.domain.budgets import Budget
from finance.domain.money import Money
from finance.domain.records import RecordType, category_key
from finance.domain.schedules import Frequency, Schedule

#: The categories every demo user budgets for; the first carries what is left over.
BUDGETED = ("Groceries", "Restaurants", "Transport", "Entertainment")


class Payer(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def salary_cents(self) -> int: ...
    @property
    def salary_day(self) -> int: ...
    @property
    def rent_cents(self) -> int: ...


def add_plans(
    uow: UnitOfWork,
    seed: int,
    owners: Sequence[Payer],
    monthly_spend: dict[str, float],
    first_month: date,
    until: date,
    admin: int,
    now: datetime,
) -> tuple[int, int]:
    """Budgets from ``first_month`` on, within a fifth of what each owner is expected to
    spend (``monthly_spend``: cents by category), so some are overspent; salary and rent as
    monthly schedules from the month after ``until``. An owner who already has a plan for a
    category keeps it. Returns how many budgets and schedules were added."""
    rng = random.Random(f"{seed}:plans")
    budgets = schedules = 0
    for owner in owners:
        for index, name in enumerate(BUDGETED):
            cents = round(monthly_spend[name] * rng.uniform(0.8, 1.2) / 1000) * 1000
            budget = Budget.create(
                owner_id=owner.id,
                category=name,
                amount=Money.from_cents(max(cents, 1000)),
                start_month=first_month,
                end_month=None,
                rollover=index == 0,
                now=now,
            )
            if not uow.budgets.overlapping(budget):
                uow.budgets.add(budget)
                budgets += 1
        planned = {category_key(s.category) for s in uow.schedules.active(owner.id)}
        for schedule in _salary_and_rent(owner, _month_after(until), admin, now):
            if category_key(schedule.category) not in planned:
                uow.schedules.add(schedule)
                schedules += 1
    return budgets, schedules


def _salary_and_rent(owner: Payer, start: date, admin: int, now: datetime) -> list[Schedule]:
    def monthly(cents: int, kind: RecordType, name: str, day: int) -> Schedule:
        return Schedule.create(
            owner_id=owner.id,
            amount=Money.from_cents(cents),
            type=kind,
            category=name,
            description=f"Monthly {name.lower()}" if kind is RecordType.INCOME else name,
            frequency=Frequency.MONTHLY,
            interval=1,
            start_date=start.replace(day=day),
            end_date=None,
            count=None,
            created_by=admin,
            now=now,
        )

    return [
        monthly(owner.salary_cents, RecordType.INCOME, "Salary", owner.salary_day),
        monthly(owner.rent_cents, RecordType.EXPENSE, "Rent", 1),
    ]


def _month_after(day: date) -> date:
    return date(day.year + 1, 1, 1) if day.month == 12 else date(day.year, day.month + 1, 1)
