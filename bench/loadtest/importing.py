"""Admins importing small CSV files: all rows or none. Every row of one import carries the
import's tag, so its rows can be found again; a file with one bad row must store nothing.
Some files name each row's owner, others leave the column out and give `?owner_id=`."""

from __future__ import annotations

import csv
import io
from typing import Any
from urllib.parse import urlencode

from bench.loadtest.creation import AdminContext
from bench.loadtest.data import note, random_fields
from bench.loadtest.ledger import RecordState
from bench.loadtest.transport import CONNECTION_ERROR

BAD_SHARE = 0.25
DEFAULT_OWNER_SHARE = 0.3
BAD_CELLS = (("amount", "12.345"), ("date", "2025-02-30"), ("type", "refund"), ("amount", "-5"))
COLUMNS = ("date", "type", "category", "amount", "description", "owner_id")


def _rows(ctx: AdminContext, tag: str, owner: int | None) -> list[dict[str, Any]]:
    count = ctx.rng.randint(2, 6)
    return [
        {
            **random_fields(ctx.rng),
            "description": f"{tag} row {line}{note(ctx.rng)}",
            "owner_id": owner or ctx.rng.choice(ctx.owners),
        }
        for line in range(2, count + 2)
    ]


def _csv(rows: list[dict[str, Any]], with_owner: bool) -> bytes:
    columns = COLUMNS if with_owner else COLUMNS[:-1]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def import_file(ctx: AdminContext) -> None:
    """POST one file; a good one (201) is read back from the other instance and adopted."""
    tag = ctx.tag("i")
    owner = ctx.rng.choice(ctx.owners) if ctx.rng.random() < DEFAULT_OWNER_SHARE else None
    rows = _rows(ctx, tag, owner)
    bad = ctx.rng.random() < BAD_SHARE
    if bad:
        field, value = ctx.rng.choice(BAD_CELLS)
        rows[ctx.rng.randrange(len(rows))][field] = value
    query = f"?owner_id={owner}" if owner else ""
    answer = ctx.client.call(
        "POST",
        f"/api/records/import/{query}",
        group="records.import",
        expect=(422,) if bad else (201,),
        token=ctx.account.access,
        body=_csv(rows, with_owner=owner is None),
        content_type="text/csv",
    )
    if answer.status == CONNECTION_ERROR or answer.status >= 500:
        ctx.partition.unknown_tags.append(tag)
    elif answer.status != 201:
        ctx.partition.rejected_imports.append(tag)
    else:
        ctx.partition.imported[tag] = len(rows)
        if answer.json().get("imported") != len(rows):
            ctx.ledger.violations.add("import-count", f"{tag}: {answer.json()} for {len(rows)}")
        _adopt(ctx, tag, rows, ctx.other(answer.instance))


def _adopt(ctx: AdminContext, tag: str, rows: list[dict[str, Any]], instance: int) -> None:
    query = urlencode({"q": tag, "page_size": 100, "ordering": "id"})
    answer = ctx.client.call(
        "GET",
        f"/api/records/?{query}",
        group="records.list",
        expect=(200,),
        token=ctx.account.access,
        instance=instance,
    )
    if answer.status != 200:
        ctx.partition.unknown_tags.append(tag)
        return
    ctx.ledger.count("import-visible")
    found = [RecordState.from_json(item) for item in answer.json()["results"]]
    by_description = {state.description: state for state in found}
    for row in rows:
        state = by_description.get(row["description"])
        sent = state and RecordState.from_json({**row, "id": state.id, "version": 1})
        if state is None or sent is None or state.differences(sent):
            ctx.ledger.violations.add(
                "import-visible", f"{tag} on instance {instance}: {row['description']!r} -> {state}"
            )
            continue
        ctx.partition.records[state.id] = state
    if len(found) != len(rows):
        ctx.ledger.violations.add("import-visible", f"{tag}: {len(found)} rows for {len(rows)}")
