"""Budgets and recurring schedules in SQL."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    bindparam,
    delete,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from finance.adapters.sqlalchemy.tables import budgets, recurring_occurrences, recurring_schedules
from finance.application.pagination import Page, PageRequest
from finance.application.ports import BudgetQuery, ScheduleQuery
from finance.domain.budgets import Budget
from finance.domain.money import Money
from finance.domain.records import RecordType, category_key
from finance.domain.schedules import Frequency, Schedule


def _to_budget(row: Any) -> Budget:
    return Budget(
        id=row.id,
        owner_id=row.owner_id,
        category=row.category,
        amount=Money.from_cents(row.amount_cents),
        start_month=row.start_month,
        end_month=row.end_month,
        rollover=row.rollover,
        created_at=row.created_at,
        updated_at=row.updated_at,
        version=row.version,
    )


def _budget_columns(budget: Budget) -> dict[str, Any]:
    return {
        "owner_id": budget.owner_id,
        "category": budget.category,
        "category_key": budget.category_key,
        "amount_cents": budget.amount.cents,
        "start_month": budget.start_month,
        "end_month": budget.end_month,
        "rollover": budget.rollover,
        "created_at": budget.created_at,
        "updated_at": budget.updated_at,
        "version": budget.version,
    }


def _in_force(month: date) -> ColumnElement[bool]:
    return (budgets.c.start_month <= month) & (
        budgets.c.end_month.is_(None) | (budgets.c.end_month >= month)
    )


class SqlBudgetRepository:
    def __init__(self, connection: Connection) -> None:
        self._conn = connection

    def add(self, budget: Budget) -> Budget:
        result = self._conn.execute(insert(budgets).values(**_budget_columns(budget)))
        assert result.inserted_primary_key is not None
        budget.id = result.inserted_primary_key[0]
        return budget

    def get(self, budget_id: int, *, for_update: bool = False) -> Budget | None:
        statement = select(budgets).where(budgets.c.id == budget_id)
        if for_update:
            statement = statement.with_for_update()
        row = self._conn.execute(statement).first()
        return _to_budget(row) if row else None

    def save(self, budget: Budget) -> None:
        self._conn.execute(
            update(budgets).where(budgets.c.id == budget.id).values(**_budget_columns(budget))
        )

    def remove(self, budget_id: int) -> None:
        self._conn.execute(delete(budgets).where(budgets.c.id == budget_id))

    def find(self, query: BudgetQuery, page: PageRequest) -> Page[Budget]:
        conditions: list[ColumnElement[bool]] = []
        if query.owner_id is not None:
            conditions.append(budgets.c.owner_id == query.owner_id)
        if query.category_key is not None:
            conditions.append(budgets.c.category_key == query.category_key)
        if query.month is not None:
            conditions.append(_in_force(query.month))
        total = self._conn.execute(
            select(func.count()).select_from(budgets).where(*conditions)
        ).scalar_one()
        rows = self._conn.execute(
            select(budgets)
            .where(*conditions)
            .order_by(budgets.c.id)
            .limit(page.page_size)
            .offset(page.offset)
        )
        return Page([_to_budget(r) for r in rows], int(total), page)

    def overlapping(self, budget: Budget) -> list[Budget]:
        if self._conn.dialect.name == "postgresql":
            # Two writers of one owner's budgets of one category take turns here; SQLite's
            # writing unit of work already holds the database's write lock.
            key = f"budgets:{budget.owner_id}:{budget.category_key}"
            self._conn.execute(select(func.pg_advisory_xact_lock(func.hashtextextended(key, 0))))
        conditions = [
            budgets.c.owner_id == budget.owner_id,
            budgets.c.category_key == budget.category_key,
            or_(budgets.c.end_month.is_(None), budgets.c.end_month >= budget.start_month),
        ]
        if budget.end_month is not None:
            conditions.append(budgets.c.start_month <= budget.end_month)
        if budget.id is not None:
            conditions.append(budgets.c.id != budget.id)
        rows = self._conn.execute(select(budgets).where(*conditions).order_by(budgets.c.id))
        return [_to_budget(r) for r in rows]

    def in_force(self, owner_id: int | None, month: date) -> list[Budget]:
        conditions = [_in_force(month)]
        if owner_id is not None:
            conditions.append(budgets.c.owner_id == owner_id)
        rows = self._conn.execute(select(budgets).where(*conditions).order_by(budgets.c.id))
        return [_to_budget(r) for r in rows]


schedules = recurring_schedules


def _to_schedule(row: Any) -> Schedule:
    return Schedule(
        id=row.id,
        owner_id=row.owner_id,
        created_by=row.created_by,
        amount=Money.from_cents(row.amount_cents),
        type=RecordType(row.type),
        category=row.category,
        description=row.description,
        frequency=Frequency(row.frequency),
        interval=row.interval,
        start_date=row.start_date,
        end_date=row.end_date,
        count=row.count,
        active=row.active,
        made_through=row.made_through,
        created_at=row.created_at,
        updated_at=row.updated_at,
        version=row.version,
    )


def _schedule_columns(schedule: Schedule) -> dict[str, Any]:
    return {
        "owner_id": schedule.owner_id,
        "created_by": schedule.created_by,
        "amount_cents": schedule.amount.cents,
        "type": str(schedule.type),
        "category": schedule.category,
        "category_key": category_key(schedule.category),
        "description": schedule.description,
        "frequency": str(schedule.frequency),
        "interval": schedule.interval,
        "start_date": schedule.start_date,
        "end_date": schedule.end_date,
        "count": schedule.count,
        "active": schedule.active,
        "made_through": schedule.made_through,
        "created_at": schedule.created_at,
        "updated_at": schedule.updated_at,
        "version": schedule.version,
    }


_SCHEDULE_BY_ID = select(schedules).where(schedules.c.id == bindparam("schedule_id"))


class SqlScheduleRepository:
    def __init__(self, connection: Connection) -> None:
        self._conn = connection

    def add(self, schedule: Schedule) -> Schedule:
        result = self._conn.execute(insert(schedules).values(**_schedule_columns(schedule)))
        assert result.inserted_primary_key is not None
        schedule.id = result.inserted_primary_key[0]
        return schedule

    def get(self, schedule_id: int, *, for_update: bool = False) -> Schedule | None:
        statement = _SCHEDULE_BY_ID.with_for_update() if for_update else _SCHEDULE_BY_ID
        row = self._conn.execute(statement, {"schedule_id": schedule_id}).first()
        return _to_schedule(row) if row else None

    def save(self, schedule: Schedule) -> None:
        self._conn.execute(
            update(schedules)
            .where(schedules.c.id == schedule.id)
            .values(**_schedule_columns(schedule))
        )

    def find(self, query: ScheduleQuery, page: PageRequest) -> Page[Schedule]:
        conditions: list[ColumnElement[bool]] = []
        if query.owner_id is not None:
            conditions.append(schedules.c.owner_id == query.owner_id)
        if query.type is not None:
            conditions.append(schedules.c.type == str(query.type))
        if query.category_key is not None:
            conditions.append(schedules.c.category_key == query.category_key)
        if query.active is not None:
            conditions.append(schedules.c.active.is_(query.active))
        total = self._conn.execute(
            select(func.count()).select_from(schedules).where(*conditions)
        ).scalar_one()
        rows = self._conn.execute(
            select(schedules)
            .where(*conditions)
            .order_by(schedules.c.id)
            .limit(page.page_size)
            .offset(page.offset)
        )
        return Page([_to_schedule(r) for r in rows], int(total), page)

    def active(self, owner_id: int | None = None) -> list[Schedule]:
        conditions: list[ColumnElement[bool]] = [schedules.c.active.is_(True)]
        if owner_id is not None:
            conditions.append(schedules.c.owner_id == owner_id)
        rows = self._conn.execute(select(schedules).where(*conditions).order_by(schedules.c.id))
        return [_to_schedule(r) for r in rows]

    def occurred(self, schedule_id: int, when: date, record_id: int) -> bool:
        try:
            with self._conn.begin_nested():
                self._conn.execute(
                    insert(recurring_occurrences).values(
                        schedule_id=schedule_id, date=when, record_id=record_id
                    )
                )
        except IntegrityError:
            return False
        return True
