from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, timedelta

from finance.application.authorization import Actor, authorize
from finance.application.errors import Conflict
from finance.application.ports import Clock, UnitOfWork
from finance.application.records.visibility import ensure_active_owner
from finance.domain.errors import InvalidValue
from finance.domain.money import Money
from finance.domain.records import AuditEntry, Record, RecordType
from finance.domain.roles import Permission

IDEMPOTENCY_WINDOW = timedelta(hours=24)
MAX_IDEMPOTENCY_KEY_LENGTH = 255


@dataclass(frozen=True)
class CreateRecordRequest:
    actor: Actor
    amount: Money
    type: RecordType
    category: str
    date: date
    description: str = ""
    owner_id: int | None = None
    idempotency_key: str | None = None


class CreateRecord:
    """Admins record income and expenses for any active user (themselves by default). A repeated
    Idempotency-Key with the same body within 24 hours returns the first record and creates
    nothing; with a different body it is a conflict."""

    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    def execute(self, request: CreateRecordRequest) -> Record:
        authorize(request.actor, Permission.WRITE_RECORDS)
        key = request.idempotency_key
        if key is not None and not 1 <= len(key) <= MAX_IDEMPOTENCY_KEY_LENGTH:
            raise InvalidValue(
                "Idempotency-Key", f"Must be 1 to {MAX_IDEMPOTENCY_KEY_LENGTH} characters."
            )
        owner_id = request.owner_id if request.owner_id is not None else request.actor.user_id
        record = Record.create(
            amount=request.amount,
            type=request.type,
            category=request.category,
            date=request.date,
            description=request.description,
            owner_id=owner_id,
            created_by=request.actor.user_id,
            now=self._clock.now(),
        )
        if request.idempotency_key is None:
            with self._uow:
                stored = self._store(record)
                self._uow.commit()
                return stored
        return self._store_once(record, request.actor.user_id, request.idempotency_key)

    def _store(self, record: Record) -> Record:
        ensure_active_owner(self._uow, record.owner_id)
        record = self._uow.records.add(record)
        self._uow.audit.add(AuditEntry.of_creation(record, record.created_by))
        return record

    def _store_once(self, record: Record, user_id: int, key: str) -> Record:
        fingerprint = _fingerprint(record)
        for _attempt in range(3):
            now = self._clock.now()
            with self._uow:
                earlier = self._uow.idempotency.get(user_id, key, now - IDEMPOTENCY_WINDOW)
                if earlier is None and self._uow.idempotency.reserve(
                    user_id, key, fingerprint, now, now - IDEMPOTENCY_WINDOW
                ):
                    stored = self._store(record)
                    self._uow.idempotency.complete(user_id, key, stored)
                    self._uow.commit()
                    return stored
            if earlier is not None and earlier.record is not None:
                if earlier.fingerprint != fingerprint:
                    raise Conflict("This Idempotency-Key was used with a different request body.")
                return earlier.record
        raise Conflict("A request with this Idempotency-Key is still in progress.")


def _fingerprint(record: Record) -> str:
    return hashlib.sha256(json.dumps(record.snapshot(), sort_keys=True).encode()).hexdigest()
