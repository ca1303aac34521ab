from __future__ import annotations

from types import TracebackType

from finance.adapters.memory.planning import MemoryBudgetRepository, MemoryScheduleRepository
from finance.adapters.memory.records import (
    MemoryAuditLog,
    MemoryIdempotencyStore,
    MemoryRecordRepository,
)
from finance.adapters.memory.stats import MemoryDashboardStatistics
from finance.adapters.memory.store import MemoryStore, MemoryTransaction
from finance.adapters.memory.users import MemoryUserRepository


class MemoryUnitOfWork:
    """Holds the store's lock for the whole unit of work, so units of work run one at a time;
    leaving without ``commit`` undoes every write."""

    def __init__(self, store: MemoryStore) -> None:
        self._store = store

    def __enter__(self) -> MemoryUnitOfWork:
        self._store.lock.acquire()
        self._tx = MemoryTransaction(self._store)
        self.users = MemoryUserRepository(self._tx)
        self.records = MemoryRecordRepository(self._tx)
        self.audit = MemoryAuditLog(self._tx)
        self.idempotency = MemoryIdempotencyStore(self._tx)
        self.statistics = MemoryDashboardStatistics(self._tx)
        self.budgets = MemoryBudgetRepository(self._tx)
        self.schedules = MemoryScheduleRepository(self._tx)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            self._tx.rollback()
        finally:
            self._store.lock.release()

    def commit(self) -> None:
        self._tx.commit()
