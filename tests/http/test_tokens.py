"""Every way a bearer token can be refused is a 401 in the error shape."""

from __future__ import annotations

import base64
import json
import time
from typing import Any

import jwt
import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import ADMIN_EMAIL, PASSWORD, Api, Factory, login
from tests.http.assertions import assert_error

ME = "/api/auth/me/"


def claims(token: str) -> dict[str, Any]:
    return jwt.decode(token, options={"verify_signature": False})


def sign(app: Flask, payload: dict[str, Any], key: str | None = None) -> str:
    return jwt.encode(payload, key or app.config["JWT_SECRET_KEY"], algorithm="HS256")


def get_me(client: FlaskClient, token: str) -> Any:
    return client.get(ME, headers={"Authorization": f"Bearer {token}"})


def b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def test_a_token_signed_here_is_accepted(app: Flask, client: FlaskClient) -> None:
    """The forging below is valid when nothing is changed, so each refusal is for its reason."""
    payload = claims(login(client, ADMIN_EMAIL)["access"])
    assert get_me(client, sign(app, payload)).status_code == 200


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": ""},
        {"Authorization": "Bearer"},
        {"Authorization": "Bearer "},
        {"Authorization": "Basic YWRtaW46cGFzc3dvcmQ="},
        {"Authorization": "Bearer not.a.jwt"},
        {"Authorization": "Bearer ???"},
    ],
)
def test_missing_or_malformed_tokens(client: FlaskClient, headers: dict[str, str]) -> None:
    response = client.get(ME, headers=headers)
    assert_error(response, 401)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    "change",
    [
        {"exp": int(time.time()) - 60},
        {"iss": "someone-else"},
        {"aud": "another-api"},
        {"iss": None},
        {"aud": None},
        {"sub": "999999"},
        {"ver": 0},
        {"ver": None},
        {"type": "refresh"},
    ],
    ids=lambda c: ",".join(f"{k}={v}" for k, v in c.items()),
)
def test_tokens_with_changed_claims(
    app: Flask, client: FlaskClient, change: dict[str, Any]
) -> None:
    payload = claims(login(client, ADMIN_EMAIL)["access"])
    for key, value in change.items():
        if value is None:
            payload.pop(key)
        else:
            payload[key] = value
    assert_error(get_me(client, sign(app, payload)), 401)


def test_a_token_signed_with_another_key(app: Flask, client: FlaskClient) -> None:
    payload = claims(login(client, ADMIN_EMAIL)["access"])
    forged = sign(app, payload, key="another-secret-key-that-is-long-enough-for-hs256")
    assert_error(get_me(client, forged), 401)


def test_a_tampered_payload_fails_the_signature(client: FlaskClient, make_user: Factory) -> None:
    viewer = make_user("viewer")
    admin_id = claims(login(client, ADMIN_EMAIL)["access"])["sub"]
    header, _, signature = (viewer.token or "").split(".")
    raised = b64({**claims(viewer.token or ""), "sub": admin_id, "role": "admin"})
    assert_error(get_me(client, f"{header}.{raised}.{signature}"), 401)
    assert_error(
        client.get(
            "/api/users/", headers={"Authorization": f"Bearer {header}.{raised}.{signature}"}
        ),
        401,
    )


def test_alg_none_is_refused(client: FlaskClient) -> None:
    payload = claims(login(client, ADMIN_EMAIL)["access"])
    unsigned = f"{b64({'alg': 'none', 'typ': 'JWT'})}.{b64(payload)}."
    assert_error(get_me(client, unsigned), 401)
    none_by_pyjwt = jwt.encode(payload, key=None, algorithm="none")
    assert_error(get_me(client, none_by_pyjwt), 401)


@pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
def test_another_hmac_algorithm_is_refused(app: Flask, client: FlaskClient) -> None:
    payload = claims(login(client, ADMIN_EMAIL)["access"])
    token = jwt.encode(payload, app.config["JWT_SECRET_KEY"], algorithm="HS512")
    assert_error(get_me(client, token), 401)


def test_a_refresh_token_is_not_an_access_token(client: FlaskClient) -> None:
    tokens = login(client, ADMIN_EMAIL)
    assert_error(get_me(client, tokens["refresh"]), 401)
    assert_error(
        client.get("/api/users/", headers={"Authorization": f"Bearer {tokens['refresh']}"}), 401
    )


def test_a_revoked_token(client: FlaskClient) -> None:
    access = login(client, ADMIN_EMAIL)["access"]
    client.post("/api/auth/logout/", headers={"Authorization": f"Bearer {access}"})
    assert_error(get_me(client, access), 401)


def test_a_deactivated_users_token(admin: Api, make_user: Factory) -> None:
    viewer = make_user("viewer")
    assert admin.delete(f"/api/users/{viewer.user['id']}/").status_code == 204
    assert_error(viewer.get(ME), 401)
    reactivate = admin.patch(f"/api/users/{viewer.user['id']}/", json={"is_active": True})
    assert reactivate.status_code == 200
    # Reactivation does not revive the tokens issued before.
    assert_error(viewer.get(ME), 401)


@pytest.mark.parametrize("new_role", ["viewer", "admin"])
def test_a_token_issued_before_a_role_change(admin: Api, make_user: Factory, new_role: str) -> None:
    analyst = make_user("analyst")
    assert analyst.get(ME).status_code == 200
    response = admin.patch(f"/api/users/{analyst.user['id']}/", json={"role": new_role})
    assert response.status_code == 200
    assert_error(analyst.get(ME), 401)
    fresh = login(admin.client, analyst.user["email"])
    assert get_me(admin.client, fresh["access"]).json["role"] == new_role


def test_a_token_issued_before_an_admin_sets_a_new_password(admin: Api, make_user: Factory) -> None:
    viewer = make_user("viewer")
    response = admin.patch(f"/api/users/{viewer.user['id']}/", json={"password": "reset-by-admin"})
    assert response.status_code == 200
    assert_error(viewer.get(ME), 401)
    assert_error(
        admin.client.post(
            "/api/auth/login/", json={"email": viewer.user["email"], "password": PASSWORD}
        ),
        401,
    )
    login(admin.client, viewer.user["email"], "reset-by-admin")


def test_a_token_issued_before_the_user_changes_their_password(make_user: Factory) -> None:
    viewer = make_user("viewer")
    old = viewer.token
    response = viewer.post(
        "/api/auth/password/",
        json={"current_password": PASSWORD, "new_password": "another-password"},
    )
    assert response.status_code == 204
    assert_error(get_me(viewer.client, old or ""), 401)


def test_a_rename_keeps_the_token(admin: Api, make_user: Factory) -> None:
    viewer = make_user("viewer")
    assert admin.patch(f"/api/users/{viewer.user['id']}/", json={"name": "New"}).status_code == 200
    assert viewer.get(ME).json["name"] == "New"


def test_a_token_accepted_before_is_refused_once_it_expires(
    app: Flask, client: FlaskClient
) -> None:
    """Verified tokens are remembered per process, but their expiry is checked every time."""
    payload = claims(login(client, ADMIN_EMAIL)["access"])
    soon = sign(app, {**payload, "exp": int(time.time()) + 2})
    assert get_me(client, soon).status_code == 200
    assert get_me(client, soon).status_code == 200
    time.sleep(2.5)
    body = assert_error(get_me(client, soon), 401)
    assert "expired" in body["message"].lower()


def test_a_remembered_token_is_still_refused_once_revoked(client: FlaskClient) -> None:
    tokens = login(client, ADMIN_EMAIL)
    assert get_me(client, tokens["access"]).status_code == 200
    logout = client.post(
        "/api/auth/logout/", headers={"Authorization": f"Bearer {tokens['access']}"}
    )
    assert logout.status_code == 204
    assert_error(get_me(client, tokens["access"]), 401)
