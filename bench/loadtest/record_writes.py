"""Admins changing records of their own partition: PATCH and PUT under If-Match, stale
If-Match (412, nothing changes), delete, restore, and the 404s of deleting or restoring twice.

The worker is the records' only writer, so each answer is the record's state from then on. An
answer that says nothing (no answer, 5xx) leaves the record uncertain: it is no longer touched
and the reconciliation reports it instead of comparing it."""

from __future__ import annotations

from dataclasses import asdict, replace
from typing import Any

from bench.loadtest.creation import AdminContext
from bench.loadtest.data import random_date, random_fields
from bench.loadtest.ledger import RecordState, tag_of
from bench.loadtest.transport import CONNECTION_ERROR, Answer

CONDITIONAL_SHARE = 0.8


def pick(ctx: AdminContext, *, deleted: bool = False) -> RecordState | None:
    partition = ctx.partition
    ids = partition.deleted_ids() if deleted else partition.live_ids()
    ids = [rid for rid in ids if rid not in partition.uncertain]
    return partition.records[ctx.rng.choice(ids)] if ids else None


def _send(
    ctx: AdminContext,
    method: str,
    path: str,
    group: str,
    expect: tuple[int, ...],
    body: dict[str, Any] | None = None,
    if_match: str | None = None,
) -> Answer:
    return ctx.client.call(
        method,
        path,
        group=group,
        expect=expect,
        token=ctx.account.access,
        json_body=body,
        headers={"If-Match": if_match} if if_match else None,
    )


def _settle(ctx: AdminContext, before: RecordState, answer: Answer, after: RecordState) -> None:
    if answer.status == CONNECTION_ERROR or answer.status >= 500:
        ctx.partition.uncertain.add(before.id)
        return
    if not answer.ok:
        return
    if after.version != before.version + 1:
        ctx.ledger.violations.add(
            "version-step", f"#{before.id}: version {before.version} -> {after.version}"
        )
    ctx.partition.records[before.id] = after


def _description(before: RecordState, action: str, ctx: AdminContext) -> str:
    return f"{tag_of(before.description)} {action} {next(ctx.sequence)}"


def patch(ctx: AdminContext) -> None:
    before = pick(ctx)
    if before is None:
        return
    changes: dict[str, Any] = {"description": _description(before, "patched", ctx)}
    fields = random_fields(ctx.rng)
    for name in ctx.rng.sample(["amount", "date", "category"], k=ctx.rng.randint(0, 2)):
        changes[name] = fields[name]
    if ctx.rng.random() < 0.2:
        changes["date"] = random_date(ctx.rng)
    conditional = before.etag if ctx.rng.random() < CONDITIONAL_SHARE else None
    path = f"/api/records/{before.id}/"
    answer = _send(ctx, "PATCH", path, "records.patch", (200,), changes, conditional)
    after = RecordState.from_json(answer.json()) if answer.ok else before
    _check_applied(ctx, after, changes, answer)
    _settle(ctx, before, answer, after)


def put(ctx: AdminContext) -> None:
    before = pick(ctx)
    if before is None:
        return
    body = {
        **random_fields(ctx.rng),
        "description": _description(before, "replaced", ctx),
        "owner_id": ctx.rng.choice(ctx.owners),
    }
    path = f"/api/records/{before.id}/"
    answer = _send(ctx, "PUT", path, "records.put", (200,), body, before.etag)
    after = RecordState.from_json(answer.json()) if answer.ok else before
    _check_applied(ctx, after, body, answer)
    _settle(ctx, before, answer, after)


def _check_applied(
    ctx: AdminContext, after: RecordState, changes: dict[str, Any], answer: Answer
) -> None:
    if not answer.ok:
        return
    sent = RecordState.from_json(
        {**asdict(after), "amount": str(after.amount), **changes}, deleted=after.deleted
    )
    if after.differences(sent):
        ctx.ledger.violations.add("update-echo", f"#{after.id}: {after.differences(sent)}")


def stale_write(ctx: AdminContext) -> None:
    """PATCH or DELETE with the ETag of an earlier version: 412, and nothing changes."""
    before = pick(ctx)
    if before is None:
        return
    stale = f'"{before.id}-{before.version - 1}"'
    path = f"/api/records/{before.id}/"
    if ctx.rng.random() < 0.5:
        body = {"description": _description(before, "stale", ctx)}
        answer = _send(ctx, "PATCH", path, "records.patch.stale", (412,), body, stale)
    else:
        answer = _send(ctx, "DELETE", path, "records.delete.stale", (412,), None, stale)
    ctx.ledger.count("stale-write")
    if answer.status != 412:
        ctx.partition.uncertain.add(before.id)


def delete(ctx: AdminContext) -> None:
    before = pick(ctx)
    if before is None:
        return
    conditional = before.etag if ctx.rng.random() < 0.5 else None
    path = f"/api/records/{before.id}/"
    answer = _send(ctx, "DELETE", path, "records.delete", (204,), None, conditional)
    _settle(ctx, before, answer, before.deleted_now())
    if answer.status == 204 and ctx.rng.random() < 0.25:
        _send(ctx, "DELETE", path, "records.delete.again", (404,))


def restore(ctx: AdminContext) -> None:
    """Restore a deleted record (200, version + 1); now and then a live one (404)."""
    before = pick(ctx, deleted=ctx.rng.random() < 0.85)
    if before is None:
        return
    path = f"/api/records/{before.id}/restore/"
    if not before.deleted:
        _send(ctx, "POST", path, "records.restore.live", (404,))
        return
    answer = _send(ctx, "POST", path, "records.restore", (200,))
    after = RecordState.from_json(answer.json()) if answer.ok else before
    expected = replace(before, version=before.version + 1, deleted=False)
    if answer.ok and after.differences(expected):
        ctx.ledger.violations.add("restore-echo", f"#{before.id}: {after.differences(expected)}")
    _settle(ctx, before, answer, after)
