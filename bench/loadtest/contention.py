"""Every admin updating the same few shared records under If-Match: read the ETag, then send
two PATCHes with it at the same moment, one to each instance. Exactly one may win (200), the
other must get 412, whoever else is writing meanwhile. Optimistic concurrency held when no two
clients were told they wrote the same version and the stored record is the one acknowledged
with the highest version."""

from __future__ import annotations

from bench.loadtest.creation import AdminContext
from bench.loadtest.data import random_fields
from bench.loadtest.ledger import RecordState, tag_of
from bench.loadtest.transport import CONNECTION_ERROR, Answer, Client, at_once


def _patch(
    ctx: AdminContext, client: Client, seen: RecordState, etag: str, instance: int
) -> Answer:
    changes = {
        "amount": random_fields(ctx.rng)["amount"],
        "description": f"{tag_of(seen.description)} by {ctx.name} {next(ctx.sequence)}",
    }
    return client.call(
        "PATCH",
        f"/api/records/{seen.id}/",
        group="records.patch.shared",
        expect=(200, 412),
        token=ctx.account.access,
        json_body=changes,
        headers={"If-Match": etag},
        instance=instance,
    )


def update_shared(ctx: AdminContext) -> None:
    hot = ctx.ledger.hot
    record_id = ctx.rng.choice(sorted(hot.initial))
    if record_id in hot.uncertain:
        return
    read = ctx.client.call(
        "GET",
        f"/api/records/{record_id}/",
        group="records.detail",
        expect=(200,),
        token=ctx.account.access,
    )
    if read.status != 200:
        return
    seen = RecordState.from_json(read.json())
    etag, here = read.headers.get("etag", ""), read.instance
    answers = at_once(
        lambda: _patch(ctx, ctx.client, seen, etag, here),
        lambda: _patch(ctx, ctx.twin, seen, etag, ctx.other(here)),
    )
    ctx.ledger.count("if-match-race")
    for answer in answers:
        if answer.status == 200:
            state = RecordState.from_json(answer.json())
            hot.acknowledge(state)
            if state.version != seen.version + 1:
                ctx.ledger.violations.add(
                    "version-step", f"shared #{record_id}: {seen.version} -> {state.version}"
                )
        elif answer.status == 412:
            hot.conflict()
        elif answer.status == CONNECTION_ERROR or answer.status >= 500:
            hot.lose_track(record_id)
    if sum(answer.status == 200 for answer in answers) > 1:
        ctx.ledger.violations.add(
            "if-match-race", f"#{record_id}: both PATCHes with {seen.etag} won"
        )
