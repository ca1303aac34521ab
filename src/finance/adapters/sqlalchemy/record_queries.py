"""A record query as SQL: its WHERE clause and its ORDER BY (ties broken by id)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Connection, column, func, select, table

from finance.adapters.sqlalchemy.tables import records
from finance.application.records.filters import RecordQuery

# SQLite's trigram index of search keys (migration 0006); PostgreSQL's pg_trgm index serves
# the LIKE itself. A trigram index cannot help a term shorter than three characters.
_search_index = table("records_search", column("rowid"), column("search_key"))
MIN_INDEXED_TERM = 3
#: A term found in at most this many records is looked up through the index; a commoner one
#: is found soon enough by walking the records in the page's order.
MAX_INDEXED_MATCHES = 2000
# A term with GLOB's own characters is left to LIKE: escaped as [*], they split the term into
# pieces, and SQLite 3.40's trigram index misses a piece of two characters written in three or
# more bytes (seen with "[İ", lower-cased "[i̇").
_GLOB_SPECIAL = set("*?[]")

SORT_COLUMNS = {
    "date": records.c.date,
    "amount": records.c.amount_cents,
    "created_at": records.c.created_at,
    "id": records.c.id,
}


def query_conditions(query: RecordQuery, conn: Connection) -> list[ColumnElement[bool]]:
    conditions = _filter_conditions(query)
    term = query.filter.q_key
    if not term:
        return conditions
    found = _indexed_matches(term, conn)
    if found is None:
        if conn.dialect.name == "sqlite" and not query.deleted:
            # Counting a common term reads every record: likely() has SQLite read the table in
            # order, not fetch each row an index of live records names (1M records, a term in
            # 7% of them: 0.10 s, not 0.30 s). A page still walks its index in its order.
            live, *others = conditions
            conditions = [func.likely(live), *others]
        return [*conditions, records.c.search_key.contains(term, autoescape=True)]
    # The few records the index found are read by id. The other conditions are wrapped in
    # likely() so that SQLite's planner does not walk an index of them instead.
    return [records.c.id.in_(found), *(func.likely(c) for c in conditions)]


def _filter_conditions(query: RecordQuery) -> list[ColumnElement[bool]]:
    """The live (or deleted) condition first, then the filter's."""
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
    return conditions


def _indexed_matches(term: str, conn: Connection) -> list[int] | None:
    """The ids of the records whose search key contains ``term`` (both lower-cased), from
    SQLite's trigram index, or None where the index cannot say or finds too many to be worth it."""
    if conn.dialect.name != "sqlite" or len(term) < MIN_INDEXED_TERM or _GLOB_SPECIAL & set(term):
        return None
    pattern = f"*{term}*"
    found = list(
        conn.execute(
            select(_search_index.c.rowid)
            .where(_search_index.c.search_key.op("GLOB")(pattern))
            .limit(MAX_INDEXED_MATCHES + 1)
        ).scalars()
    )
    return found if len(found) <= MAX_INDEXED_MATCHES else None


def order_by(query: RecordQuery) -> list[Any]:
    ordering = query.filter.ordering
    column = SORT_COLUMNS[ordering.field]
    if ordering.descending:
        return [column.desc()] if column is records.c.id else [column.desc(), records.c.id.desc()]
    return [column.asc()] if column is records.c.id else [column.asc(), records.c.id.asc()]
