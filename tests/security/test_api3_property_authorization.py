"""API3:2023 Broken Object Property Level Authorization.

No mass assignment: a property a client may not set (``id``, ``created_by``, ``version``,
``is_superuser``, ``password_hash``, ``role`` where the body has none…) sent in any write body is
a 422 naming it, and nothing changes. A non-admin can set neither their own role nor a record's
owner. No answer ever exposes a password or its hash, and the spec describes none."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from tests.conftest import PASSWORD
from tests.security.conftest import RECORD, Caller, World, assert_safe_error, record_body
from tests.security.operations import OPERATIONS, Targets, make_targets, send, state

Body = Callable[[Targets], dict[str, Any]]


def _new_user(t: Targets) -> dict[str, Any]:
    return {"email": f"new-{t.user_id}@example.com", "name": "New", "password": PASSWORD}


#: Each write body as an allowed caller (an admin) would send it, and what it must not carry.
WRITES: dict[str, tuple[str, str, Body, list[str]]] = {
    "create record": (
        "POST",
        "/api/records/",
        lambda t: dict(RECORD),
        [
            "id",
            "created_by",
            "created_at",
            "updated_at",
            "version",
            "is_deleted",
            "deleted_at",
            "recurring_id",
        ],
    ),
    "replace record": (
        "PUT",
        "/api/records/{record_id}/",
        lambda t: record_body(category="Replaced"),
        ["id", "created_by", "created_at", "updated_at", "version", "is_deleted", "deleted_at"],
    ),
    "update record": (
        "PATCH",
        "/api/records/{record_id}/",
        lambda t: {"category": "Patched"},
        ["id", "created_by", "created_at", "updated_at", "version", "is_deleted", "deleted_at"],
    ),
    "create user": (
        "POST",
        "/api/users/",
        lambda t: {**_new_user(t), "role": "viewer"},
        ["id", "is_superuser", "is_staff", "password_hash", "date_joined", "token_version"],
    ),
    "update user": (
        "PATCH",
        "/api/users/{user_id}/",
        lambda t: {"name": "Renamed"},
        ["id", "email", "is_superuser", "password_hash", "date_joined", "token_version"],
    ),
    "login": (
        "POST",
        "/api/auth/login/",
        lambda t: {"email": t.email, "password": t.password},
        ["role", "is_superuser", "id", "expires_in"],
    ),
    "refresh": (
        "POST",
        "/api/auth/refresh/",
        lambda t: {"refresh": t.refresh},
        ["role", "sub", "expires_in"],
    ),
    "logout": (
        "POST",
        "/api/auth/logout/",
        lambda t: {"refresh": t.refresh},
        ["role", "access"],
    ),
    "change password": (
        "POST",
        "/api/auth/password/",
        lambda t: {"current_password": t.password, "new_password": "a-brand-new-secret"},
        ["role", "email", "is_superuser", "password_hash", "is_active"],
    ),
}
VALUES: dict[str, Any] = {
    "id": 1,
    "created_by": 1,
    "version": 99,
    "is_deleted": True,
    "is_superuser": True,
    "is_staff": True,
    "is_active": True,
    "role": "admin",
    "token_version": 0,
    "sub": "1",
    "recurring_id": 1,
    "expires_in": 10**9,
    "email": "taken-over@example.com",
    "password_hash": "$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
    "created_at": "2020-01-01T00:00:00Z",
    "updated_at": "2020-01-01T00:00:00Z",
    "deleted_at": "2020-01-01T00:00:00Z",
    "date_joined": "2020-01-01T00:00:00Z",
    "access": "x",
}
CASES = [(name, extra) for name, (*_, extras) in WRITES.items() for extra in extras]


def _write(caller: Caller, name: str, targets: Targets, **extra: Any) -> Any:
    method, url, body, _ = WRITES[name]
    return caller.open(method, url.format(**vars(targets)), json={**body(targets), **extra})


def _everything(world: World, caller: Caller, targets: Targets) -> dict[str, Any]:
    """The state a refused body must leave as it was, the caller's own account included."""
    return {**state(world, targets), "me": caller.get("/api/auth/me/").json}


@pytest.mark.parametrize("name", WRITES)
def test_each_write_body_is_accepted_without_the_extra_property(world: World, name: str) -> None:
    """The bodies below are valid as they are, so each 422 there is for the property added."""
    caller = world.caller("admin")
    response = _write(caller, name, make_targets(world, caller))
    assert 200 <= response.status_code < 300, response.get_data(as_text=True)


@pytest.mark.parametrize(("name", "extra"), CASES, ids=[f"{n}-{e}" for n, e in CASES])
def test_a_property_the_client_may_not_set_is_422_and_changes_nothing(
    world: World, name: str, extra: str
) -> None:
    caller = world.caller("admin")
    targets = make_targets(world, caller)
    before = _everything(world, caller, targets)
    response = _write(caller, name, targets, **{extra: VALUES[extra]})
    assert_safe_error(response, 422, {"json": {extra}})
    assert _everything(world, caller, targets) == before
    # Nor was the refresh token spent, revoked or replaced by a new password.
    refreshed = caller.client.post("/api/auth/refresh/", json={"refresh": targets.refresh})
    assert refreshed.status_code == 200


@pytest.mark.parametrize("role", ["viewer", "analyst"])
def test_a_non_admin_cannot_raise_their_own_role(world: World, role: str) -> None:
    caller = world.caller(role)
    for change in ({"role": "admin"}, {"role": "admin", "name": "Me"}, {"is_active": True}):
        assert_safe_error(caller.patch(f"/api/users/{caller.id}/", json=change), 403)
    body = {"current_password": PASSWORD, "new_password": "a-brand-new-secret", "role": "admin"}
    assert_safe_error(caller.post("/api/auth/password/", json=body), 422, {"json": {"role"}})
    me = caller.get("/api/auth/me/")
    assert me.status_code == 200
    assert me.json == caller.user


@pytest.mark.parametrize("role", ["viewer", "analyst"])
def test_a_non_admin_cannot_give_a_record_an_owner(world: World, role: str) -> None:
    """Not even themselves: writing records is for admins (403), whatever ``owner_id`` says."""
    caller = world.caller(role)
    own = world.record(caller.id)
    others = world.record(world.root.id)
    before = world.counts()
    assert_safe_error(caller.post("/api/records/", json=record_body(owner_id=caller.id)), 403)
    assert_safe_error(caller.patch(f"/api/records/{own['id']}/", json={"owner_id": caller.id}), 403)
    assert_safe_error(caller.put(f"/api/records/{own['id']}/", json=record_body()), 403)
    assert world.counts() == before
    assert world.root.get(f"/api/records/{own['id']}/").json == own
    assert world.root.get(f"/api/records/{others['id']}/").json == others


SECRET_KEY = re.compile(r"pass(word)?|hash|secret|salt", re.IGNORECASE)


def _secret_keys(value: Any, path: str = "") -> list[str]:
    if isinstance(value, dict):
        found = [f"{path}.{k}" for k in value if SECRET_KEY.search(str(k))]
        return found + [f for k, v in value.items() for f in _secret_keys(v, f"{path}.{k}")]
    if isinstance(value, list):
        return [f for item in value for f in _secret_keys(item, path)]
    return []


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda o: o.id)
def test_no_answer_exposes_a_password_or_its_hash(world: World, operation: Any) -> None:
    caller = world.caller("admin")
    targets = make_targets(world, caller)
    response = send(caller, operation, targets)
    assert response.status_code < 400, response.get_data(as_text=True)[:300]
    text = response.get_data(as_text=True)
    assert "$argon2" not in text
    assert PASSWORD not in text
    if response.is_json and response.data and operation.url != "/api/openapi.json":
        assert _secret_keys(response.json) == []


def test_no_response_schema_in_the_spec_has_a_password_or_hash(world: World) -> None:
    document = world.root.get("/api/openapi.json").json
    schemas = document["components"]["schemas"]
    answered: set[str] = set()
    pending = [
        ref
        for item in document["paths"].values()
        for operation in item.values()
        if isinstance(operation, dict)
        for response in operation.get("responses", {}).values()
        for ref in re.findall(r"#/components/schemas/(\w+)", str(response))
    ]
    while pending:
        name = pending.pop()
        if name not in answered:
            answered.add(name)
            pending += re.findall(r"#/components/schemas/(\w+)", str(schemas[name]))
    assert answered, "no response schema found"
    assert {
        name: _secret_keys(schemas[name]) for name in answered if _secret_keys(schemas[name])
    } == {}


@pytest.mark.parametrize(
    ("url", "body"),
    [
        (
            "/api/users/",
            {"email": "x@example.com", "name": "X", "password": "918273645", "role": "viewer"},
        ),
        ("/api/auth/login/", {"email": "nobody@example.com", "password": "918273645"}),
        ("/api/auth/password/", {"current_password": "918273645", "new_password": "918273645"}),
    ],
)
def test_a_refused_password_is_never_echoed(world: World, url: str, body: dict[str, Any]) -> None:
    caller = world.caller("admin")
    response = caller.post(url, json=body)
    assert response.status_code in (401, 422), response.json
    assert "918273645" not in response.get_data(as_text=True)
