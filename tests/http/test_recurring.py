"""Recurring schedules through the test client: every row of the contract's Recurring records
table (writes, reads, filters, ETags, deactivation, upcoming dates, runs and the records they
make) and the forecast at /api/dashboard/forecast/, its numbers worked out by hand.

The app's clock stands still at NOW (15 March 2026, UTC) unless a test moves it, so "today"
and "the current month" are known."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from dependency_injector import providers
from flask import Flask

from tests.conftest import Api, Factory
from tests.http.assertions import RECORD_FIELDS, assert_error
from tests.unit.conftest import FakeClock

URL = "/api/recurring/"
FORECAST = "/api/dashboard/forecast/"
NOW = datetime(2026, 3, 15, 12, 0, tzinfo=UTC)
SCHEDULE_FIELDS = {
    "id",
    "owner_id",
    "amount",
    "type",
    "category",
    "description",
    "frequency",
    "interval",
    "start_date",
    "end_date",
    "count",
    "next_date",
    "active",
    "created_by",
    "created_at",
    "updated_at",
    "version",
}


@pytest.fixture(autouse=True)
def clock(app: Flask) -> Iterator[FakeClock]:
    """The app's clock, standing at NOW until a test moves it."""
    fake = FakeClock(NOW)
    app.container.clock.override(providers.Object(fake))  # type: ignore[attr-defined]
    yield fake
    app.container.clock.reset_override()  # type: ignore[attr-defined]


def body(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "amount": "1200.00",
        "type": "expense",
        "category": "Rent",
        "frequency": "monthly",
        "start_date": "2026-01-31",
    }
    data.update(changes)
    return data


def create(admin: Api, **changes: Any) -> dict[str, Any]:
    response = admin.post(URL, json=body(**changes))
    assert response.status_code == 201, response.json
    return response.json  # type: ignore[no-any-return]


def url_of(schedule: dict[str, Any]) -> str:
    return f"{URL}{schedule['id']}/"


def ids(response: Any) -> list[int]:
    assert response.status_code == 200, response.json
    return [s["id"] for s in response.json["results"]]


def count(admin: Api) -> int:
    return int(admin.get(URL).json["count"])


def upcoming(api: Api, schedule: dict[str, Any], query: str = "") -> list[str]:
    response = api.get(f"{url_of(schedule)}upcoming/" + (f"?{query}" if query else ""))
    assert response.status_code == 200, response.json
    assert set(response.json) == {"results"}
    return response.json["results"]  # type: ignore[no-any-return]


def run(admin: Api, schedule: dict[str, Any], until: str | None = None) -> dict[str, Any]:
    query = f"?until={until}" if until else ""
    response = admin.post(f"{url_of(schedule)}run/{query}")
    assert response.status_code == 200, response.json
    assert set(response.json) == {"created", "records"}
    assert response.json["created"] == len(response.json["records"])
    return response.json  # type: ignore[no-any-return]


def record(admin: Api, record_id: int) -> dict[str, Any]:
    response = admin.get(f"/api/records/{record_id}/")
    assert response.status_code == 200, response.json
    return response.json  # type: ignore[no-any-return]


# -- create and read ----------------------------------------------------------------------------


def test_create_answers_201_with_location_etag_and_the_schedule(admin: Api) -> None:
    response = admin.post(URL, json=body(category="  Flat rent ", amount=1200))
    assert response.status_code == 201, response.json
    schedule = response.json
    assert set(schedule) == SCHEDULE_FIELDS
    assert isinstance(schedule["id"], int) and schedule["id"] > 0
    me = admin.user["id"]
    assert {k: v for k, v in schedule.items() if k not in {"id", "created_at", "updated_at"}} == {
        "owner_id": me,
        "amount": "1200.00",
        "type": "expense",
        "category": "Flat rent",
        "description": "",
        "frequency": "monthly",
        "interval": 1,
        "start_date": "2026-01-31",
        "end_date": None,
        "count": None,
        "next_date": "2026-01-31",
        "active": True,
        "created_by": me,
        "version": 1,
    }
    assert datetime.fromisoformat(schedule["created_at"]) == NOW
    assert schedule["updated_at"] == schedule["created_at"]
    assert response.headers["Location"].endswith(f"/api/recurring/{schedule['id']}/")
    fetched = admin.get(response.headers["Location"])
    assert fetched.status_code == 200
    assert fetched.json == schedule
    assert fetched.headers["ETag"] == response.headers["ETag"]


def test_create_with_every_field_for_another_owner(admin: Api, make_user: Factory) -> None:
    viewer = make_user("viewer")
    schedule = create(
        admin,
        amount="3000",
        type="income",
        category="Salary",
        description="ACME payroll",
        frequency="weekly",
        interval=2,
        start_date="2026-03-06",
        end_date="2026-12-31",
        owner_id=viewer.user["id"],
    )
    assert {k: schedule[k] for k in SCHEDULE_FIELDS - {"id", "created_at", "updated_at"}} == {
        "owner_id": viewer.user["id"],
        "amount": "3000.00",
        "type": "income",
        "category": "Salary",
        "description": "ACME payroll",
        "frequency": "weekly",
        "interval": 2,
        "start_date": "2026-03-06",
        "end_date": "2026-12-31",
        "count": None,
        "next_date": "2026-03-06",
        "active": True,
        "created_by": admin.user["id"],
        "version": 1,
    }
    assert viewer.get(url_of(schedule)).json == schedule
    by_count = create(admin, frequency="yearly", count=3, interval=1000)
    assert (by_count["count"], by_count["end_date"], by_count["interval"]) == (3, None, 1000)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"interval": 0}, "interval"),
        ({"interval": 1001}, "interval"),
        ({"interval": -1}, "interval"),
        ({"interval": "2"}, "interval"),
        ({"interval": 1.5}, "interval"),
        ({"interval": None}, "interval"),
        ({"start_date": "2026-01-31", "end_date": "2026-01-30"}, "end_date"),
        ({"count": 0}, "count"),
        ({"count": -3}, "count"),
        ({"count": "3"}, "count"),
        ({"frequency": "hourly"}, "frequency"),
        ({"frequency": ""}, "frequency"),
        ({"frequency": None}, "frequency"),
        ({"start_date": "2026-02-30"}, "start_date"),
        ({"start_date": "31/01/2026"}, "start_date"),
        ({"start_date": "2026-01"}, "start_date"),
        ({"start_date": None}, "start_date"),
        ({"end_date": "2026-13-01"}, "end_date"),
        ({"type": "gift"}, "type"),
        ({"category": "   "}, "category"),
        ({"category": "x" * 101}, "category"),
        ({"description": "d" * 1001}, "description"),
        ({"amount": "0"}, "amount"),
        ({"amount": "-1200.00"}, "amount"),
        ({"amount": "12.345"}, "amount"),
        ({"amount": "1e3"}, "amount"),
        ({"owner_id": 999_999}, "owner_id"),
        ({"owner_id": "1"}, "owner_id"),
        ({"id": 7}, "id"),
        ({"active": False}, "active"),
        ({"next_date": "2026-02-28"}, "next_date"),
        ({"created_by": 1}, "created_by"),
        ({"version": 2}, "version"),
        ({"recurring_id": 1}, "recurring_id"),
    ],
)
def test_invalid_or_unknown_fields_are_422_naming_the_field(
    admin: Api, changes: dict[str, Any], field: str
) -> None:
    assert_error(admin.post(URL, json=body(**changes)), 422, {"json": {field}})
    assert count(admin) == 0


def test_an_end_date_and_a_count_together_are_422(admin: Api) -> None:
    error = assert_error(admin.post(URL, json=body(end_date="2026-12-31", count=3)), 422)
    assert {"end_date", "count"} & set(error["errors"]["json"]), error
    assert count(admin) == 0


def test_missing_fields_are_422(admin: Api) -> None:
    assert_error(
        admin.post(URL, json={}),
        422,
        {"json": {"amount", "type", "category", "frequency", "start_date"}},
    )


def test_an_inactive_owner_is_422(admin: Api, make_user: Factory) -> None:
    viewer = make_user("viewer")
    assert admin.delete(f"/api/users/{viewer.user['id']}/").status_code == 204
    assert_error(
        admin.post(URL, json=body(owner_id=viewer.user["id"])), 422, {"json": {"owner_id"}}
    )
    assert count(admin) == 0


# -- roles and scope ----------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["viewer", "analyst"])
def test_non_admins_read_their_own_but_may_not_write_or_run(
    admin: Api, make_user: Factory, role: str
) -> None:
    user = make_user(role)
    own = create(admin, owner_id=user.user["id"])
    url = url_of(own)
    assert user.get(url).json == own
    assert ids(user.get(URL)) == [own["id"]]
    assert upcoming(user, own, "limit=1") == ["2026-01-31"]
    assert_error(user.post(URL, json=body()), 403)
    assert_error(user.post(URL, json=body(owner_id=user.user["id"])), 403)
    assert_error(user.put(url, json=body(amount="1.00")), 403)
    assert_error(user.patch(url, json={"amount": "1.00"}), 403)
    assert_error(user.delete(url), 403)
    assert_error(user.post(f"{url}run/"), 403)
    assert_error(user.post(f"{url}run/?until=2026-02-01"), 403)
    assert admin.get(url).json == own
    assert admin.get(f"/api/records/?owner_id={user.user['id']}").json["count"] == 0


@pytest.mark.parametrize("role", ["viewer", "analyst"])
def test_another_owners_schedule_is_not_found_for_non_admins(
    admin: Api, make_user: Factory, role: str
) -> None:
    user = make_user(role)
    theirs = create(admin)
    url = url_of(theirs)
    for response in (
        user.get(url),
        user.put(url, json=body()),
        user.patch(url, json={"amount": "1.00"}),
        user.delete(url),
        user.get(f"{url}upcoming/"),
        user.post(f"{url}run/"),
        user.get(f"{URL}999999/"),
    ):
        assert_error(response, 404)
    assert admin.get(url).json == theirs


def test_unknown_schedules_are_404_for_admins(admin: Api) -> None:
    for response in (
        admin.get(f"{URL}999999/"),
        admin.patch(f"{URL}999999/", json={"amount": "1.00"}),
        admin.delete(f"{URL}999999/"),
        admin.get(f"{URL}999999/upcoming/"),
        admin.post(f"{URL}999999/run/"),
    ):
        assert_error(response, 404)


def test_anonymous_gets_401_everywhere(admin: Api, anonymous: Api) -> None:
    url = url_of(create(admin))
    for method, target in [
        ("get", URL),
        ("post", URL),
        ("get", url),
        ("put", url),
        ("patch", url),
        ("delete", url),
        ("get", f"{url}upcoming/"),
        ("get", f"{url}upcoming/?limit=0"),
        ("post", f"{url}run/"),
        ("get", FORECAST),
        ("get", f"{FORECAST}?months=0"),
    ]:
        assert_error(getattr(anonymous, method)(target), 401)
    assert admin.get(url).json["active"] is True
    assert admin.get("/api/records/").json["count"] == 0


# -- list and filters ---------------------------------------------------------------------------


@pytest.fixture
def seeded(admin: Api, make_user: Factory) -> dict[str, Any]:
    viewer = make_user("viewer")
    rows = {
        "rent": create(admin),
        "salary": create(admin, type="income", category="Salary", amount="3000.00"),
        "theirs": create(admin, category="rent", frequency="weekly", owner_id=viewer.user["id"]),
        "stopped": create(admin, category="RENT", frequency="yearly"),
    }
    assert admin.delete(url_of(rows["stopped"])).status_code == 204
    found: dict[str, Any] = {name: schedule["id"] for name, schedule in rows.items()}
    found["viewer"] = viewer
    return found


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["rent", "salary", "theirs", "stopped"]),
        ("?type=income", ["salary"]),
        ("?type=expense", ["rent", "theirs", "stopped"]),
        ("?category=rent", ["rent", "theirs", "stopped"]),
        ("?category=SALARY", ["salary"]),
        ("?category=Ren", []),
        ("?active=true", ["rent", "salary", "theirs"]),
        ("?active=false", ["stopped"]),
        ("?type=expense&category=Rent&active=true", ["rent", "theirs"]),
        ("?unknown=ignored", ["rent", "salary", "theirs", "stopped"]),
    ],
)
def test_filters(admin: Api, seeded: dict[str, Any], query: str, expected: list[str]) -> None:
    assert sorted(ids(admin.get(f"{URL}{query}"))) == sorted(seeded[n] for n in expected)


def test_lists_are_scoped_to_the_caller(admin: Api, seeded: dict[str, Any]) -> None:
    viewer: Api = seeded["viewer"]
    assert ids(viewer.get(URL)) == [seeded["theirs"]]
    assert ids(viewer.get(f"{URL}?owner_id={viewer.user['id']}")) == [seeded["theirs"]]
    assert_error(viewer.get(f"{URL}?owner_id={admin.user['id']}"), 403)
    assert ids(admin.get(f"{URL}?owner_id={viewer.user['id']}")) == [seeded["theirs"]]
    mine = admin.get(f"{URL}?owner_id={admin.user['id']}")
    assert sorted(ids(mine)) == sorted([seeded["rent"], seeded["salary"], seeded["stopped"]])


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("type=gift", "type"),
        ("active=yes", "active"),
        ("active=1", "active"),
        ("owner_id=0", "owner_id"),
        ("owner_id=abc", "owner_id"),
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
    first = admin.get(f"{URL}?page_size=2&type=expense")
    assert set(first.json) == {"count", "next", "previous", "next_cursor", "results"}
    assert (first.json["count"], first.json["previous"]) == (5, None)
    assert "page=2" in first.json["next"] and "type=expense" in first.json["next"]
    seen = ids(first)
    page = first
    while page.json["next"]:
        page = admin.get(page.json["next"])
        seen += ids(page)
    assert sorted(seen) == sorted(created) and len(seen) == 5
    beyond = admin.get(f"{URL}?page_size=2&page=9")
    assert beyond.status_code == 200 and beyond.json["results"] == []


# -- update, ETag and If-Match ------------------------------------------------------------------


def test_patch_changes_given_fields_and_bumps_version_and_etag(
    admin: Api, clock: FakeClock
) -> None:
    schedule = create(admin, description="keep", count=12)
    url = url_of(schedule)
    etag = admin.get(url).headers["ETag"]
    clock.advance(hours=1)
    response = admin.patch(url, json={"amount": "99.99"}, headers={"If-Match": etag})
    assert response.status_code == 200, response.json
    assert response.json == {
        **schedule,
        "amount": "99.99",
        "version": 2,
        "updated_at": response.json["updated_at"],
    }
    assert datetime.fromisoformat(response.json["updated_at"]) == NOW + timedelta(hours=1)
    assert response.headers["ETag"] != etag
    assert admin.get(url).headers["ETag"] == response.headers["ETag"]


def test_put_replaces_the_schedule(admin: Api) -> None:
    schedule = create(admin, description="old", interval=2, end_date="2026-12-31")
    url = url_of(schedule)
    replacement = body(amount="50", type="income", category="Pay", frequency="weekly")
    response = admin.put(url, json=replacement | {"start_date": "2026-03-02"})
    assert response.status_code == 200, response.json
    assert response.json == {
        **schedule,
        "amount": "50.00",
        "type": "income",
        "category": "Pay",
        "description": "",
        "frequency": "weekly",
        "interval": 1,
        "start_date": "2026-03-02",
        "end_date": None,
        "next_date": "2026-03-02",
        "version": 2,
        "updated_at": response.json["updated_at"],
    }
    assert_error(admin.put(url, json={"amount": "1.00"}), 422, {"json": {"frequency"}})
    assert admin.get(url).json["version"] == 2


def test_stale_if_match_is_412_and_changes_nothing(admin: Api) -> None:
    schedule = create(admin)
    url = url_of(schedule)
    first = admin.get(url).headers["ETag"]
    assert admin.patch(url, json={"amount": "5.00"}, headers={"If-Match": first}).status_code == 200
    current = admin.get(url).json
    for send in (first, '"nonsense"', "W/" + first):
        stale = {"If-Match": send}
        assert_error(admin.patch(url, json={"amount": "7.00"}, headers=stale), 412)
        assert_error(admin.put(url, json=body(amount="7.00"), headers=stale), 412)
        assert_error(admin.delete(url, headers=stale), 412)
    assert admin.get(url).json == current
    assert (current["amount"], current["version"], current["active"]) == ("5.00", 2, True)
    latest = admin.get(url).headers["ETag"]
    assert (
        admin.patch(url, json={"amount": "7.00"}, headers={"If-Match": latest}).status_code == 200
    )
    assert admin.patch(url, json={"amount": "8.00"}, headers={"If-Match": "*"}).status_code == 200
    assert (
        admin.delete(url, headers={"If-Match": admin.get(url).headers["ETag"]}).status_code == 204
    )
    assert admin.get(url).json["active"] is False


def test_patch_validates_like_create(admin: Api, make_user: Factory) -> None:
    schedule = create(admin, end_date="2026-12-31")
    url = url_of(schedule)
    gone = make_user("viewer")
    assert admin.delete(f"/api/users/{gone.user['id']}/").status_code == 204
    assert_error(admin.patch(url, json={"owner_id": gone.user["id"]}), 422, {"json": {"owner_id"}})
    assert_error(admin.patch(url, json={"interval": 0}), 422, {"json": {"interval"}})
    assert_error(admin.patch(url, json={"interval": 1001}), 422, {"json": {"interval"}})
    assert_error(admin.patch(url, json={"end_date": "2026-01-30"}), 422, {"json": {"end_date"}})
    assert_error(admin.patch(url, json={"frequency": "hourly"}), 422, {"json": {"frequency"}})
    assert_error(admin.patch(url, json={"amount": "0.00"}), 422, {"json": {"amount"}})
    assert_error(admin.patch(url, json={"active": True}), 422, {"json": {"active"}})
    both = assert_error(admin.patch(url, json={"count": 2}), 422)
    assert {"end_date", "count"} & set(both["errors"]["json"]), both
    assert admin.get(url).json == schedule
    swapped = admin.patch(url, json={"end_date": None, "count": 2})
    assert swapped.status_code == 200, swapped.json
    assert (swapped.json["end_date"], swapped.json["count"]) == (None, 2)


# -- delete deactivates -------------------------------------------------------------------------


def test_delete_deactivates_and_keeps_the_records_made(admin: Api) -> None:
    schedule = create(admin)
    url = url_of(schedule)
    made = run(admin, schedule)["records"]
    assert len(made) == 2
    before = admin.get(url)
    assert admin.delete(url).status_code == 204
    after = admin.get(url)
    assert after.status_code == 200
    assert after.json == {
        **before.json,
        "active": False,
        "next_date": None,
        "version": before.json["version"] + 1,
        "updated_at": after.json["updated_at"],
    }
    assert after.headers["ETag"] != before.headers["ETag"]
    assert ids(admin.get(f"{URL}?active=false")) == [schedule["id"]]
    assert ids(admin.get(f"{URL}?active=true")) == []
    for record_id in made:
        assert record(admin, record_id)["recurring_id"] == schedule["id"]
    assert upcoming(admin, schedule) == []
    assert run(admin, schedule) == {"created": 0, "records": []}
    assert admin.get("/api/records/").json["count"] == 2


# -- upcoming -----------------------------------------------------------------------------------


def test_upcoming_defaults_to_five_dates_clamped_to_the_months_end(admin: Api) -> None:
    schedule = create(admin, start_date="2026-01-31")
    assert upcoming(admin, schedule) == [
        "2026-01-31",
        "2026-02-28",
        "2026-03-31",
        "2026-04-30",
        "2026-05-31",
    ]
    assert upcoming(admin, schedule, "limit=1") == ["2026-01-31"]
    assert len(upcoming(admin, schedule, "limit=100")) == 100
    assert upcoming(admin, schedule, "limit=100")[-1] == "2034-04-30"


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        (
            {"start_date": "2028-01-31"},
            ["2028-01-31", "2028-02-29", "2028-03-31", "2028-04-30", "2028-05-31"],
        ),
        (
            {"frequency": "yearly", "start_date": "2024-02-29"},
            ["2024-02-29", "2025-02-28", "2026-02-28", "2027-02-28", "2028-02-29"],
        ),
        (
            {"frequency": "monthly", "interval": 3, "start_date": "2025-11-30"},
            ["2025-11-30", "2026-02-28", "2026-05-30", "2026-08-30", "2026-11-30"],
        ),
        (
            {"frequency": "daily", "interval": 3, "start_date": "2026-02-26"},
            ["2026-02-26", "2026-03-01", "2026-03-04", "2026-03-07", "2026-03-10"],
        ),
        (
            {
                "frequency": "weekly",
                "interval": 2,
                "start_date": "2026-03-02",
                "end_date": "2026-04-13",
            },
            ["2026-03-02", "2026-03-16", "2026-03-30", "2026-04-13"],
        ),
        (
            {"frequency": "weekly", "start_date": "2026-03-02", "count": 3},
            ["2026-03-02", "2026-03-09", "2026-03-16"],
        ),
    ],
)
def test_upcoming_dates_follow_the_calendar_rule(
    admin: Api, changes: dict[str, Any], expected: list[str]
) -> None:
    schedule = create(admin, **changes)
    assert upcoming(admin, schedule, "limit=100")[:5] == expected
    assert schedule["next_date"] == expected[0]


def test_upcoming_leaves_out_the_dates_made(admin: Api) -> None:
    schedule = create(admin, start_date="2026-01-31")
    run(admin, schedule)
    assert upcoming(admin, schedule, "limit=3") == ["2026-03-31", "2026-04-30", "2026-05-31"]
    assert admin.get(url_of(schedule)).json["next_date"] == "2026-03-31"


@pytest.mark.parametrize("limit", ["0", "101", "-1", "ten", "1.5", ""])
def test_upcoming_limit_outside_1_to_100_is_422(admin: Api, limit: str) -> None:
    schedule = create(admin)
    assert_error(admin.get(f"{url_of(schedule)}upcoming/?limit={limit}"), 422, {"query": {"limit"}})


# -- run ----------------------------------------------------------------------------------------


def test_run_makes_every_occurrence_due_up_to_today(admin: Api, clock: FakeClock) -> None:
    schedule = create(admin, start_date="2026-01-31", description="Flat")
    result = run(admin, schedule)
    assert result["created"] == 2
    made = [record(admin, record_id) for record_id in result["records"]]
    assert [r["date"] for r in made] == ["2026-01-31", "2026-02-28"]
    for made_record in made:
        assert set(made_record) == RECORD_FIELDS
        assert {
            k: made_record[k] for k in RECORD_FIELDS - {"id", "date", "created_at", "updated_at"}
        } == {
            "amount": "1200.00",
            "type": "expense",
            "category": "Rent",
            "description": "Flat",
            "owner_id": admin.user["id"],
            "created_by": admin.user["id"],
            "version": 1,
            "recurring_id": schedule["id"],
        }
    assert admin.get(url_of(schedule)).json["next_date"] == "2026-03-31"
    assert run(admin, schedule) == {"created": 0, "records": []}
    clock.current = datetime(2026, 3, 31, 0, 1, tzinfo=UTC)
    again = run(admin, schedule)
    assert again["created"] == 1
    assert record(admin, again["records"][0])["date"] == "2026-03-31"
    assert admin.get("/api/records/?category=rent").json["count"] == 3


def test_run_until_a_past_day(admin: Api) -> None:
    schedule = create(admin, frequency="daily", start_date="2026-03-01")
    assert run(admin, schedule, "2026-02-28") == {"created": 0, "records": []}
    first = run(admin, schedule, "2026-03-03")
    assert [record(admin, i)["date"] for i in first["records"]] == [
        "2026-03-01",
        "2026-03-02",
        "2026-03-03",
    ]
    assert run(admin, schedule, "2026-03-02") == {"created": 0, "records": []}
    assert run(admin, schedule, "2026-03-15")["created"] == 12
    assert run(admin, schedule)["created"] == 0


@pytest.mark.parametrize("until", ["2026-03-16", "2027-01-01", "2026-02-30", "yesterday", ""])
def test_run_until_the_future_or_not_a_date_is_422(admin: Api, until: str) -> None:
    schedule = create(admin)
    response = admin.post(f"{url_of(schedule)}run/?until={until}")
    assert_error(response, 422, {"query": {"until"}})
    assert admin.get("/api/records/").json["count"] == 0
    assert admin.get(url_of(schedule)).json["next_date"] == "2026-01-31"


def test_run_defaults_to_today_on_the_system_clock(app: Flask, admin: Api) -> None:
    app.container.clock.reset_override()  # type: ignore[attr-defined]
    today = datetime.now(UTC).date()
    start = today - timedelta(days=3)
    schedule = create(admin, frequency="daily", start_date=start.isoformat())
    result = run(admin, schedule)
    if datetime.now(UTC).date() == today:
        assert result["created"] == 4
        tomorrow = (today + timedelta(days=1)).isoformat()
        assert_error(admin.post(f"{url_of(schedule)}run/?until={tomorrow}"), 422)
    assert result["created"] in {4, 5}


def test_the_records_made_are_ordinary_records(admin: Api, make_user: Factory) -> None:
    planner = make_user("admin")
    analyst = make_user("analyst")
    schedule = create(
        planner,
        type="income",
        category="Salary",
        amount="2500.00",
        start_date="2026-02-27",
        owner_id=analyst.user["id"],
    )
    by_hand = admin.post(
        "/api/records/",
        json={
            "amount": "10.00",
            "type": "expense",
            "category": "Food",
            "date": "2026-03-01",
            "owner_id": analyst.user["id"],
        },
    ).json
    assert by_hand["recurring_id"] is None
    result = run(admin, schedule)
    assert result["created"] == 1
    made_id = result["records"][0]
    made = record(admin, made_id)
    assert (made["recurring_id"], made["created_by"], made["owner_id"]) == (
        schedule["id"],
        planner.user["id"],
        analyst.user["id"],
    )
    assert analyst.get(f"/api/records/{made_id}/").json == made
    assert record(admin, by_hand["id"])["recurring_id"] is None
    listed = {r["id"]: r for r in analyst.get("/api/records/").json["results"]}
    assert listed[made_id]["recurring_id"] == schedule["id"]
    assert listed[by_hand["id"]]["recurring_id"] is None
    history = admin.get(f"/api/records/{made_id}/history/").json["results"]
    assert [(e["action"], e["actor_id"]) for e in history] == [("created", planner.user["id"])]
    assert analyst.get("/api/dashboard/summary/").json == {
        "total_income": "2500.00",
        "total_expense": "10.00",
        "net_balance": "2490.00",
        "record_count": 2,
    }
    exported = analyst.get("/api/records/export/")
    assert exported.status_code == 200
    rows = list(csv.DictReader(io.StringIO(exported.get_data(as_text=True), newline="")))
    assert {r["id"]: (r["date"], r["amount"], r["created_by"]) for r in rows} == {
        str(made_id): ("2026-02-27", "2500.00", str(planner.user["id"])),
        str(by_hand["id"]): ("2026-03-01", "10.00", str(admin.user["id"])),
    }
    assert admin.patch(f"/api/records/{made_id}/", json={"amount": "2600.00"}).status_code == 200
    assert admin.delete(f"/api/records/{made_id}/").status_code == 204
    assert run(admin, schedule)["created"] == 0


def test_editing_a_schedule_changes_only_occurrences_not_yet_made(
    admin: Api, clock: FakeClock
) -> None:
    schedule = create(admin, start_date="2026-01-31")
    earlier = run(admin, schedule)["records"]
    changed = admin.patch(url_of(schedule), json={"amount": "1300.00", "category": "Housing"})
    assert changed.status_code == 200, changed.json
    assert changed.json["next_date"] == "2026-03-31"
    assert upcoming(admin, schedule, "limit=2") == ["2026-03-31", "2026-04-30"]
    clock.current = datetime(2026, 4, 30, 9, 0, tzinfo=UTC)
    later = run(admin, schedule)["records"]

    def shown(record_ids: list[int]) -> list[tuple[str, str, str]]:
        made = [record(admin, i) for i in record_ids]
        return [(r["date"], r["amount"], r["category"]) for r in made]

    assert shown(earlier) == [("2026-01-31", "1200.00", "Rent"), ("2026-02-28", "1200.00", "Rent")]
    assert shown(later) == [
        ("2026-03-31", "1300.00", "Housing"),
        ("2026-04-30", "1300.00", "Housing"),
    ]


def test_a_count_ends_the_schedule(admin: Api, clock: FakeClock) -> None:
    schedule = create(admin, frequency="daily", start_date="2026-03-14", count=3)
    assert [record(admin, i)["date"] for i in run(admin, schedule)["records"]] == [
        "2026-03-14",
        "2026-03-15",
    ]
    assert admin.get(url_of(schedule)).json["next_date"] == "2026-03-16"
    assert upcoming(admin, schedule) == ["2026-03-16"]
    clock.current = datetime(2026, 3, 20, 8, 0, tzinfo=UTC)
    assert [record(admin, i)["date"] for i in run(admin, schedule)["records"]] == ["2026-03-16"]
    ended = admin.get(url_of(schedule)).json
    assert ended["next_date"] is None
    assert upcoming(admin, schedule) == []
    assert run(admin, schedule) == {"created": 0, "records": []}


def test_an_end_date_ends_the_schedule(admin: Api) -> None:
    schedule = create(admin, start_date="2026-01-10", end_date="2026-02-10")
    made = run(admin, schedule)["records"]
    assert [record(admin, i)["date"] for i in made] == ["2026-01-10", "2026-02-10"]
    assert admin.get(url_of(schedule)).json["next_date"] is None
    assert upcoming(admin, schedule) == []


# -- forecast -----------------------------------------------------------------------------------


@pytest.fixture
def analyst(make_user: Factory) -> Api:
    return make_user("analyst")


@pytest.fixture
def other(make_user: Factory) -> Api:
    return make_user("analyst")


def forecast(api: Api, query: str = "") -> list[dict[str, Any]]:
    response = api.get(FORECAST + (f"?{query}" if query else ""))
    assert response.status_code == 200, response.get_data(as_text=True)
    assert set(response.json) == {"results"}
    return response.json["results"]  # type: ignore[no-any-return]


def month(label: str, income: str, expense: str, net: str, budgeted: str) -> dict[str, str]:
    return {
        "month": label,
        "scheduled_income": income,
        "scheduled_expense": expense,
        "scheduled_net": net,
        "budgeted_expense": budgeted,
    }


@pytest.fixture
def planned(admin: Api, analyst: Api, other: Api) -> dict[str, Any]:
    """The analyst's schedules and budgets around March to June 2026, and another analyst's."""
    me, them = analyst.user["id"], other.user["id"]

    def schedule(owner: int = me, **changes: Any) -> dict[str, Any]:
        return create(admin, owner_id=owner, **changes)

    def budget(owner: int = me, **fields: Any) -> None:
        response = admin.post("/api/budgets/", json={"owner_id": owner, **fields})
        assert response.status_code == 201, response.json

    rows = {
        # Mar 31, Apr 30, May 31, Jun 30
        "salary": schedule(type="income", category="Salary", amount="2500.00"),
        # Mar 1 and Apr 1, then it has ended
        "rent": schedule(amount="800.00", start_date="2026-03-01", count=2),
        # Mondays: five in March, four in April, four in May
        "coffee": schedule(
            amount="10.00", category="Coffee", frequency="weekly", start_date="2026-03-02"
        ),
        # every April 15th
        "insurance": schedule(
            amount="120.00", category="Insurance", frequency="yearly", start_date="2025-04-15"
        ),
        # June 1st: past the default three months
        "bonus": schedule(
            type="income",
            amount="1000.00",
            category="Bonus",
            frequency="yearly",
            start_date="2026-06-01",
        ),
        # its last date is March 5th
        "phone": schedule(
            amount="50.00", category="Phone", start_date="2025-01-05", end_date="2026-03-05"
        ),
        "stopped": schedule(amount="999.00", category="Gym", start_date="2026-01-01"),
        "theirs": schedule(
            owner=them, type="income", amount="300.00", category="Tips", start_date="2026-03-20"
        ),
    }
    assert admin.delete(url_of(rows["stopped"])).status_code == 204
    budget(category="Food", amount="100.00", start_month="2026-01")
    budget(category="Gym", amount="20.00", start_month="2026-04", end_month="2026-04")
    budget(category="Old", amount="30.00", start_month="2025-01", end_month="2026-02")
    budget(category="Fun", amount="10.00", start_month="2026-05")
    budget(owner=them, category="Food", amount="200.00", start_month="2026-03")
    return {**rows, "me": me, "them": them}


ANALYST_FORECAST = [
    month("2026-03", "2500.00", "900.00", "1600.00", "100.00"),
    month("2026-04", "2500.00", "960.00", "1540.00", "120.00"),
    month("2026-05", "2500.00", "40.00", "2460.00", "110.00"),
]


def test_forecast_worked_out_by_hand(analyst: Api, planned: dict[str, Any]) -> None:
    assert forecast(analyst) == ANALYST_FORECAST
    assert forecast(analyst, "months=3") == ANALYST_FORECAST
    assert forecast(analyst, "months=4") == [
        *ANALYST_FORECAST,
        month("2026-06", "3500.00", "50.00", "3450.00", "110.00"),
    ]
    assert forecast(analyst, "months=1") == ANALYST_FORECAST[:1]


def test_forecast_admins_see_every_owner_or_one(
    admin: Api, analyst: Api, other: Api, planned: dict[str, Any]
) -> None:
    assert forecast(admin) == [
        month("2026-03", "2800.00", "900.00", "1900.00", "300.00"),
        month("2026-04", "2800.00", "960.00", "1840.00", "320.00"),
        month("2026-05", "2800.00", "40.00", "2760.00", "310.00"),
    ]
    assert forecast(admin, f"owner_id={planned['me']}") == ANALYST_FORECAST
    theirs = [month(m, "300.00", "0.00", "300.00", "200.00") for m in ("2026-03", "2026-04")]
    assert forecast(admin, f"owner_id={planned['them']}&months=2") == theirs
    assert forecast(other, "months=2") == theirs


def test_forecast_roles(analyst: Api, make_user: Factory, planned: dict[str, Any]) -> None:
    assert forecast(analyst, f"owner_id={planned['me']}") == ANALYST_FORECAST
    assert_error(analyst.get(f"{FORECAST}?owner_id={planned['them']}"), 403)
    viewer = make_user("viewer")
    assert_error(viewer.get(FORECAST), 403)
    assert_error(viewer.get(f"{FORECAST}?owner_id={viewer.user['id']}"), 403)


def test_forecast_counts_the_months_occurrences_made_or_not(
    admin: Api, analyst: Api, planned: dict[str, Any]
) -> None:
    assert run(admin, planned["coffee"])["created"] == 2
    assert run(admin, planned["rent"])["created"] == 1
    assert forecast(analyst) == ANALYST_FORECAST


def test_forecast_follows_schedule_changes(
    admin: Api, analyst: Api, planned: dict[str, Any]
) -> None:
    assert admin.delete(url_of(planned["coffee"])).status_code == 204
    patched = admin.patch(url_of(planned["salary"]), json={"amount": "2600.00"})
    assert patched.status_code == 200
    assert forecast(analyst) == [
        month("2026-03", "2600.00", "850.00", "1750.00", "100.00"),
        month("2026-04", "2600.00", "920.00", "1680.00", "120.00"),
        month("2026-05", "2600.00", "0.00", "2600.00", "110.00"),
    ]


def test_forecast_spans_years(analyst: Api, clock: FakeClock) -> None:
    clock.current = datetime(2026, 11, 30, 23, 59, tzinfo=UTC)
    assert [m["month"] for m in forecast(analyst)] == ["2026-11", "2026-12", "2027-01"]
    months = forecast(analyst, "months=24")
    assert len(months) == 24
    assert (months[0]["month"], months[-1]["month"]) == ("2026-11", "2028-10")
    assert all(m == month(m["month"], "0.00", "0.00", "0.00", "0.00") for m in months), months


def test_forecast_starts_with_the_real_current_month_on_the_system_clock(
    app: Flask, analyst: Api
) -> None:
    app.container.clock.reset_override()  # type: ignore[attr-defined]
    before = datetime.now(UTC).date().replace(day=1)
    first = forecast(analyst, "months=1")[0]["month"]
    after = datetime.now(UTC).date().replace(day=1)
    assert first in {f"{before:%Y-%m}", f"{after:%Y-%m}"}


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("months=0", "months"),
        ("months=25", "months"),
        ("months=-1", "months"),
        ("months=three", "months"),
        ("months=", "months"),
        ("owner_id=0", "owner_id"),
        ("owner_id=abc", "owner_id"),
    ],
)
def test_invalid_forecast_queries_are_422(admin: Api, query: str, field: str) -> None:
    assert_error(admin.get(f"{FORECAST}?{query}"), 422, {"query": {field}})
