from __future__ import annotations

from dataclasses import dataclass, field

from finance.application.analytics.statistics import DashboardUnitOfWork
from finance.application.ports import NoProgress, Progress


@dataclass(frozen=True)
class VerifyStatisticsRequest:
    repair: bool = False
    progress: Progress = field(default_factory=NoProgress)


@dataclass(frozen=True)
class StatisticsReport:
    differences: list[str]
    repaired: bool


class VerifyStatistics:
    """Recompute the dashboard's stored totals from the records and list every difference;
    with `repair`, rebuild them all from the records in the same transaction."""

    def __init__(self, uow: DashboardUnitOfWork) -> None:
        self._uow = uow

    def execute(self, request: VerifyStatisticsRequest) -> StatisticsReport:
        with self._uow:
            differences = self._uow.statistics.differences(request.progress)
            if differences and request.repair:
                self._uow.statistics.rebuild(request.progress)
                self._uow.commit()
                return StatisticsReport(differences, repaired=True)
        return StatisticsReport(differences, repaired=False)
