"""The in-memory store: every table a dict, one lock, and an undo log per transaction."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from finance.domain.budgets import Budget
from finance.domain.records import AuditEntry, Record
from finance.domain.schedules import Schedule
from finance.domain.users import User

_MISSING = object()


@dataclass
class MemoryStore:
    """State for ``FINANCE_STORAGE=memory``; it lives in one process only."""

    users: dict[int, User] = field(default_factory=dict)
    records: dict[int, Record] = field(default_factory=dict)
    audit: dict[int, AuditEntry] = field(default_factory=dict)
    idempotency: dict[tuple[int, str], tuple[str, datetime, Record | None]] = field(
        default_factory=dict
    )
    budgets: dict[int, Budget] = field(default_factory=dict)
    schedules: dict[int, Schedule] = field(default_factory=dict)
    #: (schedule id, occurrence date) -> the record it made.
    occurrences: dict[tuple[int, date], int] = field(default_factory=dict)
    revoked_tokens: dict[str, datetime] = field(default_factory=dict)
    login_failures: dict[str, list[datetime]] = field(default_factory=dict)
    sequences: dict[str, int] = field(default_factory=dict)
    lock: threading.RLock = field(default_factory=threading.RLock)


class MemoryTransaction:
    """Writes to the store that can be undone until the transaction commits."""

    def __init__(self, store: MemoryStore) -> None:
        self.store = store
        self._undo: list[Callable[[], None]] = []

    def put(self, table: dict[Any, Any], key: Any, value: Any) -> None:
        previous = table.get(key, _MISSING)

        def undo() -> None:
            if previous is _MISSING:
                table.pop(key, None)
            else:
                table[key] = previous

        self._undo.append(undo)
        table[key] = value

    def drop(self, table: dict[Any, Any], key: Any) -> None:
        if key not in table:
            return
        previous = table.pop(key)
        self._undo.append(lambda: table.__setitem__(key, previous))

    def next_id(self, sequence: str) -> int:
        self.put(self.store.sequences, sequence, self.store.sequences.get(sequence, 0) + 1)
        return self.store.sequences[sequence]

    def commit(self) -> None:
        self._undo.clear()

    def rollback(self) -> None:
        while self._undo:
            self._undo.pop()()
