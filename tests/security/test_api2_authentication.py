"""API2:2023 Broken Authentication.

Every way a bearer token can be refused (none, wrong scheme, bad signature, alg none, expired,
a refresh token, revoked by logout, issued before a password change, a role change or a
deactivation, sent in the URL or a cookie) is a 401 on every kind of route; the same holds for
refresh tokens at ``/api/auth/refresh/``. Login is throttled per email (5 failures in 15 minutes,
then 429 with Retry-After), also under concurrent attempts and across app instances, and the
answers that carry tokens are never cached."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import jwt
import pytest
from dependency_injector import providers
from flask import Flask

from tests.conftest import ADMIN_EMAIL, PASSWORD, Store
from tests.security.conftest import (
    EXPORT,
    Caller,
    FakeClock,
    World,
    assert_safe_error,
    at_once,
    serve,
    sign_in,
)

LOGIN = "/api/auth/login/"
REFRESH = "/api/auth/refresh/"
OTHER_KEY = "another-secret-key-that-is-long-enough-for-hs256"


def claims(token: str) -> dict[str, Any]:
    return jwt.decode(token, options={"verify_signature": False})


def sign(world: World, payload: dict[str, Any], key: str | None = None) -> str:
    return jwt.encode(payload, key or world.app.config["JWT_SECRET_KEY"], algorithm="HS256")


def b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def unsigned(token: str) -> str:
    return f"{b64({'alg': 'none', 'typ': 'JWT'})}.{b64(claims(token))}."


def expired(world: World, token: str) -> str:
    now = int(time.time())
    return sign(world, {**claims(token), "iat": now - 3600, "nbf": now - 3600, "exp": now - 60})


def tampered(world: World, token: str) -> str:
    header, _, signature = token.split(".")
    raised = {**claims(token), "sub": str(world.root.id), "role": "admin"}
    return f"{header}.{b64(raised)}.{signature}"


#: Tokens an attacker can make from one they hold.
FORGERIES: dict[str, Callable[[World, str], str]] = {
    "signed with another key": lambda world, token: sign(world, claims(token), OTHER_KEY),
    "payload tampered": tampered,
    "alg none": lambda world, token: unsigned(token),
    "expired": expired,
}


def _logout(world: World, victim: Caller) -> None:
    response = victim.post("/api/auth/logout/", json={"refresh": victim.refresh_token})
    assert response.status_code == 204


def _change_password(world: World, victim: Caller) -> None:
    body = {"current_password": victim.password, "new_password": "a-brand-new-secret"}
    assert victim.post("/api/auth/password/", json=body).status_code == 204


def _admin_patch(victim: Caller, world: World, **change: Any) -> None:
    response = world.root.patch(f"/api/users/{victim.id}/", json=change)
    assert response.status_code == 200, response.json


def _deactivate(world: World, victim: Caller) -> None:
    assert world.root.delete(f"/api/users/{victim.id}/").status_code == 204


def _deactivate_and_reactivate(world: World, victim: Caller) -> None:
    _deactivate(world, victim)
    _admin_patch(victim, world, is_active=True)


#: What ends every token issued to the victim before it.
SESSION_ENDINGS: dict[str, Callable[[World, Caller], None]] = {
    "logout": _logout,
    "password change": _change_password,
    "password reset by an admin": lambda w, v: _admin_patch(v, w, password="reset-by-an-admin"),
    "role change": lambda w, v: _admin_patch(
        v, w, role="viewer" if v.role != "viewer" else "analyst"
    ),
    "deactivation": _deactivate,
    "deactivation and reactivation": _deactivate_and_reactivate,
}
BEARER_ROUTES = [
    "/api/auth/me/",
    "/api/users/",
    "/api/records/",
    EXPORT,
    "/api/dashboard/summary/",
]


def _bearer_get(victim: Caller, route: str, token: str | None) -> Any:
    response = victim.client.get(route, headers={"Authorization": f"Bearer {token}"})
    assert_safe_error(response, 401)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    return response


@pytest.mark.parametrize("route", BEARER_ROUTES)
@pytest.mark.parametrize("forge", FORGERIES.values(), ids=FORGERIES.keys())
def test_a_forged_access_token_is_401(
    world: World, route: str, forge: Callable[[World, str], str]
) -> None:
    victim = world.caller("admin")
    assert victim.get(route).status_code == 200
    _bearer_get(victim, route, forge(world, victim.token or ""))


@pytest.mark.parametrize("route", BEARER_ROUTES)
def test_a_refresh_token_is_not_an_access_token(world: World, route: str) -> None:
    victim = world.caller("admin")
    _bearer_get(victim, route, victim.refresh_token)


@pytest.mark.parametrize("route", BEARER_ROUTES)
@pytest.mark.parametrize("end", SESSION_ENDINGS.values(), ids=SESSION_ENDINGS.keys())
def test_an_access_token_issued_before_its_session_ended_is_401(
    world: World, route: str, end: Callable[[World, Caller], None]
) -> None:
    victim = world.caller("admin")
    assert victim.get(route).status_code == 200
    end(world, victim)
    _bearer_get(victim, route, victim.token)


@pytest.mark.parametrize("route", BEARER_ROUTES)
@pytest.mark.parametrize("how", ["no header", "basic scheme", "query string", "cookie", "form"])
def test_a_token_anywhere_but_the_bearer_header_is_401(world: World, route: str, how: str) -> None:
    victim = world.caller("admin")
    token = victim.token or ""
    client = victim.client
    kw: dict[str, Any] = {}
    if how == "basic scheme":
        kw["headers"] = {"Authorization": f"Basic {token}"}
    elif how == "query string":
        kw["query_string"] = {"access_token": token, "jwt": token, "token": token}
    elif how == "cookie":
        client.set_cookie("access_token_cookie", token)
        client.set_cookie("Authorization", f"Bearer {token}")
    elif how == "form":
        kw["data"] = {"access_token": token}
    assert_safe_error(client.get(route, **kw), 401)


def _refresh_with(victim: Caller, token: str | None) -> None:
    response = victim.client.post(REFRESH, json={"refresh": token})
    body = assert_safe_error(response, 401)
    assert "access" not in body and "refresh" not in body


@pytest.mark.parametrize("forge", FORGERIES.values(), ids=FORGERIES.keys())
def test_a_forged_refresh_token_is_401(world: World, forge: Callable[[World, str], str]) -> None:
    victim = world.caller("viewer")
    _refresh_with(victim, forge(world, victim.refresh_token or ""))


def test_an_access_token_is_not_a_refresh_token(world: World) -> None:
    victim = world.caller("viewer")
    _refresh_with(victim, victim.token)


def test_a_used_refresh_token_is_spent(world: World) -> None:
    victim = world.caller("viewer")
    assert victim.client.post(REFRESH, json={"refresh": victim.refresh_token}).status_code == 200
    _refresh_with(victim, victim.refresh_token)


@pytest.mark.parametrize("role", ["viewer", "admin"])
@pytest.mark.parametrize("end", SESSION_ENDINGS.values(), ids=SESSION_ENDINGS.keys())
def test_a_refresh_token_issued_before_its_session_ended_is_401(
    world: World, role: str, end: Callable[[World, Caller], None]
) -> None:
    victim = world.caller(role)
    end(world, victim)
    _refresh_with(victim, victim.refresh_token)


def test_answers_that_carry_tokens_are_never_cached(world: World) -> None:
    caller = world.caller("viewer")
    signed_in: Any = caller.client.post(LOGIN, json={"email": caller.email, "password": PASSWORD})
    refreshed = caller.client.post(REFRESH, json={"refresh": signed_in.json["refresh"]})
    for response in (signed_in, refreshed):
        assert response.status_code == 200
        directives = {d.strip() for d in response.headers.get("Cache-Control", "").split(",")}
        assert "no-store" in directives, response.headers


# -- login throttle -------------------------------------------------------------------------


def _attempt(client: Any, email: str, password: str) -> Any:
    return client.post(LOGIN, json={"email": email, "password": password})


def _retry_after(response: Any) -> int:
    assert_safe_error(response, 429)
    seconds = int(response.headers["Retry-After"])
    assert 1 <= seconds <= 15 * 60
    return seconds


def test_five_failures_in_any_spelling_of_the_email_lock_it_even_for_the_right_password(
    world: World,
) -> None:
    victim = world.caller("viewer")
    bystander = world.caller("viewer")
    email = victim.email
    client = world.app.test_client()
    for spelling in (email, email.upper(), f"  {email} ", email.title(), email):
        assert_safe_error(_attempt(client, spelling, "wrong-password"), 401)
    for spelling in (email, email.upper()):
        for password in ("wrong-password", PASSWORD):
            _retry_after(_attempt(client, spelling, password))
    assert victim.get("/api/auth/me/").status_code == 200
    other = _attempt(client, bystander.email, PASSWORD)
    assert other.status_code == 200


def test_retry_after_says_when_the_email_may_sign_in_again(any_store: Store) -> None:
    """A client that waits as long as Retry-After says is let in, and not a second earlier."""
    app = serve(any_store)
    clock = FakeClock(datetime(2026, 3, 1, 9, 30, tzinfo=UTC))
    app.container.clock.override(providers.Object(clock))  # type: ignore[attr-defined]
    client = app.test_client()
    for _ in range(5):
        assert_safe_error(_attempt(client, ADMIN_EMAIL, "wrong-password"), 401)
        clock.advance(seconds=10)
    clock.advance(minutes=10)
    wait = _retry_after(_attempt(client, ADMIN_EMAIL, PASSWORD))
    clock.advance(seconds=wait - 1)
    _retry_after(_attempt(client, ADMIN_EMAIL, PASSWORD))
    clock.advance(seconds=1)
    assert _attempt(client, ADMIN_EMAIL, PASSWORD).status_code == 200


THREADS = 16


def test_concurrent_wrong_passwords_are_checked_at_most_five_times(any_store: Store) -> None:
    """The contract: never more than 5 password checks answered 401, however the attempts
    interleave; every other attempt is a 429."""
    app = serve(any_store)
    answers = at_once(app, THREADS, lambda client: _attempt(client, ADMIN_EMAIL, "wrong-password"))
    statuses = sorted(a.status_code for a in answers)
    assert set(statuses) <= {401, 429}, statuses
    assert statuses.count(401) <= 5, statuses
    _retry_after(_attempt(app.test_client(), ADMIN_EMAIL, PASSWORD))


def _second_instance(store: Store) -> Flask:
    """Another app over the same database, as another gunicorn worker or host would be."""
    return serve(store)


def test_the_throttle_holds_across_instances(sql_store: Store) -> None:
    first = serve(sql_store)
    second = _second_instance(sql_store)
    one, two = first.test_client(), second.test_client()
    for _ in range(5):
        assert_safe_error(_attempt(one, ADMIN_EMAIL, "wrong-password"), 401)
    _retry_after(_attempt(two, ADMIN_EMAIL, PASSWORD))


def test_logout_and_spent_refresh_tokens_hold_across_instances(sql_store: Store) -> None:
    first = serve(sql_store)
    second = _second_instance(sql_store)
    caller = sign_in(first.test_client(), ADMIN_EMAIL)
    other_client = second.test_client()
    bearer = {"Authorization": f"Bearer {caller.token}"}
    assert other_client.get("/api/auth/me/", headers=bearer).status_code == 200
    assert caller.client.post(REFRESH, json={"refresh": caller.refresh_token}).status_code == 200
    assert_safe_error(other_client.post(REFRESH, json={"refresh": caller.refresh_token}), 401)
    assert caller.post("/api/auth/logout/").status_code == 204
    assert_safe_error(other_client.get("/api/auth/me/", headers=bearer), 401)
