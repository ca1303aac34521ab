"""Admins creating records, every time with an Idempotency-Key: plain creates, deliberate
retries of the same request (in turn and at once on two instances) and a key reused with
another body, which must be refused and store nothing."""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from itertools import count
from typing import Any

from bench.loadtest.accounts import Account
from bench.loadtest.data import as_json_number, note, random_fields
from bench.loadtest.ledger import Ledger, Partition, RecordState
from bench.loadtest.transport import CONNECTION_ERROR, Answer, Client, at_once

NUMBER_AMOUNT_SHARE = 0.2
RESOLVE_ATTEMPTS = 3
PLAIN, RETRY, CONCURRENT, CONFLICT = "plain", "retry", "concurrent", "conflict"
VARIANTS = {PLAIN: 0.6, RETRY: 0.2, CONCURRENT: 0.1, CONFLICT: 0.1}


@dataclass
class AdminContext:
    """What an admin worker's operations share: its connections, account, records and dice."""

    name: str
    client: Client
    twin: Client
    account: Account
    partition: Partition
    ledger: Ledger
    rng: random.Random
    owners: list[int]
    sequence: count[int] = field(default_factory=lambda: count(1))

    def tag(self, kind: str) -> str:
        return f"[{kind}-{self.name}-{next(self.sequence):06d}]"

    def other(self, instance: int) -> int:
        return self.client.other_instance(instance)


def _body(ctx: AdminContext, tag: str) -> dict[str, Any]:
    body: dict[str, Any] = {
        **random_fields(ctx.rng),
        "description": f"{tag}{note(ctx.rng)}",
        "owner_id": ctx.rng.choice(ctx.owners),
    }
    if ctx.rng.random() < NUMBER_AMOUNT_SHARE:
        body["amount"] = as_json_number(body["amount"])
    return body


def _post(
    client: Client, ctx: AdminContext, body: dict[str, Any], key: str, instance: int, group: str
) -> Answer:
    return client.call(
        "POST",
        "/api/records/",
        group=group,
        expect=(201, 409) if group == "records.create.concurrent" else (201,),
        token=ctx.account.access,
        json_body=body,
        headers={"Idempotency-Key": key},
        instance=instance,
    )


def _unknown(answer: Answer) -> bool:
    return answer.status == CONNECTION_ERROR or answer.status >= 500


def _check_echo(ctx: AdminContext, state: RecordState, body: dict[str, Any]) -> None:
    sent = RecordState.from_json(
        {**body, "id": state.id, "version": 1, "amount": str(body["amount"])}
    )
    if state.differences(sent):
        ctx.ledger.violations.add(
            "create-echo", f"#{state.id}: {', '.join(state.differences(sent))}"
        )


def _acknowledge(ctx: AdminContext, tag: str, answer: Answer, body: dict[str, Any]) -> RecordState:
    state = RecordState.from_json(answer.json())
    _check_echo(ctx, state, body)
    ctx.partition.records[state.id] = state
    ctx.partition.created[tag] = state.id
    return state


def _resolve(ctx: AdminContext, tag: str, body: dict[str, Any], key: str, instance: int) -> None:
    """After an answer that says nothing (no answer, 5xx), ask again with the same key: what
    Idempotency-Key is for. Still nothing: the tag's outcome stays unknown."""
    for attempt in range(RESOLVE_ATTEMPTS):
        time.sleep(0.2 * (attempt + 1))
        answer = _post(ctx.client, ctx, body, key, ctx.other(instance), "records.create.retry")
        if answer.status == 201:
            _acknowledge(ctx, tag, answer, body)
            return
        if not _unknown(answer) and answer.status != 409:
            break
    ctx.partition.unknown_tags.append(tag)


def create(ctx: AdminContext) -> None:
    """One create, in one of the variants, and what it must have done."""
    variant = ctx.rng.choices(list(VARIANTS), weights=list(VARIANTS.values()))[0]
    tag = ctx.tag("c")
    key = f"key-{tag}"
    body = _body(ctx, tag)
    instance = ctx.client.next_instance()
    if variant == CONCURRENT:
        _create_twice_at_once(ctx, tag, body, key, instance)
        return
    answer = _post(ctx.client, ctx, body, key, instance, "records.create")
    if _unknown(answer):
        _resolve(ctx, tag, body, key, instance)
        return
    if answer.status != 201:
        ctx.partition.refused_tags.append(tag)
        return
    first = _acknowledge(ctx, tag, answer, body)
    if variant == RETRY:
        _retry(ctx, first, body, key, ctx.other(instance))
    elif variant == CONFLICT:
        _reuse_key_with_other_body(ctx, body, key, ctx.other(instance))


def _retry(
    ctx: AdminContext, first: RecordState, body: dict[str, Any], key: str, instance: int
) -> None:
    ctx.partition.retries += 1
    answer = _post(ctx.client, ctx, body, key, instance, "records.create.retry")
    if answer.status == 201 and RecordState.from_json(answer.json()) != first:
        ctx.ledger.violations.add(
            "idempotent-retry", f"key {key}: #{first.id} first, then {answer.json()['id']}"
        )


def _reuse_key_with_other_body(
    ctx: AdminContext, body: dict[str, Any], key: str, instance: int
) -> None:
    tag = ctx.tag("x")
    other = {**body, "description": f"{tag} same key, other body"}
    answer = ctx.client.call(
        "POST",
        "/api/records/",
        group="records.create.conflict",
        expect=(409,),
        token=ctx.account.access,
        json_body=other,
        headers={"Idempotency-Key": key},
        instance=instance,
    )
    if answer.status == 201:
        ctx.ledger.violations.add("idempotent-conflict", f"key {key} reused: 201 #{answer.json()}")
        ctx.partition.unknown_tags.append(tag)
    else:
        ctx.partition.refused_tags.append(tag)


def _create_twice_at_once(
    ctx: AdminContext, tag: str, body: dict[str, Any], key: str, instance: int
) -> None:
    """The same request on two instances at the same moment: one record, both answers name
    it (a 409 'still in progress' is allowed for the later one; asking again then names it)."""
    ctx.partition.concurrent_retries += 1
    group = "records.create.concurrent"
    answers = at_once(
        lambda: _post(ctx.client, ctx, body, key, instance, group),
        lambda: _post(ctx.twin, ctx, body, key, ctx.other(instance), group),
    )
    created = [answer for answer in answers if answer.status == 201]
    ids = {answer.json()["id"] for answer in created}
    if len(ids) > 1:
        ctx.ledger.violations.add("idempotent-concurrent", f"key {key}: records {sorted(ids)}")
    if not created:
        _resolve(ctx, tag, body, key, instance)
        return
    first = _acknowledge(ctx, tag, created[0], body)
    if len(created) < len(answers):
        ctx.ledger.count("idempotent-concurrent-409")
        _retry(ctx, first, body, key, ctx.other(instance))
