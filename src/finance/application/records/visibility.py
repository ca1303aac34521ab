"""Which records an actor may see: their own, or every owner's for admins."""

from __future__ import annotations

from finance.application.authorization import Actor, authorize, ensure_current, sees_owner
from finance.application.errors import Forbidden, NotFound
from finance.application.ports import UnitOfWork
from finance.domain.errors import InvalidValue
from finance.domain.records import Record
from finance.domain.roles import Permission


def visible_owner(actor: Actor, owner_id: int | None) -> int | None:
    """The owner a read is limited to (``None``: every owner). Non-admins read only their own
    records, and asking for another owner's is refused."""
    if actor.may(Permission.READ_ALL_RECORDS):
        return owner_id
    authorize(actor, Permission.READ_OWN_RECORDS)
    if owner_id is not None and owner_id != actor.user_id:
        raise Forbidden("You may only see your own records.")
    return actor.user_id


def visible_record(
    uow: UnitOfWork,
    actor: Actor,
    record_id: int,
    *,
    deleted: bool = False,
    for_update: bool = False,
) -> Record:
    """The record if the actor may see it; otherwise NotFound, so existence never leaks."""
    record = uow.records.get(record_id, for_update=for_update)
    if record is None or record.is_deleted is not deleted or not sees_owner(actor, record.owner_id):
        raise NotFound("Record not found.")
    return record


def record_to_change(
    uow: UnitOfWork, actor: Actor, record_id: int, expected_version: int | None
) -> Record:
    """The live record an admin is about to change, locked until the unit of work ends: not
    found if the actor may not see it, forbidden unless they may write, and a precondition
    failure if the client's expected version is no longer current."""
    record = visible_record(uow, actor, record_id, for_update=True)
    authorize(actor, Permission.WRITE_RECORDS)
    ensure_current(expected_version, record.version, "record")
    return record


def ensure_active_owner(uow: UnitOfWork, owner_id: int) -> None:
    owner = uow.users.get(owner_id)
    if owner is None or not owner.is_active:
        raise InvalidValue("owner_id", "Must be the id of an active user.")
