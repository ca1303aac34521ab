from __future__ import annotations

from dataclasses import dataclass

from finance.application.authorization import Actor
from finance.application.ports import UnitOfWork
from finance.application.records.visibility import visible_owner, visible_record
from finance.domain.records import Record


@dataclass(frozen=True)
class GetRecordRequest:
    actor: Actor
    record_id: int


class GetRecord:
    """Users read their own records; admins read anyone's. Deleted records are not found."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    def execute(self, request: GetRecordRequest) -> Record:
        visible_owner(request.actor, None)
        with self._uow:
            return visible_record(self._uow, request.actor, request.record_id)
