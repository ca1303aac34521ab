from __future__ import annotations

from dataclasses import dataclass, field

from finance.application.analytics.scope import dashboard_scope
from finance.application.analytics.statistics import DashboardScope, DashboardUnitOfWork
from finance.application.authorization import Actor
from finance.application.records.filters import RecordFilter, RecordQuery
from finance.domain.errors import InvalidValue
from finance.domain.records import Record

DEFAULT_LIMIT = 10
MAX_LIMIT = 100


@dataclass(frozen=True)
class RecentTransactionsRequest:
    actor: Actor
    scope: DashboardScope = field(default_factory=DashboardScope)
    limit: int = DEFAULT_LIMIT


class RecentTransactions:
    """The latest live records in the date range, in the records list's default order: newest
    date first, then highest id first; `limit` 1 to 100 (default 10). Scope as for the
    summary."""

    def __init__(self, uow: DashboardUnitOfWork) -> None:
        self._uow = uow

    def execute(self, request: RecentTransactionsRequest) -> list[Record]:
        if not 1 <= request.limit <= MAX_LIMIT:
            raise InvalidValue("limit", f"Must be between 1 and {MAX_LIMIT}.")
        scope = dashboard_scope(request.actor, request.scope)
        query = RecordQuery(
            RecordFilter(date_from=scope.date_from, date_to=scope.date_to, owner_id=scope.owner_id)
        )
        with self._uow:
            return self._uow.records.find_after(query, None, request.limit)
