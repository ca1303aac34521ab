"""API1:2023 Broken Object Level Authorization.

Viewers and analysts see their own records only. Another owner's record answers exactly as a
record that does not exist, on every record route (404, same body, no ETag): its existence never
leaks. A soft-deleted record is 404 wherever the contract hides it. Lists, export and dashboard
keep to the caller's records whatever the filters, and a non-admin's ``owner_id`` of someone
else is a 403."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.security.conftest import EXPORT, RECORD, Caller, World, assert_safe_error, record_body

NO_SUCH_ID = 9_000_000_000

RECORD_ROUTES: list[tuple[str, str, dict[str, Any] | None]] = [
    ("GET", "/api/records/{id}/", None),
    ("PUT", "/api/records/{id}/", {**RECORD, "category": "Mine now"}),
    ("PATCH", "/api/records/{id}/", {"category": "Mine now"}),
    ("DELETE", "/api/records/{id}/", None),
    ("POST", "/api/records/{id}/restore/", None),
    ("GET", "/api/records/{id}/history/", None),
]


def _call(caller: Caller, method: str, url: str, body: dict[str, Any] | None) -> Any:
    return caller.open(method, url, json=body) if body is not None else caller.open(method, url)


def _as_seen(response: Any, record_id: int) -> tuple[int, Any]:
    """Status and body, with the id written out of the message, so two ids can be compared."""
    body = dict(response.json)
    body["message"] = re.sub(rf"\b{record_id}\b", "{id}", body["message"])
    return response.status_code, body


@pytest.mark.parametrize("role", ["viewer", "analyst"])
@pytest.mark.parametrize(
    ("method", "url", "body"), RECORD_ROUTES, ids=[f"{m} {u}" for m, u, _ in RECORD_ROUTES]
)
def test_another_owners_record_answers_like_one_that_does_not_exist(
    world: World, role: str, method: str, url: str, body: dict[str, Any] | None
) -> None:
    caller = world.caller(role)
    other = world.new_user("viewer")
    restoring = url.endswith("/restore/")
    theirs = world.deleted_record(other["id"]) if restoring else world.record(other["id"])
    foreign = _call(caller, method, url.format(id=theirs["id"]), body)
    absent = _call(caller, method, url.format(id=NO_SUCH_ID), body)
    assert_safe_error(foreign, 404)
    assert _as_seen(foreign, theirs["id"]) == _as_seen(absent, NO_SUCH_ID)
    assert "ETag" not in foreign.headers
    if restoring:
        deleted = world.root.get("/api/records/deleted/", query_string={"owner_id": other["id"]})
        assert [r["id"] for r in deleted.json["results"]] == [theirs["id"]]
    else:
        assert world.root.get(f"/api/records/{theirs['id']}/").json == theirs


@pytest.mark.parametrize("role", ["viewer", "analyst"])
def test_a_deleted_record_of_ones_own_is_gone_from_every_view(world: World, role: str) -> None:
    caller = world.caller(role)
    kept = world.record(caller.id, category="Kept")
    gone = world.deleted_record(caller.id, category="Gone")
    assert_safe_error(caller.get(f"/api/records/{gone['id']}/"), 404)
    listed = caller.get("/api/records/", query_string={"category": "Gone"})
    assert listed.json["count"] == 0
    assert [r["id"] for r in caller.get("/api/records/").json["results"]] == [kept["id"]]
    exported = caller.get(EXPORT).get_data(as_text=True).splitlines()[1:]
    assert [line.split(",")[0] for line in exported] == [str(kept["id"])]
    if role == "analyst":
        summary = caller.get("/api/dashboard/summary/").json
        assert (summary["record_count"], summary["total_expense"]) == (1, kept["amount"])
        recent = caller.get("/api/dashboard/recent-transactions/").json["results"]
        assert [r["id"] for r in recent] == [kept["id"]]


@pytest.mark.parametrize(
    ("method", "suffix", "body"),
    [
        ("GET", "", None),
        ("PUT", "", {**RECORD, "category": "Revived"}),
        ("PATCH", "", {"category": "Revived"}),
        ("DELETE", "", None),
    ],
)
def test_a_deleted_record_is_404_for_admins_too_and_stays_deleted(
    world: World, method: str, suffix: str, body: dict[str, Any] | None
) -> None:
    """The contract names GET and a second DELETE; an update of a deleted record is a 404 as
    well (it is gone until restored), and it neither changes nor brings back the record."""
    owner = world.new_user("viewer")["id"]
    gone = world.deleted_record(owner)

    def deleted() -> Any:
        return world.root.get("/api/records/deleted/", query_string={"owner_id": owner}).json

    before = deleted()
    assert [r["id"] for r in before["results"]] == [gone["id"]]
    assert_safe_error(_call(world.root, method, f"/api/records/{gone['id']}/{suffix}", body), 404)
    assert deleted() == before
    assert world.root.get("/api/records/", query_string={"owner_id": owner}).json["count"] == 0


def test_restoring_a_record_that_is_not_deleted_is_404(world: World) -> None:
    live = world.record()
    assert_safe_error(world.root.post(f"/api/records/{live['id']}/restore/"), 404)
    assert world.root.get(f"/api/records/{live['id']}/").json == live


SCOPED_LISTS = [
    ("viewer", "/api/records/"),
    ("viewer", EXPORT),
    ("analyst", "/api/records/"),
    ("analyst", EXPORT),
    ("analyst", "/api/dashboard/summary/"),
    ("analyst", "/api/dashboard/category-totals/"),
    ("analyst", "/api/dashboard/recent-transactions/"),
    ("analyst", "/api/dashboard/monthly-trends/"),
]


@pytest.mark.parametrize(("role", "path"), SCOPED_LISTS)
def test_a_non_admin_asking_for_someone_elses_owner_id_is_403(
    world: World, role: str, path: str
) -> None:
    caller = world.caller(role)
    other = world.new_user("viewer")
    world.record(other["id"])
    assert_safe_error(caller.get(path, query_string={"owner_id": other["id"]}), 403)
    assert_safe_error(caller.get(path, query_string={"owner_id": NO_SUCH_ID}), 403)
    assert caller.get(path, query_string={"owner_id": caller.id}).status_code == 200


FILTERS: list[dict[str, Any]] = [
    {},
    {"q": "shared"},
    {"category": "shared"},
    {"type": "expense"},
    {"date_from": "2026-01-01", "date_to": "2026-12-31"},
    {"min_amount": "0.01", "max_amount": "9999999999.99"},
    {"ordering": "-amount"},
    {"ordering": "id"},
]


@pytest.mark.parametrize("query", FILTERS, ids=lambda q: ",".join(q) or "none")
def test_no_filter_widens_a_list_beyond_the_callers_records(
    store_world: World, query: dict[str, Any]
) -> None:
    """On every store: records of others that match the filter as well as the caller's own
    never appear, in page mode, in cursor mode, or in the export."""
    world = store_world
    caller = world.caller("viewer")
    other = world.new_user("viewer")
    shared = {"category": "Shared", "description": "shared text", "date": "2026-06-01"}
    mine = {world.record(caller.id, **shared)["id"] for _ in range(2)}
    for owner in (other["id"], world.root.id):
        world.record(owner, **shared)
    listed = caller.get("/api/records/", query_string=query)
    assert listed.status_code == 200, listed.json
    assert {r["id"] for r in listed.json["results"]} == mine
    assert listed.json["count"] == len(mine)
    walked: list[int] = []
    cursor: dict[str, Any] = {}
    for _ in range(len(mine) + 1):
        page = caller.get("/api/records/", query_string={**query, "page_size": 1, **cursor})
        walked += [r["id"] for r in page.json["results"]]
        if not page.json["next_cursor"]:
            break
        cursor = {"cursor": page.json["next_cursor"]}
    assert sorted(walked) == sorted(mine)
    exported = caller.get(EXPORT, query_string=query).get_data(as_text=True).splitlines()[1:]
    assert {int(line.split(",")[0]) for line in exported} == mine


def test_an_analysts_dashboard_counts_only_their_own_records(store_world: World) -> None:
    world = store_world
    analyst = world.caller("analyst")
    other = world.new_user("analyst")
    world.record(analyst.id, amount="10.00")
    world.record(other["id"], amount="99.00")
    world.record(world.root.id, amount="7.00")
    summary = analyst.get("/api/dashboard/summary/").json
    assert (summary["total_expense"], summary["record_count"]) == ("10.00", 1)
    totals = analyst.get("/api/dashboard/category-totals/").json["results"]
    assert [(t["total"], t["count"]) for t in totals] == [("10.00", 1)]


def test_an_idempotency_key_replays_only_to_the_admin_who_sent_it(world: World) -> None:
    """Another admin reusing the key gets a record of their own, never the first one's."""
    first, second = world.caller("admin"), world.caller("admin")
    key = {"Idempotency-Key": "shared-key"}
    mine = first.post("/api/records/", json=record_body(), headers=key)
    theirs = second.post("/api/records/", json=record_body(), headers=key)
    assert (mine.status_code, theirs.status_code) == (201, 201)
    assert mine.json["id"] != theirs.json["id"]
    assert theirs.json["created_by"] == second.id
