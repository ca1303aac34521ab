"""Which schedules an actor may see and change: their own, or everyone's for admins."""

from __future__ import annotations

from finance.application.authorization import Actor, authorize, ensure_current, sees_owner
from finance.application.errors import NotFound
from finance.application.ports import UnitOfWork
from finance.domain.roles import Permission
from finance.domain.schedules import Schedule


def visible_schedule(
    uow: UnitOfWork, actor: Actor, schedule_id: int, for_update: bool = False
) -> Schedule:
    """The schedule if the actor may see it; otherwise NotFound, so existence never leaks."""
    schedule = uow.schedules.get(schedule_id, for_update=for_update)
    if schedule is None or not sees_owner(actor, schedule.owner_id):
        raise NotFound("Schedule not found.")
    return schedule


def schedule_to_change(
    uow: UnitOfWork, actor: Actor, schedule_id: int, expected_version: int | None = None
) -> Schedule:
    """The schedule an admin is about to change or run, locked until the unit of work ends."""
    schedule = visible_schedule(uow, actor, schedule_id, for_update=True)
    authorize(actor, Permission.WRITE_RECORDS)
    ensure_current(expected_version, schedule.version, "schedule")
    return schedule
