"""/api/auth/: login, refresh, logout, me and password, as a client sees them."""

from __future__ import annotations

from typing import Any

import jwt
import pytest
from flask.testing import FlaskClient

from tests.conftest import ADMIN_EMAIL, PASSWORD, Api, Factory, login
from tests.http.assertions import assert_error, assert_user


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def me(client: FlaskClient, token: str) -> Any:
    return client.get("/api/auth/me/", headers=bearer(token))


def refresh(client: FlaskClient, token: str) -> Any:
    return client.post("/api/auth/refresh/", json={"refresh": token})


def attempt(client: FlaskClient, email: str, password: str) -> Any:
    return client.post("/api/auth/login/", json={"email": email, "password": password})


# -- login --------------------------------------------------------------------------------------


def test_login_answers_a_token_pair(client: FlaskClient) -> None:
    response = attempt(client, ADMIN_EMAIL, PASSWORD)
    assert response.status_code == 200
    body = response.json
    assert set(body) == {"access", "refresh", "token_type", "expires_in"}
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 15 * 60
    access = jwt.decode(body["access"], options={"verify_signature": False})
    refresh_claims = jwt.decode(body["refresh"], options={"verify_signature": False})
    assert access["exp"] - access["iat"] == 15 * 60
    assert refresh_claims["exp"] - refresh_claims["iat"] == 7 * 24 * 3600
    assert me(client, body["access"]).status_code == 200


@pytest.mark.parametrize("email", ["ADMIN@EXAMPLE.COM", "Admin@Example.com", " admin@example.com "])
def test_login_email_is_case_insensitive(client: FlaskClient, email: str) -> None:
    response = attempt(client, email, PASSWORD)
    assert response.status_code == 200
    assert me(client, response.json["access"]).json["email"] == ADMIN_EMAIL


def test_wrong_email_wrong_password_and_inactive_account_answer_the_same_401(
    client: FlaskClient, admin: Api, make_user: Factory
) -> None:
    gone = make_user("viewer", email="gone@example.com")
    assert admin.delete(f"/api/users/{gone.user['id']}/").status_code == 204
    bodies = [
        assert_error(attempt(client, "nobody@example.com", PASSWORD), 401),
        assert_error(attempt(client, ADMIN_EMAIL, "wrong-password"), 401),
        assert_error(attempt(client, "gone@example.com", PASSWORD), 401),
    ]
    assert bodies[0] == bodies[1] == bodies[2]


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({}, {"email", "password"}),
        ({"email": ADMIN_EMAIL}, {"password"}),
        ({"email": 5, "password": PASSWORD}, {"email"}),
        ({"email": ADMIN_EMAIL, "password": None}, {"password"}),
        ({"email": ADMIN_EMAIL, "password": PASSWORD, "remember": True}, {"remember"}),
    ],
)
def test_login_with_bad_input_is_422(
    client: FlaskClient, body: dict[str, Any], fields: set[str]
) -> None:
    assert_error(client.post("/api/auth/login/", json=body), 422, {"json": fields})


def test_five_failures_answer_429_with_retry_after(client: FlaskClient, make_user: Factory) -> None:
    make_user("viewer", email="other@example.com")
    for _ in range(5):
        assert_error(attempt(client, ADMIN_EMAIL, "wrong-password"), 401)
    for password in ("wrong-password", PASSWORD):
        response = attempt(client, "Admin@Example.com", password)
        assert_error(response, 429)
        assert 1 <= int(response.headers["Retry-After"]) <= 15 * 60
    assert attempt(client, "other@example.com", PASSWORD).status_code == 200


def test_failures_below_the_limit_are_forgotten_after_a_successful_login(
    client: FlaskClient,
) -> None:
    for _ in range(4):
        assert attempt(client, ADMIN_EMAIL, "wrong-password").status_code == 401
    assert attempt(client, ADMIN_EMAIL, PASSWORD).status_code == 200
    for _ in range(4):
        assert attempt(client, ADMIN_EMAIL, "wrong-password").status_code == 401
    assert attempt(client, ADMIN_EMAIL, PASSWORD).status_code == 200


# -- refresh ------------------------------------------------------------------------------------


def test_refresh_rotates_the_pair_and_the_old_refresh_token_is_spent(client: FlaskClient) -> None:
    first = login(client, ADMIN_EMAIL)
    response = refresh(client, first["refresh"])
    assert response.status_code == 200
    second = response.json
    assert set(second) == {"access", "refresh", "token_type", "expires_in"}
    assert second["refresh"] != first["refresh"] and second["access"] != first["access"]
    assert me(client, second["access"]).status_code == 200
    assert_error(refresh(client, first["refresh"]), 401)
    third = refresh(client, second["refresh"])
    assert third.status_code == 200
    assert_error(refresh(client, second["refresh"]), 401)


def test_refresh_refuses_an_access_token_and_garbage(client: FlaskClient) -> None:
    tokens = login(client, ADMIN_EMAIL)
    assert_error(refresh(client, tokens["access"]), 401)
    assert_error(refresh(client, "not-a-token"), 401)
    assert_error(client.post("/api/auth/refresh/", json={}), 422, {"json": {"refresh"}})
    assert_error(client.post("/api/auth/refresh/", json={"refresh": 1}), 422, {"json": {"refresh"}})


def test_refresh_refuses_a_deactivated_user(admin: Api, make_user: Factory) -> None:
    user = make_user("viewer", email="ann@example.com")
    tokens = login(admin.client, "ann@example.com")
    assert admin.delete(f"/api/users/{user.user['id']}/").status_code == 204
    assert_error(refresh(admin.client, tokens["refresh"]), 401)


# -- logout -------------------------------------------------------------------------------------


def test_logout_with_refresh_ends_both_tokens(client: FlaskClient) -> None:
    tokens = login(client, ADMIN_EMAIL)
    response = client.post(
        "/api/auth/logout/", headers=bearer(tokens["access"]), json={"refresh": tokens["refresh"]}
    )
    assert response.status_code == 204
    assert response.get_data() == b""
    assert_error(me(client, tokens["access"]), 401)
    assert_error(refresh(client, tokens["refresh"]), 401)


def test_logout_without_body_ends_the_access_token_only(client: FlaskClient) -> None:
    tokens = login(client, ADMIN_EMAIL)
    other = login(client, ADMIN_EMAIL)
    assert client.post("/api/auth/logout/", headers=bearer(tokens["access"])).status_code == 204
    assert_error(me(client, tokens["access"]), 401)
    assert_error(client.post("/api/auth/logout/", headers=bearer(tokens["access"])), 401)
    assert me(client, other["access"]).status_code == 200, "other sessions go on"
    assert refresh(client, tokens["refresh"]).status_code == 200


def test_logout_needs_a_token(client: FlaskClient) -> None:
    tokens = login(client, ADMIN_EMAIL)
    assert_error(client.post("/api/auth/logout/", json={"refresh": tokens["refresh"]}), 401)
    assert refresh(client, tokens["refresh"]).status_code == 200


def test_logout_refuses_a_refresh_token_that_is_not_the_callers(
    client: FlaskClient, make_user: Factory
) -> None:
    make_user("viewer", email="ann@example.com")
    mine, theirs = login(client, ADMIN_EMAIL), login(client, "ann@example.com")
    response = client.post(
        "/api/auth/logout/", headers=bearer(mine["access"]), json={"refresh": theirs["refresh"]}
    )
    assert_error(response, 422, {"json": {"refresh"}})
    assert refresh(client, theirs["refresh"]).status_code == 200
    assert me(client, mine["access"]).status_code == 200


@pytest.mark.parametrize("body", [{"refresh": "garbage"}, {"refresh": 3}, {"other": "x"}])
def test_logout_with_a_bad_body_is_422(client: FlaskClient, body: dict[str, Any]) -> None:
    tokens = login(client, ADMIN_EMAIL)
    response = client.post("/api/auth/logout/", headers=bearer(tokens["access"]), json=body)
    assert_error(response, 422)


# -- me -----------------------------------------------------------------------------------------


def test_me_answers_the_caller(make_user: Factory) -> None:
    analyst = make_user("analyst", email="Ann@Example.com", name="Ann")
    response = analyst.get("/api/auth/me/")
    assert response.status_code == 200
    assert_user(
        response.json,
        id=analyst.user["id"],
        email="ann@example.com",
        name="Ann",
        role="analyst",
        is_active=True,
    )


# -- password -----------------------------------------------------------------------------------


def change_password(client: FlaskClient, access: str, current: str, new: str) -> Any:
    return client.post(
        "/api/auth/password/",
        headers=bearer(access),
        json={"current_password": current, "new_password": new},
    )


def test_password_change_ends_old_tokens_and_the_new_password_works(client: FlaskClient) -> None:
    old = login(client, ADMIN_EMAIL)
    current = login(client, ADMIN_EMAIL)
    response = change_password(client, current["access"], PASSWORD, "a-brand-new-secret")
    assert response.status_code == 204
    for tokens in (old, current):
        assert_error(me(client, tokens["access"]), 401)
        assert_error(refresh(client, tokens["refresh"]), 401)
    assert_error(attempt(client, ADMIN_EMAIL, PASSWORD), 401)
    new = login(client, ADMIN_EMAIL, "a-brand-new-secret")
    assert me(client, new["access"]).status_code == 200


def test_wrong_current_password_is_422_and_changes_nothing(client: FlaskClient) -> None:
    tokens = login(client, ADMIN_EMAIL)
    response = change_password(client, tokens["access"], "not-my-password", "a-brand-new-secret")
    assert_error(response, 422, {"json": {"current_password"}})
    assert me(client, tokens["access"]).status_code == 200
    assert attempt(client, ADMIN_EMAIL, PASSWORD).status_code == 200


@pytest.mark.parametrize("new", ["short", "12345678901", ADMIN_EMAIL, ADMIN_EMAIL.upper()])
def test_new_password_follows_the_policy(client: FlaskClient, new: str) -> None:
    tokens = login(client, ADMIN_EMAIL)
    response = change_password(client, tokens["access"], PASSWORD, new)
    assert_error(response, 422, {"json": {"new_password"}})
    assert me(client, tokens["access"]).status_code == 200


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({}, {"current_password", "new_password"}),
        ({"current_password": PASSWORD, "new_password": 12345678}, {"new_password"}),
        ({"current_password": PASSWORD, "new_password": "abcdefghij", "role": "admin"}, {"role"}),
    ],
)
def test_password_change_with_bad_input_is_422(
    make_user: Factory, body: dict[str, Any], fields: set[str]
) -> None:
    viewer = make_user("viewer")
    assert_error(viewer.post("/api/auth/password/", json=body), 422, {"json": fields})
    assert viewer.get("/api/auth/me/").json["role"] == "viewer"
