"""Conventions every route keeps: one JSON error shape (never HTML, never a stack trace),
request ids, trailing slashes and the body size limit."""

from __future__ import annotations

import re

import pytest
from dependency_injector import providers
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import ADMIN_EMAIL, PASSWORD, Api, Store, build_test_app, ensure_admin
from tests.http.assertions import assert_error


@pytest.mark.parametrize("path", ["/nope", "/api/", "/api/nothing/here/", "/api/users/1/x/"])
def test_unknown_paths_are_json_404(client: FlaskClient, path: str) -> None:
    assert_error(client.get(path), 404)


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("PUT", "/api/auth/login/", {"POST"}),
        ("GET", "/api/auth/login/", {"POST"}),
        ("DELETE", "/api/auth/me/", {"GET"}),
        ("PUT", "/api/users/1/", {"GET", "PATCH", "DELETE"}),
        ("POST", "/api/health/", {"GET"}),
    ],
)
def test_wrong_methods_are_json_405_with_allow(
    client: FlaskClient, method: str, path: str, allowed: set[str]
) -> None:
    response = client.open(path, method=method, json={})
    assert_error(response, 405)
    assert allowed <= {m.strip() for m in response.headers["Allow"].split(",")}


def test_bodies_over_the_limit_are_json_413(sqlite_store: Store) -> None:
    app = build_test_app(sqlite_store, max_import_mb=1)
    ensure_admin(app)
    client = app.test_client()
    tokens = client.post("/api/auth/login/", json={"email": ADMIN_EMAIL, "password": PASSWORD}).json
    big = '{"email": "' + "a" * (1024 * 1024) + '"}'
    assert_error(client.post("/api/auth/login/", data=big, content_type="application/json"), 413)
    response = client.post(
        "/api/users/",
        data=big,
        content_type="application/json",
        headers={"Authorization": f"Bearer {tokens['access']}"},
    )
    assert_error(response, 413)
    # Just under the limit is read and judged on its content.
    small = '{"email": "' + "a" * 1000 + '"}'
    assert_error(client.post("/api/auth/login/", data=small, content_type="application/json"), 422)


def test_unexpected_failures_are_json_500_without_details(sqlite_store: Store) -> None:
    app = build_test_app(sqlite_store)
    app.config.update(TESTING=False, PROPAGATE_EXCEPTIONS=False)

    class Broken:
        def execute(self) -> None:
            raise RuntimeError("SELECT password_hash FROM users -- secret detail")

    app.container.check_health.override(providers.Object(Broken()))  # type: ignore[attr-defined]
    response = app.test_client().get("/api/health/", headers={"X-Request-ID": "boom-1"})
    body = assert_error(response, 500)
    text = response.get_data(as_text=True)
    assert "password_hash" not in text and "RuntimeError" not in text
    assert body["message"] == "Internal server error."
    assert response.headers["X-Request-ID"] == "boom-1"


REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{8,200}$")


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/", 200),
        ("GET", "/api/auth/me/", 200),
        ("GET", "/api/users/", 200),
        ("GET", "/api/users/999/", 404),
        ("GET", "/nope", 404),
        ("POST", "/api/users/", 422),
        ("DELETE", "/", 405),
    ],
)
def test_request_id_is_echoed_or_generated(admin: Api, method: str, path: str, status: int) -> None:
    sent = admin.client.open(
        path, method=method, headers=admin._headers({"X-Request-ID": "client-id-42"}), json={}
    )
    assert sent.status_code == status
    assert sent.headers["X-Request-ID"] == "client-id-42"
    first = admin.client.open(path, method=method, headers=admin._headers(None), json={})
    second = admin.client.open(path, method=method, headers=admin._headers(None), json={})
    assert REQUEST_ID.match(first.headers["X-Request-ID"])
    assert first.headers["X-Request-ID"] != second.headers["X-Request-ID"]


def test_request_id_on_401(client: FlaskClient) -> None:
    response = client.get("/api/auth/me/", headers={"X-Request-ID": "abc-123"})
    assert response.status_code == 401
    assert response.headers["X-Request-ID"] == "abc-123"


@pytest.mark.parametrize("sent", ["has spaces", "x" * 201, "<script>", "a\tb"])
def test_unsafe_request_ids_are_replaced(client: FlaskClient, sent: str) -> None:
    got = client.get("/", headers={"X-Request-ID": sent}).headers["X-Request-ID"]
    assert got != sent
    assert REQUEST_ID.match(got)


def test_paths_without_the_trailing_slash_are_served_the_same(admin: Api) -> None:
    response = admin.get("/api/users")
    assert response.status_code == 200
    assert response.json["count"] == 1
    login = admin.client.post(
        "/api/auth/login",
        json={"email": ADMIN_EMAIL, "password": PASSWORD},
    )
    assert login.status_code == 200
    assert "access" in login.json


def test_unauthenticated_answers_carry_www_authenticate(client: FlaskClient) -> None:
    response = client.post("/api/auth/login/", json={"email": ADMIN_EMAIL, "password": "nope"})
    assert_error(response, 401)
    assert response.headers["WWW-Authenticate"] == "Bearer"


def test_no_error_is_html(app: Flask, admin: Api) -> None:
    """Every route, with every method and an empty body, answers JSON and never a 5xx."""
    for rule in app.url_map.iter_rules():
        if rule.endpoint in ("static",) or "<path:" in rule.rule:
            continue
        url = re.sub(r"<[^>]+>", "1", rule.rule)
        for method in ("GET", "POST", "PUT", "PATCH", "DELETE"):
            for headers in (admin._headers(None), {}):
                response = admin.client.open(url, method=method, headers=headers, data="{")
                assert response.status_code < 500, (method, url)
                if response.status_code >= 400:
                    assert_error(response, response.status_code)
