"""What the server stored, read back through the API as an admin once the load has stopped:
every live record (cursor pages of the list) and every deleted one (the deleted list)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from urllib.parse import urlencode

from bench.loadtest.ledger import RecordState, tag_of
from bench.loadtest.transport import Client

PAGE_SIZE = 100
MAX_PAGES = 5_000


@dataclass
class StoredRecords:
    live: dict[int, RecordState] = field(default_factory=dict)
    deleted: dict[int, RecordState] = field(default_factory=dict)
    repeated: list[int] = field(default_factory=list)
    counts: dict[str, int | None] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)

    def all(self) -> dict[int, RecordState]:
        return {**self.deleted, **self.live}

    def by_tag(self) -> dict[str | None, list[RecordState]]:
        found: dict[str | None, list[RecordState]] = defaultdict(list)
        for state in self.all().values():
            found[tag_of(state.description)].append(state)
        return found


def _walk(
    client: Client, token: str, path: str, deleted: bool, into: StoredRecords
) -> dict[int, RecordState]:
    """Every record of a list, page after page by cursor, in id order."""
    found: dict[int, RecordState] = {}
    params: dict[str, str | int] = {"page_size": PAGE_SIZE, "ordering": "id"}
    for _page in range(MAX_PAGES):
        answer = client.call(
            "GET", f"{path}?{urlencode(params)}", group="reconcile.walk", expect=(200,), token=token
        )
        if answer.status != 200:
            into.failures.append(f"{path} answered {answer.status}")
            break
        page = answer.json()
        if "cursor" not in params:
            into.counts[path] = page["count"]
        for item in page["results"]:
            state = RecordState.from_json(item, deleted=deleted)
            if state.id in found:
                into.repeated.append(state.id)
            found[state.id] = state
        if not page["next_cursor"]:
            break
        params["cursor"] = page["next_cursor"]
    return found


def read_stored(client: Client, token: str) -> StoredRecords:
    stored = StoredRecords()
    stored.live = _walk(client, token, "/api/records/", False, stored)
    stored.deleted = _walk(client, token, "/api/records/deleted/", True, stored)
    stored.repeated.extend(sorted(stored.live.keys() & stored.deleted.keys()))
    return stored
