"""Records, their audit trail and idempotency keys in process memory."""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import replace
from datetime import datetime

from finance.adapters.memory.store import MemoryStore, MemoryTransaction
from finance.application.pagination import Page, PageRequest
from finance.application.ports import IdempotentResult
from finance.application.records.filters import KeysetPosition, RecordQuery, sort_value
from finance.domain.records import AuditEntry, Record


def matching(records: dict[int, Record], query: RecordQuery) -> list[Record]:
    """The query's records in its order (ties broken by id in the same direction)."""
    ordering = query.filter.ordering
    found = [
        r for r in records.values() if r.is_deleted is query.deleted and query.filter.matches(r)
    ]
    found.sort(key=lambda r: (sort_value(r, ordering), r.id or 0), reverse=ordering.descending)
    return found


class MemoryRecordRepository:
    def __init__(self, tx: MemoryTransaction) -> None:
        self._tx = tx
        self._records = tx.store.records

    def add(self, record: Record) -> Record:
        record.id = self._tx.next_id("records")
        self._tx.put(self._records, record.id, replace(record))
        return record

    def add_many(self, records: list[Record]) -> list[Record]:
        return [self.add(r) for r in records]

    def get(self, record_id: int, *, for_update: bool = False) -> Record | None:
        record = self._records.get(record_id)
        return replace(record) if record else None

    def save(self, record: Record) -> None:
        assert record.id in self._records
        self._tx.put(self._records, record.id, replace(record))

    def find_page(self, query: RecordQuery, page: PageRequest) -> Page[Record]:
        found = matching(self._records, query)
        items = [replace(r) for r in found[page.offset : page.offset + page.page_size]]
        return Page(items, len(found), page)

    def find_after(
        self, query: RecordQuery, after: KeysetPosition | None, limit: int
    ) -> list[Record]:
        found = matching(self._records, query)
        if after is not None:
            ordering = query.filter.ordering
            position = (after.value, after.record_id)

            def follows(r: Record) -> bool:
                key = (sort_value(r, ordering), r.id or 0)
                return key < position if ordering.descending else key > position

            found = [r for r in found if follows(r)]
        return [replace(r) for r in found[:limit]]


class MemoryRecordStream:
    def __init__(self, store: MemoryStore) -> None:
        self._store = store

    def read(self, query: RecordQuery) -> Generator[Record]:
        """A copy taken under the store's lock, so other units of work go on meanwhile."""
        with self._store.lock:
            found = [replace(r) for r in matching(self._store.records, query)]
        return (record for record in found)


class MemoryAuditLog:
    def __init__(self, tx: MemoryTransaction) -> None:
        self._tx = tx

    def add(self, entry: AuditEntry) -> None:
        entry_id = self._tx.next_id("audit")
        self._tx.put(self._tx.store.audit, entry_id, replace(entry, id=entry_id))

    def add_many(self, entries: list[AuditEntry]) -> None:
        for entry in entries:
            self.add(entry)

    def for_record(self, record_id: int) -> list[AuditEntry]:
        return [e for _, e in sorted(self._tx.store.audit.items()) if e.record_id == record_id]


class MemoryIdempotencyStore:
    def __init__(self, tx: MemoryTransaction) -> None:
        self._tx = tx
        self._keys = tx.store.idempotency

    def get(self, user_id: int, key: str, since: datetime) -> IdempotentResult | None:
        stored = self._keys.get((user_id, key))
        if stored is None or stored[1] <= since:
            return None
        return IdempotentResult(stored[0], replace(stored[2]) if stored[2] else None)

    def reserve(
        self, user_id: int, key: str, fingerprint: str, now: datetime, since: datetime
    ) -> bool:
        stored = self._keys.get((user_id, key))
        if stored is not None and stored[1] > since:
            return False
        self._tx.put(self._keys, (user_id, key), (fingerprint, now, None))
        return True

    def complete(self, user_id: int, key: str, record: Record) -> None:
        fingerprint, at, _ = self._keys[(user_id, key)]
        self._tx.put(self._keys, (user_id, key), (fingerprint, at, replace(record)))
