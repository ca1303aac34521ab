"""API6:2023 Unrestricted Access to Sensitive Business Flows.

Money must not be booked twice by a retried request: an ``Idempotency-Key`` repeated with the
same body within 24 hours answers the first response and creates nothing; with another body it
is a 409 and creates nothing. An admin team must not lock itself out: however the demotions and
deactivations interleave, one active admin always remains."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from dependency_injector import providers

from tests.conftest import ADMIN_EMAIL, PASSWORD, Store
from tests.security.conftest import (
    FakeClock,
    assert_safe_error,
    at_once,
    record_body,
    serve,
    sign_in,
)

KEY = {"Idempotency-Key": "rent-2026-03"}


def _count(caller: Any) -> int:
    return int(caller.get("/api/records/", query_string={"page_size": 1}).json["count"])


def test_a_replayed_key_answers_the_first_response_and_creates_nothing(any_store: Store) -> None:
    admin = sign_in(serve(any_store).test_client(), ADMIN_EMAIL)
    first = admin.post("/api/records/", json=record_body(), headers=KEY)
    again = admin.post("/api/records/", json=record_body(), headers=KEY)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json == first.json
    assert again.headers["Location"] == first.headers["Location"]
    assert again.headers["ETag"] == first.headers["ETag"]
    assert _count(admin) == 1


@pytest.mark.parametrize(
    "changes",
    [
        {"amount": "12.51"},
        {"type": "income"},
        {"category": "Other"},
        {"date": "2026-01-16"},
        {"description": "something else"},
        {"owner_id": "other"},
    ],
    ids=lambda c: next(iter(c)),
)
def test_a_key_reused_with_another_body_is_409_and_creates_nothing(
    any_store: Store, changes: dict[str, Any]
) -> None:
    app = serve(any_store)
    admin = sign_in(app.test_client(), ADMIN_EMAIL)
    if changes.get("owner_id") == "other":
        other = admin.post(
            "/api/users/",
            json={"email": "o@example.com", "name": "O", "password": PASSWORD, "role": "viewer"},
        )
        changes = {"owner_id": other.json["id"]}
    first = admin.post("/api/records/", json=record_body(), headers=KEY)
    assert first.status_code == 201
    assert_safe_error(admin.post("/api/records/", json=record_body(**changes), headers=KEY), 409)
    assert _count(admin) == 1
    assert admin.get(first.headers["Location"]).json == first.json


def test_a_key_is_forgotten_after_24_hours(any_store: Store) -> None:
    app = serve(any_store)
    clock = FakeClock(datetime(2026, 3, 1, 9, 0, tzinfo=UTC))
    app.container.clock.override(providers.Object(clock))  # type: ignore[attr-defined]
    admin = sign_in(app.test_client(), ADMIN_EMAIL)
    first = admin.post("/api/records/", json=record_body(), headers=KEY)
    clock.advance(hours=23, minutes=59)
    assert admin.post("/api/records/", json=record_body(), headers=KEY).json == first.json
    clock.advance(minutes=2)
    later = admin.post("/api/records/", json=record_body(), headers=KEY)
    assert later.status_code == 201
    assert later.json["id"] != first.json["id"]
    assert _count(admin) == 2


ADMINS = 4


@pytest.mark.parametrize("change", ["demote", "deactivate"])
def test_concurrent_admins_removing_each_other_leave_one_active_admin(
    sql_store: Store, change: str
) -> None:
    """Each admin removes the next one at the same moment (a ring): at most all but one of
    these may succeed, whatever the interleaving."""
    app = serve(sql_store)
    root = sign_in(app.test_client(), ADMIN_EMAIL)
    emails = [ADMIN_EMAIL]
    for number in range(1, ADMINS):
        email = f"admin{number}@example.com"
        body = {"email": email, "name": "Admin", "password": PASSWORD, "role": "admin"}
        assert root.post("/api/users/", json=body).status_code == 201
        emails.append(email)
    admins = [sign_in(app.test_client(), email) for email in emails]
    jobs = iter(range(ADMINS))

    def remove_next(client: Any) -> Any:
        index = next(jobs)
        actor, target = admins[index], admins[(index + 1) % ADMINS]
        headers = {"Authorization": f"Bearer {actor.token}"}
        url = f"/api/users/{target.id}/"
        if change == "demote":
            return client.patch(url, json={"role": "viewer"}, headers=headers)
        return client.delete(url, headers=headers)

    answers = at_once(app, ADMINS, remove_next)
    assert {a.status_code for a in answers} <= {200, 204, 401, 409}, [a.json for a in answers]
    client = app.test_client()
    still_admins = []
    for email in emails:
        response: Any = client.post("/api/auth/login/", json={"email": email, "password": PASSWORD})
        if response.status_code == 200:
            me: Any = client.get(
                "/api/auth/me/", headers={"Authorization": f"Bearer {response.json['access']}"}
            ).json
            if me["role"] == "admin" and me["is_active"]:
                still_admins.append(email)
    assert still_admins, [a.get_data(as_text=True) for a in answers]
