"""Making a schedule's due occurrences: the one place both the API's run and the command's
run go through, so each occurrence is made exactly once whoever runs it."""

from __future__ import annotations

from datetime import date, datetime

from finance.application.errors import Conflict
from finance.application.ports import UnitOfWork
from finance.domain.records import AuditEntry, Record
from finance.domain.schedules import Schedule


def make_due(uow: UnitOfWork, schedule: Schedule, until: date, now: datetime) -> list[Record]:
    """Make every occurrence of ``schedule`` due up to ``until``, as ordinary records (history
    ``created`` by the schedule's creator, ``recurring_id`` set), inside the caller's unit of
    work, which must hold the schedule locked (``for_update``). A schedule whose owner is no
    longer active makes nothing. Each occurrence is also noted under a unique key (schedule,
    date): if one was made already, the run is refused whole."""
    assert schedule.id is not None
    owner = uow.users.get(schedule.owner_id)
    if owner is None or not owner.is_active:
        return []
    made = []
    for when in schedule.due(until):
        record = uow.records.add(schedule.record_on(when, now))
        assert record.id is not None
        if not uow.schedules.occurred(schedule.id, when, record.id):
            raise Conflict(f"The occurrence of {when} was made already; nothing was made.")
        uow.audit.add(AuditEntry.of_creation(record, schedule.created_by))
        made.append(record)
    if made:
        schedule.made(made[-1].date, now)
        uow.schedules.save(schedule)
    return made
