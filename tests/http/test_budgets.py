"""Budgets through the test client: every row of the contract's Budgets table (writes, reads,
filters, pages, ETags, overlaps, the role matrix) and the budget report at
/api/dashboard/budgets/, its numbers worked out by hand.

The app's clock stands still at NOW (15 March 2026, UTC), so "the current month" is known."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from dependency_injector import providers
from flask import Flask

from tests.conftest import Api, Factory
from tests.http.assertions import assert_error
from tests.unit.conftest import FakeClock

URL = "/api/budgets/"
REPORT = "/api/dashboard/budgets/"
NOW = datetime(2026, 3, 15, 12, 0, tzinfo=UTC)
BUDGET_FIELDS = {
    "id",
    "owner_id",
    "category",
    "amount",
    "start_month",
    "end_month",
    "rollover",
    "created_at",
    "updated_at",
    "version",
}
LINE_FIELDS = {
    "budget_id",
    "owner_id",
    "category",
    "budgeted",
    "carried",
    "available",
    "spent",
    "remaining",
    "percent_used",
}


@pytest.fixture(autouse=True)
def clock(app: Flask) -> Iterator[FakeClock]:
    """The app's clock, standing at NOW until a test moves it."""
    fake = FakeClock(NOW)
    app.container.clock.override(providers.Object(fake))  # type: ignore[attr-defined]
    yield fake
    app.container.clock.reset_override()  # type: ignore[attr-defined]


def body(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"category": "Food", "amount": "400.00", "start_month": "2026-01"}
    data.update(changes)
    return data


def create(admin: Api, **changes: Any) -> dict[str, Any]:
    response = admin.post(URL, json=body(**changes))
    assert response.status_code == 201, response.json
    return response.json  # type: ignore[no-any-return]


def url_of(budget: dict[str, Any]) -> str:
    return f"{URL}{budget['id']}/"


def ids(response: Any) -> list[int]:
    assert response.status_code == 200, response.json
    return [b["id"] for b in response.json["results"]]


def count(admin: Api) -> int:
    return int(admin.get(URL).json["count"])


# -- create and read ----------------------------------------------------------------------------


def test_create_answers_201_with_location_etag_and_the_budget(admin: Api) -> None:
    response = admin.post(URL, json=body(category="  Eating Out ", amount="400"))
    assert response.status_code == 201, response.json
    budget = response.json
    assert set(budget) == BUDGET_FIELDS
    assert isinstance(budget["id"], int) and budget["id"] > 0
    assert {k: v for k, v in budget.items() if k not in {"id", "created_at", "updated_at"}} == {
        "owner_id": admin.user["id"],
        "category": "Eating Out",
        "amount": "400.00",
        "start_month": "2026-01",
        "end_month": None,
        "rollover": False,
        "version": 1,
    }
    assert datetime.fromisoformat(budget["created_at"]) == NOW
    assert budget["updated_at"] == budget["created_at"]
    assert response.headers["Location"].endswith(f"/api/budgets/{budget['id']}/")
    fetched = admin.get(response.headers["Location"])
    assert fetched.status_code == 200
    assert fetched.json == budget
    assert fetched.headers["ETag"] == response.headers["ETag"]


def test_create_with_every_field(admin: Api) -> None:
    budget = create(admin, amount="12.5", start_month="2025-11", end_month="2026-02", rollover=True)
    assert (budget["amount"], budget["start_month"], budget["end_month"], budget["rollover"]) == (
        "12.50",
        "2025-11",
        "2026-02",
        True,
    )


def test_a_budget_of_one_month(admin: Api) -> None:
    budget = create(admin, start_month="2026-02", end_month="2026-02")
    assert (budget["start_month"], budget["end_month"]) == ("2026-02", "2026-02")


@pytest.mark.parametrize(
    ("raw", "shown"),
    [('"1250"', "1250.00"), ("1250", "1250.00"), ("0.1", "0.10"), ('"0.01"', "0.01")],
)
def test_amount_accepts_strings_and_plain_numbers(admin: Api, raw: str, shown: str) -> None:
    payload = f'{{"category": "Food", "amount": {raw}, "start_month": "2026-01"}}'
    response = admin.post(URL, data=payload, content_type="application/json")
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
        "true",
        "null",
        '"abc"',
        "[]",
    ],
)
def test_bad_amounts_are_422_and_store_nothing(admin: Api, raw: str) -> None:
    payload = f'{{"category": "Food", "amount": {raw}, "start_month": "2026-01"}}'
    response = admin.post(URL, data=payload, content_type="application/json")
    assert_error(response, 422, {"json": {"amount"}})
    assert count(admin) == 0


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"start_month": "2026-13"}, "start_month"),
        ({"start_month": "2026-00"}, "start_month"),
        ({"start_month": "2026-1"}, "start_month"),
        ({"start_month": "2026-01-01"}, "start_month"),
        ({"start_month": "26-01"}, "start_month"),
        ({"start_month": "January"}, "start_month"),
        ({"start_month": ""}, "start_month"),
        ({"start_month": 202601}, "start_month"),
        ({"start_month": None}, "start_month"),
        ({"end_month": "2026-13"}, "end_month"),
        ({"end_month": "2026-2"}, "end_month"),
        ({"start_month": "2026-05", "end_month": "2026-04"}, "end_month"),
        ({"start_month": "2026-01", "end_month": "2025-12"}, "end_month"),
        ({"category": ""}, "category"),
        ({"category": "   "}, "category"),
        ({"category": "x" * 101}, "category"),
        ({"category": 7}, "category"),
        ({"rollover": "yes"}, "rollover"),
        ({"rollover": 1}, "rollover"),
        ({"owner_id": "1"}, "owner_id"),
        ({"owner_id": 0}, "owner_id"),
        ({"owner_id": 999_999}, "owner_id"),
        ({"id": 5}, "id"),
        ({"version": 3}, "version"),
        ({"created_at": "2026-01-01T00:00:00Z"}, "created_at"),
        ({"spent": "1.00"}, "spent"),
    ],
)
def test_invalid_or_unknown_fields_are_422_naming_the_field(
    admin: Api, changes: dict[str, Any], field: str
) -> None:
    assert_error(admin.post(URL, json=body(**changes)), 422, {"json": {field}})
    assert count(admin) == 0


def test_missing_fields_are_422(admin: Api) -> None:
    assert_error(admin.post(URL, json={}), 422, {"json": {"category", "amount", "start_month"}})


def test_admin_creates_for_an_active_owner_but_not_an_inactive_one(
    admin: Api, make_user: Factory
) -> None:
    viewer = make_user("viewer")
    budget = create(admin, owner_id=viewer.user["id"])
    assert budget["owner_id"] == viewer.user["id"]
    assert viewer.get(url_of(budget)).json == budget
    assert admin.delete(f"/api/users/{viewer.user['id']}/").status_code == 204
    assert_error(
        admin.post(URL, json=body(category="Rent", owner_id=viewer.user["id"])),
        422,
        {"json": {"owner_id"}},
    )
    assert count(admin) == 1


# -- roles and scope ----------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["viewer", "analyst"])
def test_non_admins_may_not_write(admin: Api, make_user: Factory, role: str) -> None:
    user = make_user(role)
    own = create(admin, owner_id=user.user["id"])
    url = url_of(own)
    assert_error(user.post(URL, json=body(category="Rent")), 403)
    assert_error(user.post(URL, json=body(category="Rent", owner_id=user.user["id"])), 403)
    assert_error(user.put(url, json=body(amount="1.00")), 403)
    assert_error(user.patch(url, json={"amount": "1.00"}), 403)
    assert_error(user.delete(url), 403)
    assert admin.get(url).json == own
    assert count(admin) == 1


@pytest.mark.parametrize("role", ["viewer", "analyst"])
def test_another_owners_budget_is_not_found_for_non_admins(
    admin: Api, make_user: Factory, role: str
) -> None:
    user = make_user(role)
    other = make_user("viewer")
    mine = create(admin, owner_id=user.user["id"])
    theirs = create(admin, owner_id=other.user["id"])
    assert user.get(url_of(mine)).status_code == 200
    url = url_of(theirs)
    for response in (
        user.get(url),
        user.put(url, json=body()),
        user.patch(url, json={"amount": "1.00"}),
        user.delete(url),
        user.get(f"{URL}999999/"),
    ):
        assert_error(response, 404)
    assert admin.get(url).json == theirs


def test_lists_are_scoped_to_the_caller(admin: Api, make_user: Factory) -> None:
    viewer, analyst = make_user("viewer"), make_user("analyst")
    a = create(admin, owner_id=viewer.user["id"])
    b = create(admin, owner_id=analyst.user["id"])
    c = create(admin)
    assert ids(viewer.get(URL)) == [a["id"]]
    assert ids(analyst.get(URL)) == [b["id"]]
    assert sorted(ids(admin.get(URL))) == sorted([a["id"], b["id"], c["id"]])
    assert ids(admin.get(f"{URL}?owner_id={viewer.user['id']}")) == [a["id"]]
    assert ids(viewer.get(f"{URL}?owner_id={viewer.user['id']}")) == [a["id"]]
    assert_error(viewer.get(f"{URL}?owner_id={analyst.user['id']}"), 403)


def test_anonymous_gets_401_everywhere(admin: Api, anonymous: Api) -> None:
    url = url_of(create(admin))
    for method, target in [
        ("get", URL),
        ("post", URL),
        ("get", url),
        ("put", url),
        ("patch", url),
        ("delete", url),
        ("get", REPORT),
        ("get", f"{URL}?month=2026-13"),
        ("get", f"{REPORT}?month=2026-13"),
    ]:
        assert_error(getattr(anonymous, method)(target), 401)
    assert admin.get(url).status_code == 200


# -- filters and pages --------------------------------------------------------------------------


@pytest.fixture
def seeded(admin: Api, make_user: Factory) -> dict[str, int]:
    other = make_user("analyst")
    rows = {
        "food_q1": create(admin, category="Food", start_month="2026-01", end_month="2026-03"),
        "food_on": create(admin, category="FOOD", start_month="2026-04"),
        "rent_25": create(admin, category="Rent", start_month="2025-06", end_month="2025-12"),
        "theirs": create(admin, category="food", start_month="2026-02", owner_id=other.user["id"]),
    }
    found = {name: budget["id"] for name, budget in rows.items()}
    found["other"] = other.user["id"]
    return found


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["food_q1", "food_on", "rent_25", "theirs"]),
        ("?category=food", ["food_q1", "food_on", "theirs"]),
        ("?category=FOOD", ["food_q1", "food_on", "theirs"]),
        ("?category=rent", ["rent_25"]),
        ("?category=Foo", []),
        ("?month=2026-01", ["food_q1"]),
        ("?month=2026-03", ["food_q1", "theirs"]),
        ("?month=2026-04", ["food_on", "theirs"]),
        ("?month=2025-06", ["rent_25"]),
        ("?month=2025-12", ["rent_25"]),
        ("?month=2025-05", []),
        ("?month=2040-01", ["food_on", "theirs"]),
        ("?category=food&month=2026-02", ["food_q1", "theirs"]),
        ("?unknown=ignored", ["food_q1", "food_on", "rent_25", "theirs"]),
    ],
)
def test_filters(admin: Api, seeded: dict[str, int], query: str, expected: list[str]) -> None:
    assert sorted(ids(admin.get(f"{URL}{query}"))) == sorted(seeded[n] for n in expected)


def test_owner_filter(admin: Api, seeded: dict[str, int]) -> None:
    assert ids(admin.get(f"{URL}?owner_id={seeded['other']}")) == [seeded["theirs"]]
    mine = admin.get(f"{URL}?owner_id={admin.user['id']}&category=food&month=2026-03")
    assert ids(mine) == [seeded["food_q1"]]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("month=2026-13", "month"),
        ("month=2026-1", "month"),
        ("month=2026-03-01", "month"),
        ("month=March", "month"),
        ("owner_id=abc", "owner_id"),
        ("owner_id=0", "owner_id"),
        ("category=" + "x" * 101, "category"),
        ("page=0", "page"),
        ("page_size=0", "page_size"),
        ("page_size=101", "page_size"),
    ],
)
def test_invalid_filter_values_are_422(admin: Api, query: str, field: str) -> None:
    assert_error(admin.get(f"{URL}?{query}"), 422, {"query": {field}})


def test_pages(admin: Api) -> None:
    created = [create(admin, category=f"C{n}")["id"] for n in range(5)]
    first = admin.get(f"{URL}?page_size=2")
    assert first.status_code == 200
    assert set(first.json) == {"count", "next", "previous", "next_cursor", "results"}
    assert (first.json["count"], first.json["previous"]) == (5, None)
    assert "page=2" in first.json["next"] and "page_size=2" in first.json["next"]
    seen = ids(first)
    page = first
    while page.json["next"]:
        page = admin.get(page.json["next"])
        seen += ids(page)
        assert page.json["previous"]
    assert sorted(seen) == sorted(created) and len(seen) == 5
    last = admin.get(f"{URL}?page_size=2&page=3")
    assert (len(last.json["results"]), last.json["next"]) == (1, None)
    beyond = admin.get(f"{URL}?page_size=2&page=9")
    assert beyond.status_code == 200 and beyond.json["results"] == []
    assert beyond.json["count"] == 5


# -- update, ETag and If-Match ------------------------------------------------------------------


def test_patch_changes_given_fields_and_bumps_version_and_etag(
    admin: Api, clock: FakeClock
) -> None:
    budget = create(admin, end_month="2026-06", rollover=True)
    url = url_of(budget)
    etag = admin.get(url).headers["ETag"]
    clock.advance(hours=1)
    response = admin.patch(url, json={"amount": "99.99"}, headers={"If-Match": etag})
    assert response.status_code == 200, response.json
    changed = response.json
    assert changed == {
        **budget,
        "amount": "99.99",
        "version": 2,
        "updated_at": changed["updated_at"],
    }
    assert datetime.fromisoformat(changed["updated_at"]) == NOW.replace(hour=13)
    assert response.headers["ETag"] != etag
    assert admin.get(url).headers["ETag"] == response.headers["ETag"]
    opened = admin.patch(url, json={"end_month": None, "rollover": False})
    assert (opened.json["end_month"], opened.json["rollover"], opened.json["version"]) == (
        None,
        False,
        3,
    )


def test_put_replaces_the_budget(admin: Api) -> None:
    budget = create(admin, end_month="2026-06", rollover=True)
    url = url_of(budget)
    response = admin.put(url, json={"category": "Rent", "amount": "1", "start_month": "2026-02"})
    assert response.status_code == 200, response.json
    assert response.json == {
        **budget,
        "category": "Rent",
        "amount": "1.00",
        "start_month": "2026-02",
        "end_month": None,
        "rollover": False,
        "version": 2,
        "updated_at": response.json["updated_at"],
    }
    assert_error(admin.put(url, json={"amount": "1.00"}), 422, {"json": {"category"}})
    assert admin.get(url).json["version"] == 2


def test_stale_if_match_is_412_and_changes_nothing(admin: Api) -> None:
    budget = create(admin)
    url = url_of(budget)
    first = admin.get(url).headers["ETag"]
    assert admin.patch(url, json={"amount": "5.00"}, headers={"If-Match": first}).status_code == 200
    current = admin.get(url).json
    for send in (first, '"nonsense"', "W/" + first):
        stale = {"If-Match": send}
        assert_error(admin.patch(url, json={"amount": "7.00"}, headers=stale), 412)
        assert_error(admin.put(url, json=body(amount="7.00"), headers=stale), 412)
        assert_error(admin.delete(url, headers=stale), 412)
    assert admin.get(url).json == current
    assert (current["amount"], current["version"]) == ("5.00", 2)
    latest = admin.get(url).headers["ETag"]
    assert (
        admin.patch(url, json={"amount": "7.00"}, headers={"If-Match": latest}).status_code == 200
    )
    assert admin.patch(url, json={"amount": "8.00"}, headers={"If-Match": "*"}).status_code == 200
    assert (
        admin.delete(url, headers={"If-Match": admin.get(url).headers["ETag"]}).status_code == 204
    )


def test_patch_validates_like_create(admin: Api, make_user: Factory) -> None:
    budget = create(admin, start_month="2026-02", end_month="2026-05")
    url = url_of(budget)
    gone = make_user("viewer")
    admin.delete(f"/api/users/{gone.user['id']}/")
    assert_error(admin.patch(url, json={"amount": "0"}), 422, {"json": {"amount"}})
    assert_error(admin.patch(url, json={"amount": "1.001"}), 422, {"json": {"amount"}})
    assert_error(admin.patch(url, json={"start_month": "2026-13"}), 422, {"json": {"start_month"}})
    assert_error(admin.patch(url, json={"end_month": "2026-01"}), 422, {"json": {"end_month"}})
    assert_error(admin.patch(url, json={"category": " "}), 422, {"json": {"category"}})
    assert_error(admin.patch(url, json={"owner_id": gone.user["id"]}), 422, {"json": {"owner_id"}})
    assert_error(admin.patch(url, json={"version": 9}), 422, {"json": {"version"}})
    later_start = assert_error(admin.patch(url, json={"start_month": "2026-06"}), 422)
    assert later_start["errors"]["json"], later_start
    assert admin.get(url).json == budget


def test_admin_moves_a_budget_to_another_owner(admin: Api, make_user: Factory) -> None:
    analyst = make_user("analyst")
    budget = create(admin)
    moved = admin.patch(url_of(budget), json={"owner_id": analyst.user["id"]})
    assert moved.status_code == 200, moved.json
    assert moved.json["owner_id"] == analyst.user["id"]
    assert analyst.get(url_of(budget)).json == moved.json


# -- delete -------------------------------------------------------------------------------------


def test_delete_removes_the_budget(admin: Api) -> None:
    budget = create(admin)
    keep = create(admin, category="Rent")
    url = url_of(budget)
    assert admin.delete(url).status_code == 204
    assert_error(admin.get(url), 404)
    assert_error(admin.delete(url), 404)
    assert_error(admin.patch(url, json={"amount": "1.00"}), 404)
    assert ids(admin.get(URL)) == [keep["id"]]
    again = create(admin)
    assert again["id"] != budget["id"]


# -- overlaps -----------------------------------------------------------------------------------


def test_overlapping_budgets_of_one_owner_and_category_are_409(
    admin: Api, make_user: Factory
) -> None:
    first = create(admin, category="Food", start_month="2026-01", end_month="2026-06")
    for clash in (
        body(category="Food", start_month="2026-06", end_month="2026-08"),
        body(category="food", start_month="2025-01", end_month="2026-01"),
        body(category=" FOOD ", start_month="2026-03", end_month="2026-04"),
        body(category="Food", start_month="2025-01"),
        body(category="Food", start_month="2026-05"),
    ):
        response = admin.post(URL, json=clash)
        assert_error(response, 409)
    assert ids(admin.get(URL)) == [first["id"]]
    after = create(admin, category="FOOD", start_month="2026-07")
    before = create(admin, category="food", start_month="2025-01", end_month="2025-12")
    assert_error(admin.post(URL, json=body(category="Food", start_month="2030-01")), 409)
    other = make_user("viewer")
    theirs = create(admin, category="Food", start_month="2026-01", owner_id=other.user["id"])
    drinks = create(admin, category="Food & Drinks", start_month="2026-01")
    assert sorted(ids(admin.get(URL))) == sorted(
        b["id"] for b in (first, after, before, theirs, drinks)
    )


def test_an_update_that_would_overlap_is_409_and_changes_nothing(
    admin: Api, make_user: Factory
) -> None:
    early = create(admin, category="Food", start_month="2026-01", end_month="2026-03")
    late = create(admin, category="Food", start_month="2026-04", end_month="2026-06")
    rent = create(admin, category="Rent", start_month="2026-01", end_month="2026-03")
    assert_error(admin.patch(url_of(early), json={"end_month": "2026-04"}), 409)
    assert_error(admin.patch(url_of(early), json={"end_month": None}), 409)
    assert_error(admin.patch(url_of(rent), json={"category": "fOOD"}), 409)
    assert_error(admin.put(url_of(late), json=body(category="food", start_month="2026-03")), 409)
    assert [admin.get(url_of(b)).json for b in (early, late, rent)] == [early, late, rent]
    same = admin.patch(url_of(early), json={"category": "FOOD", "end_month": "2026-03"})
    assert same.status_code == 200, same.json
    other = make_user("viewer")
    moved = admin.patch(url_of(late), json={"owner_id": other.user["id"], "start_month": "2026-01"})
    assert moved.status_code == 200, moved.json


# -- the budget report --------------------------------------------------------------------------


def add(admin: Api, owner: int, amount: str, kind: str, category: str, day: str) -> int:
    data = {"amount": amount, "type": kind, "category": category, "date": day, "owner_id": owner}
    response = admin.post("/api/records/", json=data)
    assert response.status_code == 201, response.json
    return int(response.json["id"])


def report(api: Api, query: str = "") -> Any:
    response = api.get(REPORT + (f"?{query}" if query else ""))
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.json


def line(
    budget_id: int,
    owner: int,
    category: str,
    budgeted: str,
    carried: str,
    available: str,
    spent: str,
    remaining: str,
    percent: str | None,
) -> dict[str, Any]:
    return {
        "budget_id": budget_id,
        "owner_id": owner,
        "category": category,
        "budgeted": budgeted,
        "carried": carried,
        "available": available,
        "spent": spent,
        "remaining": remaining,
        "percent_used": percent,
    }


def by_budget(overview: dict[str, Any]) -> dict[int, dict[str, Any]]:
    lines = overview["results"]
    assert all(set(line) == LINE_FIELDS for line in lines), lines
    return {line["budget_id"]: line for line in lines}


@pytest.fixture
def analyst(make_user: Factory) -> Api:
    return make_user("analyst")


@pytest.fixture
def other(make_user: Factory) -> Api:
    return make_user("analyst")


@pytest.fixture
def planned(admin: Api, analyst: Api, other: Api) -> dict[str, int]:
    """The analyst's budgets and spending from November 2025 to April 2026, and one budget and
    one expense of another analyst."""
    me, them = analyst.user["id"], other.user["id"]

    def budget(owner: int = me, **changes: Any) -> int:
        return int(create(admin, owner_id=owner, **changes)["id"])

    ids = {
        "food": budget(category="Food", amount="100.00", start_month="2026-01", rollover=True),
        "rent": budget(category="Rent", amount="800.00", start_month="2026-01"),
        "fun": budget(category="Fun", amount="10.00", start_month="2026-02", rollover=True),
        "gym": budget(category="Gym", amount="20.00", start_month="2025-12", rollover=True),
        "books": budget(category="Books", amount="8.00", start_month="2026-03", rollover=True),
        "travel": budget(
            category="Travel", amount="50.00", start_month="2025-01", end_month="2026-02"
        ),
        "gifts": budget(category="Gifts", amount="30.00", start_month="2026-04"),
        "theirs": budget(owner=them, category="Food", amount="200.00", start_month="2026-03"),
    }
    for amount, kind, category, day in [
        # before the budgets start: never counted
        ("500.00", "expense", "Gym", "2025-11-30"),
        ("999.00", "expense", "Food", "2025-12-31"),
        # January
        ("30.00", "expense", "Food", "2026-01-05"),
        ("20.00", "expense", "food", "2026-01-20"),
        ("900.00", "expense", "Rent", "2026-01-01"),
        ("15.00", "expense", "Gym", "2026-01-10"),
        # February
        ("160.00", "expense", "FOOD", "2026-02-10"),
        ("25.00", "expense", "Fun", "2026-02-14"),
        # March
        ("25.50", "expense", "Food", "2026-03-01"),
        ("4.50", "expense", " food ", "2026-03-31"),
        ("1000.00", "income", "Food", "2026-03-10"),
        ("800.00", "expense", "rent", "2026-03-01"),
        ("1.00", "expense", "Fun", "2026-03-02"),
        ("13.00", "expense", "Gym", "2026-03-20"),
        ("0.10", "expense", "Books", "2026-03-03"),
        ("12.00", "expense", "Travel", "2026-03-04"),
        ("7.00", "expense", "Food and more", "2026-03-05"),
        # April: another month
        ("5.00", "expense", "Food", "2026-04-01"),
    ]:
        add(admin, me, amount, kind, category, day)
    deleted = [
        add(admin, me, "500.00", "expense", "Food", "2026-02-11"),
        add(admin, me, "70.00", "expense", "Food", "2026-03-11"),
    ]
    for record_id in deleted:
        assert admin.delete(f"/api/records/{record_id}/").status_code == 204
    add(admin, them, "50.00", "expense", "Food", "2026-03-05")
    add(admin, them, "40.00", "expense", "Food", "2026-02-05")
    ids["me"], ids["them"] = me, them
    return ids


def march_of_the_analyst(ids: dict[str, int]) -> dict[int, dict[str, Any]]:
    me = ids["me"]
    return {
        # January left 50.00, February overspent by 60.00 (the deleted 500.00 never counts)
        ids["food"]: line(
            ids["food"], me, "Food", "100.00", "-10.00", "90.00", "30.00", "60.00", "33.3"
        ),
        # no rollover: January's overspending is not carried
        ids["rent"]: line(
            ids["rent"], me, "Rent", "800.00", "0.00", "800.00", "800.00", "0.00", "100.0"
        ),
        # February overspent by 15.00: nothing available, no share
        ids["fun"]: line(ids["fun"], me, "Fun", "10.00", "-15.00", "-5.00", "1.00", "-6.00", None),
        # 20.00 + 5.00 + 20.00 left in December, January and February
        ids["gym"]: line(
            ids["gym"], me, "Gym", "20.00", "45.00", "65.00", "13.00", "52.00", "20.0"
        ),
        # first month: nothing carried; 1.25 % rounds half up
        ids["books"]: line(
            ids["books"], me, "Books", "8.00", "0.00", "8.00", "0.10", "7.90", "1.3"
        ),
    }


def test_report_of_a_month_worked_out_by_hand(analyst: Api, planned: dict[str, int]) -> None:
    overview = report(analyst, "month=2026-03")
    assert set(overview) == {"month", "results", "totals"}
    assert overview["month"] == "2026-03"
    assert by_budget(overview) == march_of_the_analyst(planned)
    assert len(overview["results"]) == 5
    assert overview["totals"] == {
        "budgeted": "938.00",
        "available": "958.00",
        "spent": "844.10",
        "remaining": "113.90",
    }


def test_report_of_the_month_before_matches_what_is_carried(
    analyst: Api, planned: dict[str, int]
) -> None:
    me = planned["me"]
    overview = report(analyst, "month=2026-02")
    assert overview["month"] == "2026-02"
    assert by_budget(overview) == {
        planned["food"]: line(
            planned["food"], me, "Food", "100.00", "50.00", "150.00", "160.00", "-10.00", "106.7"
        ),
        planned["rent"]: line(
            planned["rent"], me, "Rent", "800.00", "0.00", "800.00", "0.00", "800.00", "0.0"
        ),
        planned["fun"]: line(
            planned["fun"], me, "Fun", "10.00", "0.00", "10.00", "25.00", "-15.00", "250.0"
        ),
        planned["gym"]: line(
            planned["gym"], me, "Gym", "20.00", "25.00", "45.00", "0.00", "45.00", "0.0"
        ),
        planned["travel"]: line(
            planned["travel"], me, "Travel", "50.00", "0.00", "50.00", "0.00", "50.00", "0.0"
        ),
    }
    assert overview["totals"] == {
        "budgeted": "980.00",
        "available": "1055.00",
        "spent": "185.00",
        "remaining": "870.00",
    }


def test_month_defaults_to_the_current_utc_month(analyst: Api, planned: dict[str, int]) -> None:
    assert report(analyst) == report(analyst, "month=2026-03")


def test_month_defaults_to_the_real_current_month_on_the_system_clock(
    app: Flask, admin: Api
) -> None:
    app.container.clock.reset_override()  # type: ignore[attr-defined]
    before = f"{datetime.now(UTC):%Y-%m}"
    create(admin, category="Now", start_month=before)
    overview = report(admin)
    after = f"{datetime.now(UTC):%Y-%m}"
    assert overview["month"] in {before, after}
    if before == after:
        assert [r["category"] for r in overview["results"]] == ["Now"]


def test_admins_see_every_owner_or_one(admin: Api, analyst: Api, planned: dict[str, int]) -> None:
    everyone = report(admin, "month=2026-03")
    assert by_budget(everyone) == {
        **march_of_the_analyst(planned),
        planned["theirs"]: line(
            planned["theirs"],
            planned["them"],
            "Food",
            "200.00",
            "0.00",
            "200.00",
            "50.00",
            "150.00",
            "25.0",
        ),
    }
    assert everyone["totals"] == {
        "budgeted": "1138.00",
        "available": "1158.00",
        "spent": "894.10",
        "remaining": "263.90",
    }
    one = report(admin, f"month=2026-03&owner_id={planned['me']}")
    assert one == report(analyst, "month=2026-03")
    theirs = report(admin, f"month=2026-03&owner_id={planned['them']}")
    assert [r["budget_id"] for r in theirs["results"]] == [planned["theirs"]]


def test_analysts_see_their_own_only(analyst: Api, other: Api, planned: dict[str, int]) -> None:
    assert report(analyst, f"month=2026-03&owner_id={planned['me']}") == report(
        analyst, "month=2026-03"
    )
    assert_error(analyst.get(f"{REPORT}?owner_id={planned['them']}"), 403)
    theirs = report(other, "month=2026-03")
    assert [r["budget_id"] for r in theirs["results"]] == [planned["theirs"]]


def test_viewers_are_403(make_user: Factory, admin: Api) -> None:
    viewer = make_user("viewer")
    create(admin, owner_id=viewer.user["id"])
    assert_error(viewer.get(REPORT), 403)
    assert_error(viewer.get(f"{REPORT}?owner_id={viewer.user['id']}"), 403)
    assert_error(viewer.get(f"{REPORT}?month=2026-03"), 403)


def test_the_report_follows_changes_to_budgets_and_records(
    admin: Api, analyst: Api, planned: dict[str, int]
) -> None:
    assert admin.delete(f"{URL}{planned['books']}/").status_code == 204
    assert admin.patch(f"{URL}{planned['rent']}/", json={"amount": "1000.00"}).status_code == 200
    add(admin, planned["me"], "60.00", "expense", "FOOD", "2026-03-31")
    lines = by_budget(report(analyst, "month=2026-03"))
    assert planned["books"] not in lines
    assert (lines[planned["rent"]]["remaining"], lines[planned["rent"]]["percent_used"]) == (
        "200.00",
        "80.0",
    )
    food = lines[planned["food"]]
    assert (food["spent"], food["remaining"], food["percent_used"]) == ("90.00", "0.00", "100.0")


def test_an_empty_report_is_zero(analyst: Api) -> None:
    assert report(analyst, "month=2026-03") == {
        "month": "2026-03",
        "results": [],
        "totals": {"budgeted": "0.00", "available": "0.00", "spent": "0.00", "remaining": "0.00"},
    }


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("month=2026-13", "month"),
        ("month=2026-3", "month"),
        ("month=2026-03-01", "month"),
        ("month=march", "month"),
        ("month=", "month"),
        ("owner_id=0", "owner_id"),
        ("owner_id=abc", "owner_id"),
    ],
)
def test_invalid_report_queries_are_422(admin: Api, query: str, field: str) -> None:
    assert_error(admin.get(f"{REPORT}?{query}"), 422, {"query": {field}})
