"""A record query as SQL: its WHERE clause and its ORDER BY (ties broken by id)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement

from finance.adapters.sqlalchemy.tables import records
from finance.application.records.filters import RecordQuery

SORT_COLUMNS = {
    "date": records.c.date,
    "amount": records.c.amount_cents,
    "created_at": records.c.created_at,
    "id": records.c.id,
}


def query_conditions(query: RecordQuery) -> list[ColumnElement[bool]]:
    f = query.filter
    conditions: list[ColumnElement[bool]] = [records.c.is_deleted.is_(query.deleted)]
    if f.owner_id is not None:
        conditions.append(records.c.owner_id == f.owner_id)
    if f.type is not None:
        conditions.append(records.c.type == f.type.value)
    if f.category_key is not None:
        conditions.append(records.c.category_key == f.category_key)
    if f.date_from is not None:
        conditions.append(records.c.date >= f.date_from)
    if f.date_to is not None:
        conditions.append(records.c.date <= f.date_to)
    if f.min_cents is not None:
        conditions.append(records.c.amount_cents >= f.min_cents)
    if f.max_cents is not None:
        conditions.append(records.c.amount_cents <= f.max_cents)
    if f.q_key:
        conditions.append(records.c.search_key.contains(f.q_key, autoescape=True))
    return conditions


def order_by(query: RecordQuery) -> list[Any]:
    ordering = query.filter.ordering
    column = SORT_COLUMNS[ordering.field]
    if ordering.descending:
        return [column.desc()] if column is records.c.id else [column.desc(), records.c.id.desc()]
    return [column.asc()] if column is records.c.id else [column.asc(), records.c.id.asc()]
