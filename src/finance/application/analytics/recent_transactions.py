from __future__ import annotations

from dataclasses import dataclass, field

from finance.application.analytics.statistics import DashboardQuery, DashboardUnitOfWork
from finance.application.analytics.visibility import allowed_query
from finance.application.authorization import Actor
from finance.application.records.filters import RecordFilter, RecordQuery
from finance.domain.errors import InvalidValue
from finance.domain.records import Record

DEFAULT_LIMIT = 10
MAX_LIMIT = 100


@dataclass(frozen=True)
class RecentTransactionsRequest:
    actor: Actor
    query: DashboardQuery = field(default_factory=DashboardQuery)
    limit: int = DEFAULT_LIMIT


class RecentTransactions:
    """The latest live records in the date range, in the records list's default order: newest
    date first, then highest id first; `limit` 1 to 100 (default 10). Whose records as for the
    summary."""

    def __init__(self, uow: DashboardUnitOfWork) -> None:
        self._uow = uow

    def execute(self, request: RecentTransactionsRequest) -> list[Record]:
        if not 1 <= request.limit <= MAX_LIMIT:
            raise InvalidValue("limit", f"Must be between 1 and {MAX_LIMIT}.")
        allowed = allowed_query(request.actor, request.query)
        newest = RecordQuery(
            RecordFilter(
                date_from=allowed.date_from, date_to=allowed.date_to, owner_id=allowed.owner_id
            )
        )
        with self._uow:
            return self._uow.records.find_after(newest, None, request.limit)
