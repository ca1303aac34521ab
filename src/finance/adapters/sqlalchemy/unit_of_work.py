from __future__ import annotations

from types import TracebackType

from sqlalchemy import Connection, Engine

from finance.adapters.sqlalchemy.audit_log import SqlAuditLog
from finance.adapters.sqlalchemy.dashboard_statistics import SqlDashboardStatistics
from finance.adapters.sqlalchemy.engine import WRITE_OPTION
from finance.adapters.sqlalchemy.idempotency import SqlIdempotencyStore
from finance.adapters.sqlalchemy.planning import SqlBudgetRepository, SqlScheduleRepository
from finance.adapters.sqlalchemy.record_repository import SqlRecordRepository
from finance.adapters.sqlalchemy.users import SqlUserRepository


class SqlUnitOfWork:
    """One connection and one transaction per ``with`` block; leaving without ``commit`` rolls
    back. A writing unit of work takes SQLite's write lock at its start, so its reads and writes
    cannot interleave with another writer's."""

    def __init__(self, engine: Engine, write: bool = True) -> None:
        self._engine = engine
        self._write = write

    def __enter__(self) -> SqlUnitOfWork:
        connection: Connection = self._engine.connect()
        if self._write:
            connection = connection.execution_options(**{WRITE_OPTION: True})
        self._connection = connection
        self._transaction = connection.begin()
        self.users = SqlUserRepository(connection)
        self.records = SqlRecordRepository(connection)
        self.audit = SqlAuditLog(connection)
        self.idempotency = SqlIdempotencyStore(connection)
        self.statistics = SqlDashboardStatistics(connection)
        self.budgets = SqlBudgetRepository(connection)
        self.schedules = SqlScheduleRepository(connection)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if self._transaction.is_active:
                self._transaction.rollback()
        finally:
            self._connection.close()

    def commit(self) -> None:
        self.records.before_commit()
        self._transaction.commit()
