from __future__ import annotations

from dataclasses import dataclass, field

from finance.application.authorization import Actor
from finance.application.ports import Clock, NoProgress, Progress, UnitOfWork
from finance.application.records.import_records import (
    ImportRecords,
    ImportRecordsRequest,
    RowsReader,
)
from finance.domain.errors import InvalidValue
from finance.domain.users import User, normalize_email


@dataclass(frozen=True)
class ImportRecordsByEmailRequest:
    """The acting admin and the default owner named by email (no owner: the actor)."""

    actor_email: str
    read: RowsReader
    owner_email: str | None = None
    progress: Progress = field(default_factory=NoProgress)


class ImportRecordsByEmail:
    """Operators import a CSV in the name of an active admin, named by email, who is the actor
    of every ``imported`` audit entry; rows without an owner_id belong to the owner named by
    email. Otherwise the rules of ``ImportRecords`` hold: all or nothing."""

    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self._uow = uow
        self._import = ImportRecords(uow, clock)

    def execute(self, request: ImportRecordsByEmailRequest) -> int:
        with self._uow:
            actor = self._active_user(request.actor_email, "actor")
            owner = actor
            if request.owner_email is not None:
                owner = self._active_user(request.owner_email, "owner")
        assert actor.id is not None and owner.id is not None
        return self._import.execute(
            ImportRecordsRequest(
                Actor(actor.id, actor.role), request.read, owner.id, request.progress
            )
        )

    def _active_user(self, email: str, name: str) -> User:
        user = self._uow.users.get_by_email(normalize_email(email))
        if user is None or not user.is_active:
            raise InvalidValue(name, f"No active user has the email {email!r}.")
        return user
