"""Every Records row of the contract through the test client: writes, reads, filters, pages,
ETags, soft delete, history, idempotency, scope and the role matrix."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from tests.conftest import Api, Factory
from tests.http.assertions import RECORD_FIELDS, assert_error


def body(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "amount": "12.50",
        "type": "expense",
        "category": "Food",
        "date": "2026-01-15",
    }
    data.update(changes)
    return data


def create(admin: Api, **changes: Any) -> dict[str, Any]:
    response = admin.post("/api/records/", json=body(**changes))
    assert response.status_code == 201, response.json
    return response.json  # type: ignore[no-any-return]


def ids(response: Any) -> list[int]:
    assert response.status_code == 200, response.json
    return [r["id"] for r in response.json["results"]]


# -- create and read ----------------------------------------------------------------------------


def test_create_answers_201_with_location_etag_and_the_record(admin: Api) -> None:
    response = admin.post("/api/records/", json=body(category="  Eating Out ", description="Tacos"))
    assert response.status_code == 201
    record = response.json
    assert set(record) == RECORD_FIELDS
    assert record["amount"] == "12.50"
    assert record["category"] == "Eating Out"
    assert (record["owner_id"], record["created_by"]) == (admin.user["id"], admin.user["id"])
    assert record["version"] == 1
    assert datetime.fromisoformat(record["created_at"]).utcoffset() is not None
    assert response.headers["Location"].endswith(f"/api/records/{record['id']}/")
    fetched = admin.get(response.headers["Location"])
    assert fetched.status_code == 200
    assert fetched.json == record
    assert fetched.headers["ETag"] == response.headers["ETag"]


def test_description_defaults_to_empty(admin: Api) -> None:
    assert create(admin)["description"] == ""


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ('"1250"', "1250.00"),
        ("1250", "1250.00"),
        ("0.1", "0.10"),
        ('"9999999999.99"', "9999999999.99"),
    ],
)
def test_amount_accepts_strings_and_plain_numbers(admin: Api, raw: str, shown: str) -> None:
    payload = f'{{"amount": {raw}, "type": "income", "category": "Pay", "date": "2026-01-01"}}'
    response = admin.post("/api/records/", data=payload, content_type="application/json")
    assert response.status_code == 201, response.json
    assert response.json["amount"] == shown


@pytest.mark.parametrize(
    "raw",
    [
        '"12.345"',
        "12.345",
        "1e3",
        '"1e3"',
        "0",
        '"0.00"',
        "-5",
        '"-5.00"',
        "NaN",
        "Infinity",
        "10000000000",
        '"10000000000.00"',
        "true",
        "null",
        '"abc"',
        "[]",
    ],
)
def test_bad_amounts_are_422_and_store_nothing(admin: Api, raw: str) -> None:
    payload = f'{{"amount": {raw}, "type": "income", "category": "Pay", "date": "2026-01-01"}}'
    response = admin.post("/api/records/", data=payload, content_type="application/json")
    assert_error(response, 422, {"json": {"amount"}})
    assert admin.get("/api/records/").json["count"] == 0


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"type": "gift"}, "type"),
        ({"category": ""}, "category"),
        ({"category": "   "}, "category"),
        ({"category": "x" * 101}, "category"),
        ({"date": "2026-02-30"}, "date"),
        ({"date": "15/01/2026"}, "date"),
        ({"description": "d" * 1001}, "description"),
        ({"owner_id": 999}, "owner_id"),
        ({"owner_id": "1"}, "owner_id"),
        ({"owner_id": 0}, "owner_id"),
        ({"id": 5}, "id"),
        ({"version": 3}, "version"),
        ({"created_by": 1}, "created_by"),
        ({"is_deleted": True}, "is_deleted"),
    ],
)
def test_invalid_or_unknown_fields_are_422(admin: Api, changes: dict[str, Any], field: str) -> None:
    assert_error(admin.post("/api/records/", json=body(**changes)), 422, {"json": {field}})
    assert admin.get("/api/records/").json["count"] == 0


def test_missing_fields_are_422(admin: Api) -> None:
    assert_error(
        admin.post("/api/records/", json={}), 422, {"json": {"amount", "type", "category", "date"}}
    )


def test_ten_cents_a_thousand_times_add_up_exactly(admin: Api) -> None:
    for _ in range(30):
        create(admin, amount="0.10", type="income")
    rows = admin.get("/api/records/?page_size=100").json["results"]
    from decimal import Decimal

    assert sum(Decimal(r["amount"]) for r in rows) == Decimal("3.00")


def test_admin_creates_for_an_active_user_but_not_an_inactive_one(
    admin: Api, make_user: Factory
) -> None:
    viewer = make_user("viewer")
    record = create(admin, owner_id=viewer.user["id"])
    assert record["owner_id"] == viewer.user["id"]
    assert admin.delete(f"/api/users/{viewer.user['id']}/").status_code == 204
    assert_error(
        admin.post("/api/records/", json=body(owner_id=viewer.user["id"])),
        422,
        {"json": {"owner_id"}},
    )


# -- roles and scope ----------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["viewer", "analyst"])
def test_non_admins_may_not_write(admin: Api, make_user: Factory, role: str) -> None:
    user = make_user(role)
    own = create(admin, owner_id=user.user["id"])
    url = f"/api/records/{own['id']}/"
    assert_error(user.post("/api/records/", json=body()), 403)
    assert_error(user.post("/api/records/", json=body(owner_id=user.user["id"])), 403)
    assert_error(user.put(url, json=body()), 403)
    assert_error(user.patch(url, json={"category": "X"}), 403)
    assert_error(user.delete(url), 403)
    assert_error(user.get(f"{url}history/"), 403)
    assert_error(user.get("/api/records/deleted/"), 403)
    assert admin.delete(url).status_code == 204
    assert_error(user.post(f"{url}restore/"), 403)
    assert admin.get("/api/records/deleted/").json["count"] == 1


@pytest.mark.parametrize("role", ["viewer", "analyst"])
def test_another_owners_record_is_not_found_for_non_admins(
    admin: Api, make_user: Factory, role: str
) -> None:
    user = make_user(role)
    other = make_user("viewer")
    theirs = create(admin, owner_id=other.user["id"])
    url = f"/api/records/{theirs['id']}/"
    for response in (
        user.get(url),
        user.put(url, json=body()),
        user.patch(url, json={"category": "X"}),
        user.delete(url),
        user.get(f"{url}history/"),
    ):
        assert_error(response, 404)
    admin.delete(url)
    assert_error(user.post(f"{url}restore/"), 404)
    assert_error(user.get("/api/records/999999/"), 404)


def test_lists_are_scoped_to_the_caller(admin: Api, make_user: Factory) -> None:
    viewer, analyst = make_user("viewer"), make_user("analyst")
    a = create(admin, owner_id=viewer.user["id"])
    b = create(admin, owner_id=analyst.user["id"])
    c = create(admin)
    assert ids(viewer.get("/api/records/")) == [a["id"]]
    assert ids(analyst.get("/api/records/")) == [b["id"]]
    assert sorted(ids(admin.get("/api/records/"))) == sorted([a["id"], b["id"], c["id"]])
    assert ids(admin.get(f"/api/records/?owner_id={viewer.user['id']}")) == [a["id"]]
    assert ids(viewer.get(f"/api/records/?owner_id={viewer.user['id']}")) == [a["id"]]
    assert_error(viewer.get(f"/api/records/?owner_id={analyst.user['id']}"), 403)


def test_anonymous_gets_401_everywhere(anonymous: Api) -> None:
    for method, url in [
        ("get", "/api/records/"),
        ("post", "/api/records/"),
        ("get", "/api/records/1/"),
        ("put", "/api/records/1/"),
        ("patch", "/api/records/1/"),
        ("delete", "/api/records/1/"),
        ("get", "/api/records/deleted/"),
        ("post", "/api/records/1/restore/"),
        ("get", "/api/records/1/history/"),
        ("get", "/api/records/export/"),
        ("post", "/api/records/import/"),
    ]:
        assert_error(getattr(anonymous, method)(url), 401)


# -- update, ETag and If-Match ------------------------------------------------------------------


def test_patch_changes_given_fields_and_bumps_version_and_etag(admin: Api) -> None:
    record = create(admin, description="keep")
    url = f"/api/records/{record['id']}/"
    etag = admin.get(url).headers["ETag"]
    response = admin.patch(url, json={"amount": "99.99"}, headers={"If-Match": etag})
    assert response.status_code == 200
    assert (response.json["amount"], response.json["description"], response.json["version"]) == (
        "99.99",
        "keep",
        2,
    )
    assert response.headers["ETag"] != etag
    assert response.json["updated_at"] >= record["updated_at"]


def test_put_replaces_the_record(admin: Api) -> None:
    record = create(admin, description="old")
    response = admin.put(
        f"/api/records/{record['id']}/",
        json={"amount": "1.00", "type": "income", "category": "Pay", "date": "2026-03-01"},
    )
    assert response.status_code == 200
    assert {
        k: response.json[k]
        for k in ("amount", "type", "category", "date", "description", "version")
    } == {
        "amount": "1.00",
        "type": "income",
        "category": "Pay",
        "date": "2026-03-01",
        "description": "",
        "version": 2,
    }
    assert_error(admin.put(f"/api/records/{record['id']}/", json={"amount": "1.00"}), 422)


def test_stale_if_match_is_412_and_changes_nothing(admin: Api) -> None:
    record = create(admin)
    url = f"/api/records/{record['id']}/"
    first = admin.get(url).headers["ETag"]
    assert (
        admin.patch(url, json={"category": "Rent"}, headers={"If-Match": first}).status_code == 200
    )
    for send in (first, '"nonsense"', "W/" + first):
        assert_error(admin.patch(url, json={"category": "Gym"}, headers={"If-Match": send}), 412)
        assert_error(admin.put(url, json=body(category="Gym"), headers={"If-Match": send}), 412)
    current = admin.get(url).json
    assert (current["category"], current["version"]) == ("Rent", 2)
    assert admin.patch(url, json={"category": "Gym"}, headers={"If-Match": "*"}).status_code == 200


def test_patch_validates_like_create(admin: Api) -> None:
    record = create(admin)
    url = f"/api/records/{record['id']}/"
    assert_error(admin.patch(url, json={"amount": "1.001"}), 422, {"json": {"amount"}})
    assert_error(admin.patch(url, json={"owner_id": 4242}), 422, {"json": {"owner_id"}})
    assert_error(admin.patch(url, json={"version": 9}), 422, {"json": {"version"}})
    assert admin.get(url).json["version"] == 1


# -- delete, restore, history -------------------------------------------------------------------


def test_soft_delete_hides_the_record_until_restored(admin: Api) -> None:
    record = create(admin)
    url = f"/api/records/{record['id']}/"
    assert admin.delete(url).status_code == 204
    assert_error(admin.get(url), 404)
    assert_error(admin.delete(url), 404)
    assert ids(admin.get("/api/records/")) == []
    assert ids(admin.get("/api/records/deleted/")) == [record["id"]]
    restored = admin.post(f"{url}restore/")
    assert restored.status_code == 200
    assert restored.json["id"] == record["id"]
    assert ids(admin.get("/api/records/")) == [record["id"]]
    assert ids(admin.get("/api/records/deleted/")) == []
    assert_error(admin.post(f"{url}restore/"), 404)


def test_history_lists_every_change_oldest_first(admin: Api) -> None:
    record = create(admin, amount="5.00")
    url = f"/api/records/{record['id']}/"
    admin.patch(url, json={"amount": "6.00", "category": "Fun"})
    admin.delete(url)
    admin.post(f"{url}restore/")
    history = admin.get(f"{url}history/")
    assert history.status_code == 200
    entries = history.json["results"]
    assert [e["action"] for e in entries] == ["created", "updated", "deleted", "restored"]
    assert entries[1]["changes"] == {"amount": ["5.00", "6.00"], "category": ["Food", "Fun"]}
    assert all(e["actor_id"] == admin.user["id"] for e in entries)
    assert all(datetime.fromisoformat(e["at"]).utcoffset() is not None for e in entries)
    assert_error(admin.get("/api/records/424242/history/"), 404)


# -- idempotency --------------------------------------------------------------------------------


def test_idempotency_key_replays_the_first_response(admin: Api, make_user: Factory) -> None:
    key = {"Idempotency-Key": "pay-2026-01"}
    first = admin.post("/api/records/", json=body(), headers=key)
    again = admin.post("/api/records/", json=body(), headers=key)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json == first.json
    assert admin.get("/api/records/").json["count"] == 1
    assert_error(admin.post("/api/records/", json=body(amount="13.00"), headers=key), 409)
    assert admin.get("/api/records/").json["count"] == 1


def test_idempotency_keys_are_per_user_and_bounded(admin: Api, make_user: Factory) -> None:
    other_admin = make_user("admin")
    key = {"Idempotency-Key": "same"}
    a = admin.post("/api/records/", json=body(), headers=key).json
    b = other_admin.post("/api/records/", json=body(), headers=key).json
    assert a["id"] != b["id"]
    assert_error(
        admin.post("/api/records/", json=body(), headers={"Idempotency-Key": "k" * 256}),
        422,
        {"headers": {"Idempotency-Key"}},
    )


# -- filters, ordering, pagination --------------------------------------------------------------


@pytest.fixture
def seeded(admin: Api) -> dict[str, int]:
    rows = {
        "salary": create(
            admin, type="income", category="Salary", amount="3000.00", date="2026-01-31"
        ),
        "lunch": create(
            admin, category="Food", amount="12.30", date="2026-01-31", description="Lunch"
        ),
        "coffee": create(
            admin, category="food", amount="7.70", date="2026-02-01", description="Coffee"
        ),
        "rent": create(admin, category="Rent", amount="900.00", date="2026-02-01"),
        "gift": create(
            admin,
            type="income",
            category="Gift",
            amount="0.01",
            date="2025-12-31",
            description="From the FOOD bank",
        ),
    }
    return {name: record["id"] for name, record in rows.items()}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["rent", "coffee", "lunch", "salary", "gift"]),
        ("?type=expense", ["rent", "coffee", "lunch"]),
        ("?category=FOOD", ["coffee", "lunch"]),
        ("?date_from=2026-01-31&date_to=2026-01-31", ["lunch", "salary"]),
        ("?min_amount=12.30&max_amount=900", ["rent", "lunch"]),
        ("?min_amount=0&max_amount=0.01", ["gift"]),
        ("?q=food", ["coffee", "lunch", "gift"]),
        (
            "?type=expense&category=food&date_from=2026-01-01&date_to=2026-03-31",
            ["coffee", "lunch"],
        ),
        ("?ordering=amount", ["gift", "coffee", "lunch", "rent", "salary"]),
        ("?ordering=-amount", ["salary", "rent", "lunch", "coffee", "gift"]),
        ("?ordering=date", ["gift", "salary", "lunch", "coffee", "rent"]),
        ("?ordering=id", ["salary", "lunch", "coffee", "rent", "gift"]),
        ("?ordering=-id", ["gift", "rent", "coffee", "lunch", "salary"]),
        ("?ordering=created_at", ["salary", "lunch", "coffee", "rent", "gift"]),
        ("?ordering=-created_at", ["gift", "rent", "coffee", "lunch", "salary"]),
        ("?unknown=ignored", ["rent", "coffee", "lunch", "salary", "gift"]),
    ],
)
def test_filters_and_ordering(
    admin: Api, seeded: dict[str, int], query: str, expected: list[str]
) -> None:
    assert ids(admin.get(f"/api/records/{query}")) == [seeded[n] for n in expected]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("type=gift", "type"),
        ("date_from=2026-13-01", "date_from"),
        ("date_to=yesterday", "date_to"),
        ("date_from=2026-02-01&date_to=2026-01-01", "date_from"),
        ("min_amount=abc", "min_amount"),
        ("min_amount=1.234", "min_amount"),
        ("max_amount=-1", "max_amount"),
        ("min_amount=5&max_amount=4", "min_amount"),
        ("ordering=name", "ordering"),
        ("owner_id=abc", "owner_id"),
        ("page=0", "page"),
        ("page_size=0", "page_size"),
        ("page_size=101", "page_size"),
        ("cursor=bogus", "cursor"),
    ],
)
def test_invalid_query_values_are_422(admin: Api, query: str, field: str) -> None:
    assert_error(admin.get(f"/api/records/?{query}"), 422, {"query": {field}})
    assert_error(admin.get(f"/api/records/deleted/?{query}"), 422, {"query": {field}})


def test_page_mode_links_and_counts(admin: Api) -> None:
    for day in range(1, 6):
        create(admin, date=f"2026-01-0{day}")
    first = admin.get("/api/records/?page_size=2&type=expense")
    assert first.json["count"] == 5
    assert first.json["previous"] is None
    assert "page=2" in first.json["next"] and "type=expense" in first.json["next"]
    second = admin.get(first.json["next"])
    assert second.json["previous"] and "page=1" in second.json["previous"]
    last = admin.get("/api/records/?page_size=2&page=3")
    assert (len(last.json["results"]), last.json["next"], last.json["next_cursor"]) == (
        1,
        None,
        None,
    )
    beyond = admin.get("/api/records/?page_size=2&page=9")
    assert beyond.status_code == 200 and beyond.json["results"] == []


def test_cursor_mode_walks_every_record_once(admin: Api) -> None:
    created = [create(admin, date=f"2026-01-{1 + n % 3:02d}")["id"] for n in range(7)]
    expected = ids(admin.get("/api/records/?page_size=100"))
    assert sorted(expected) == sorted(created)
    page = admin.get("/api/records/?page_size=3")
    seen = ids(page)
    while page.json["next_cursor"]:
        page = admin.get(f"/api/records/?page_size=3&cursor={page.json['next_cursor']}")
        assert page.json["count"] is None or isinstance(page.json["count"], int)
        seen += ids(page)
    assert seen == expected


def test_a_foreign_or_tampered_cursor_is_422(admin: Api, make_user: Factory) -> None:
    viewer = make_user("viewer")
    for _ in range(3):
        create(admin, owner_id=viewer.user["id"])
    cursor = admin.get("/api/records/?page_size=1").json["next_cursor"]
    assert cursor
    assert_error(
        admin.get(f"/api/records/?page_size=1&type=income&cursor={cursor}"),
        422,
        {"query": {"cursor"}},
    )
    assert_error(
        viewer.get(f"/api/records/?page_size=1&cursor={cursor}"), 422, {"query": {"cursor"}}
    )
    assert_error(
        admin.get(f"/api/records/?page_size=1&cursor=x{cursor}"), 422, {"query": {"cursor"}}
    )


@pytest.mark.parametrize(
    "url",
    [
        "/api/records/?page_size=0",
        "/api/records/export/?type=gift",
        "/api/dashboard/summary/?date_from=nope",
        "/api/dashboard/category-totals/?type=gift",
        "/api/dashboard/recent-transactions/?limit=0",
        "/api/dashboard/monthly-trends/?months=0",
    ],
)
def test_anonymous_gets_401_before_its_input_is_checked(anonymous: Api, url: str) -> None:
    assert_error(anonymous.get(url), 401)
