"""The dashboard's statements over the totals tables: a query's range split into whole months
(from the monthly table) and partial months at its edges (from the daily one), and one
statement per shape of query, built once, with the values bound each time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    Subquery,
    Table,
    bindparam,
    func,
    select,
    union_all,
)

from finance.adapters.sqlalchemy.totals import daily, month_start, monthly
from finance.application.analytics.statistics import DashboardQuery
from finance.domain.months import add_months, month_end, month_of
from finance.domain.records import RecordType


def _collation(dialect: str) -> str:
    """The collation that compares strings by code point."""
    return "BINARY" if dialect == "sqlite" else "C"


def split_range(
    date_from: date | None, date_to: date | None
) -> tuple[tuple[date | None, date | None] | None, list[tuple[date, date]]]:
    """Cover ``[date_from, date_to]`` exactly with whole months (first and last month, None
    where unbounded; None if there is no whole month) and day ranges for the partial months at
    the edges."""
    days: list[tuple[date, date]] = []
    first: date | None = None
    last: date | None = None
    if date_from is not None:
        first = date_from if date_from.day == 1 else add_months(month_of(date_from), 1)
        if first is None:
            return None, [(date_from, date_to or date.max)]
    if date_to is not None:
        last = month_of(date_to)
        if date_to != month_end(last):
            last = add_months(last, -1)
            if last is None:
                return None, [(date_from or date.min, date_to)]
    if first is not None and last is not None and first > last:
        assert date_from is not None and date_to is not None
        return None, [(date_from, date_to)]
    if date_from is not None and first is not None and date_from < first:
        days.append((date_from, first - timedelta(days=1)))
    if date_to is not None and last is not None and month_end(last) < date_to:
        days.append((month_end(last) + timedelta(days=1), date_to))
    return (first, last), days


@dataclass(frozen=True)
class Shape:
    """Which conditions a dashboard read has; its statement is built once per shape and
    dialect, and the values are bound on each run."""

    dialect: str
    owner: bool
    type: bool
    category: bool
    month_from: bool
    month_to: bool
    whole_months: bool
    day_ranges: int


def plan(
    dialect: str,
    query: DashboardQuery,
    type: RecordType | None,
    category_key: str | None,
) -> tuple[Shape, dict[str, Any]]:
    months, day_ranges = split_range(query.date_from, query.date_to)
    first, last = months if months is not None else (None, None)
    values: dict[str, Any] = {
        "owner_id": query.owner_id,
        "type": type.value if type is not None else None,
        "category_key": category_key,
        "month_from": first,
        "month_to": last,
    }
    for n, (start, end) in enumerate(day_ranges):
        values[f"day_from_{n}"], values[f"day_to_{n}"] = start, end
    shape = Shape(
        dialect,
        owner=query.owner_id is not None,
        type=type is not None,
        category=category_key is not None,
        month_from=first is not None,
        month_to=last is not None,
        whole_months=months is not None,
        day_ranges=len(day_ranges),
    )
    return shape, values


@cache
def _cells(shape: Shape) -> Subquery:
    """The totals rows that together cover exactly the query's live records (of one type
    and category, if given), with a ``month`` column."""

    def part(table: Table, month: ColumnElement[date]) -> Select[Any]:
        conditions: list[ColumnElement[bool]] = [table.c.record_count > 0]
        if shape.owner:
            conditions.append(table.c.owner_id == bindparam("owner_id"))
        if shape.type:
            conditions.append(table.c.type == bindparam("type"))
        if shape.category:
            conditions.append(table.c.category_key == bindparam("category_key"))
        return select(
            month.label("month"),
            table.c.type,
            table.c.category,
            table.c.category_key,
            table.c.total_cents,
            table.c.record_count,
        ).where(*conditions)

    parts: list[Select[Any]] = []
    if shape.whole_months:
        statement = part(monthly, monthly.c.month)
        if shape.month_from:
            statement = statement.where(monthly.c.month >= bindparam("month_from"))
        if shape.month_to:
            statement = statement.where(monthly.c.month <= bindparam("month_to"))
        parts.append(statement)
    for n in range(shape.day_ranges):
        statement = part(daily, month_start(daily.c.day, shape.dialect))
        parts.append(
            statement.where(
                daily.c.day >= bindparam(f"day_from_{n}"), daily.c.day <= bindparam(f"day_to_{n}")
            )
        )
    if len(parts) == 1:
        return parts[0].subquery("cells")
    return union_all(*parts).subquery("cells")


@cache
def totals_statement(shape: Shape) -> Select[Any]:
    cells = _cells(shape)
    return select(
        cells.c.type, func.sum(cells.c.total_cents), func.sum(cells.c.record_count)
    ).group_by(cells.c.type)


@cache
def count_statement(shape: Shape) -> Select[Any]:
    return select(func.sum(_cells(shape).c.record_count))


@cache
def category_statement(shape: Shape) -> Select[Any]:
    cells = _cells(shape)
    spelling = func.min(cells.c.category.collate(_collation(shape.dialect)))
    return select(
        cells.c.type, spelling, func.sum(cells.c.total_cents), func.sum(cells.c.record_count)
    ).group_by(cells.c.type, cells.c.category_key)


@cache
def monthly_statement(shape: Shape) -> Select[Any]:
    cells = _cells(shape)
    return select(
        cells.c.month, cells.c.type, func.sum(cells.c.total_cents), func.sum(cells.c.record_count)
    ).group_by(cells.c.month, cells.c.type)
