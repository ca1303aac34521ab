"""Admins reading: a record of their own partition from either instance must be exactly its
last acknowledged state (read-your-writes across instances), its history one entry per
version; lists, the deleted list and the user list must simply answer."""

from __future__ import annotations

from bench.loadtest.creation import AdminContext
from bench.loadtest.data import list_query
from bench.loadtest.ledger import RecordState
from bench.loadtest.record_writes import pick


def detail(ctx: AdminContext) -> None:
    expected = pick(ctx, deleted=ctx.rng.random() < 0.1) or pick(ctx)
    if expected is None:
        return
    path = f"/api/records/{expected.id}/"
    if expected.deleted:
        ctx.client.call(
            "GET", path, group="records.detail", expect=(404,), token=ctx.account.access
        )
        return
    answer = ctx.client.call(
        "GET", path, group="records.detail", expect=(200,), token=ctx.account.access
    )
    if answer.status != 200:
        return
    ctx.ledger.count("read-after-write")
    seen = RecordState.from_json(answer.json())
    if seen.differences(expected) or answer.headers.get("etag") != expected.etag:
        ctx.ledger.violations.add(
            "read-after-write",
            f"#{expected.id} on instance {answer.instance}: {seen.differences(expected)} "
            f"etag {answer.headers.get('etag')} vs {expected.etag}",
        )


def history(ctx: AdminContext) -> None:
    expected = pick(ctx)
    if expected is None:
        return
    answer = ctx.client.call(
        "GET",
        f"/api/records/{expected.id}/history/?page_size=100",
        group="records.history",
        expect=(200,),
        token=ctx.account.access,
    )
    if answer.status != 200:
        return
    ctx.ledger.count("history-length")
    entries = answer.json()["count"]
    if entries != expected.version:
        ctx.ledger.violations.add(
            "history-length", f"#{expected.id}: {entries} entries for version {expected.version}"
        )


def list_records(ctx: AdminContext) -> None:
    query = list_query(ctx.rng)
    if ctx.rng.random() < 0.3:
        query += f"&owner_id={ctx.rng.choice(ctx.owners)}"
    ctx.client.call(
        "GET",
        f"/api/records/?{query}",
        group="records.list",
        expect=(200,),
        token=ctx.account.access,
    )


def list_deleted(ctx: AdminContext) -> None:
    ctx.client.call(
        "GET",
        f"/api/records/deleted/?{list_query(ctx.rng)}",
        group="records.deleted",
        expect=(200,),
        token=ctx.account.access,
    )


def list_users(ctx: AdminContext) -> None:
    role = ctx.rng.choice(("admin", "analyst", "viewer"))
    ctx.client.call(
        "GET",
        f"/api/users/?role={role}",
        group="users.list",
        expect=(200,),
        token=ctx.account.access,
    )
