from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from finance.application.authorization import Actor
from finance.application.ports import Clock, UnitOfWork
from finance.application.records.visibility import ensure_active_owner
from finance.application.recurring.schedule_access import schedule_to_change
from finance.domain.schedules import Schedule


@dataclass(frozen=True)
class UpdateScheduleRequest:
    actor: Actor
    schedule_id: int
    changes: dict[str, Any] = field(default_factory=dict)
    expected_version: int | None = None


class UpdateSchedule:
    """Admins change a schedule; only occurrences not yet made change, records already made
    stay as they are. With an expected version that is no longer current, nothing changes."""

    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    def execute(self, request: UpdateScheduleRequest) -> Schedule:
        with self._uow:
            schedule = schedule_to_change(
                self._uow, request.actor, request.schedule_id, request.expected_version
            )
            owner_id = request.changes.get("owner_id")
            if owner_id is not None and owner_id != schedule.owner_id:
                ensure_active_owner(self._uow, owner_id)
            schedule.apply(request.changes, self._clock.now())
            self._uow.schedules.save(schedule)
            self._uow.commit()
        return schedule
