"""Importing many records into SQLite quickly, in the importing unit of work.

Records are read in chunks and each chunk goes to one ``executemany`` as plain tuples (with
ids numbered from max(id) + 1: the writing unit of work holds SQLite's write lock). Their
``imported`` audit entries are then made by SQLite from the stored rows, one statement a chunk.
Once the import has outgrown the rows the table held before it (and is large), the table's
secondary indexes are dropped and built again at the end: sorting once is much cheaper than
updating five B-trees in random order per row, and at worst this costs about as much again as
keeping them. All of it is inside the transaction, so a rollback restores the indexes too."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date, datetime
from itertools import count, islice
from typing import Any

from sqlalchemy import Connection, func, insert, select

from finance.adapters.sqlalchemy.stats import TYPE_TEXT, TotalsDelta
from finance.adapters.sqlalchemy.tables import records
from finance.application.records.filters import search_key
from finance.domain.records import AuditAction, Record, category_key

CHUNK_SIZE = 5000
#: Imports smaller than this keep the indexes up to date row by row.
MIN_ROWS_TO_REINDEX = 50_000

_COLUMNS = [c.name for c in records.columns]

#: The audit entry of each imported row: every field as ``[null, value]``, spelled as
#: ``Record.snapshot`` spells it (amounts with two decimals, ISO dates).
_AUDIT_IMPORTED = """
INSERT INTO record_audit (record_id, at, actor_id, action, changes)
SELECT id, created_at, created_by, ?, json_object(
    'amount', json_array(NULL, printf('%d.%02d', amount_cents / 100, amount_cents % 100)),
    'type', json_array(NULL, type),
    'category', json_array(NULL, category),
    'date', json_array(NULL, date),
    'description', json_array(NULL, description),
    'owner_id', json_array(NULL, owner_id))
FROM records WHERE id BETWEEN ? AND ? ORDER BY id
"""


class SqliteImport:
    """One import into the records table, in the connection's open write transaction."""

    def __init__(self, connection: Connection, totals: TotalsDelta) -> None:
        self._conn = connection
        self._totals = totals
        dialect = connection.dialect
        self._date_text = records.c.date.type.dialect_impl(dialect).bind_processor(dialect)
        self._moment_text = records.c.created_at.type.dialect_impl(dialect).bind_processor(dialect)
        self._texts: dict[Any, str] = {}
        self._keys: dict[str, str] = {}

    def run(self, new: Iterable[Record]) -> int:
        conn = self._conn
        statement = insert(records).compile(dialect=conn.dialect, column_keys=_COLUMNS)
        assert list(statement.positiontup or []) == _COLUMNS
        held: int | None = None
        first: int = conn.execute(select(func.coalesce(func.max(records.c.id), 0))).scalar_one() + 1
        next_id = first
        dropped: list[str] = []
        pending = iter(new)
        while rows := self._rows(islice(pending, CHUNK_SIZE), next_id):
            conn.exec_driver_sql(str(statement), rows)
            last = next_id + len(rows) - 1
            conn.exec_driver_sql(_AUDIT_IMPORTED, (AuditAction.IMPORTED.value, next_id, last))
            next_id = last + 1
            imported = next_id - first
            if not dropped and imported >= MIN_ROWS_TO_REINDEX:
                if held is None:
                    held = self._rows_before(first)
                if imported >= held:
                    dropped = _drop_secondary_indexes(conn)
        for create in dropped:
            conn.exec_driver_sql(create)
        return next_id - first

    def _rows_before(self, first_id: int) -> int:
        counted: int = self._conn.execute(
            select(func.count()).select_from(records).where(records.c.id < first_id)
        ).scalar_one()
        return counted

    def _rows(self, new: Iterator[Record], first_id: int) -> list[tuple[Any, ...]]:
        """Each record as the INSERT's parameters, in ``_COLUMNS`` order, noting it in the
        totals; dates, times and category keys repeat, so each is worked out once."""
        text = self._text
        keys = self._keys
        arrive = self._totals.arrive
        rows = []
        for record_id, r in zip(count(first_id), new):
            arrive(r)
            category = r.category
            key = keys.get(category)
            if key is None:
                key = keys[category] = category_key(category)
            rows.append(
                (
                    record_id,
                    r.owner_id,
                    r.created_by,
                    r.amount.cents,
                    TYPE_TEXT[r.type],
                    category,
                    key,
                    r.description,
                    search_key(r),
                    text(r.date),
                    text(r.created_at),
                    text(r.updated_at),
                    r.version,
                    int(r.is_deleted),
                    text(r.deleted_at) if r.deleted_at is not None else None,
                )
            )
        return rows

    def _text(self, value: date | datetime) -> str:
        """A date or time as SQLAlchemy's SQLite dialect stores it (times in UTC, always with
        microseconds, so that stored times compare as text)."""
        stored = self._texts.get(value)
        if stored is None:
            process = self._moment_text if isinstance(value, datetime) else self._date_text
            assert process is not None
            stored = self._texts[value] = process(value)
        return stored


def _drop_secondary_indexes(conn: Connection) -> list[str]:
    """Drop the records table's own indexes and return the SQL that creates them again."""
    found = conn.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master"
        " WHERE type = 'index' AND tbl_name = 'records' AND sql IS NOT NULL"
    ).all()
    for name, _ in found:
        conn.exec_driver_sql(f'DROP INDEX "{name}"')
    return [create for _, create in found]
