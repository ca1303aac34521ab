"""Who may call each auth and users route: anonymous 401, non-admins 403 on user management,
every signed-in role on its own account."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import PASSWORD, Api, Factory
from tests.http.assertions import assert_error

ROLES = ["anonymous", "viewer", "analyst", "admin"]


@pytest.fixture(params=ROLES)
def caller(request: pytest.FixtureRequest, admin: Api, make_user: Factory, anonymous: Api) -> Api:
    if request.param == "anonymous":
        return anonymous
    if request.param == "admin":
        return admin
    return make_user(request.param)


@pytest.fixture
def target(make_user: Factory) -> dict[str, Any]:
    return make_user("viewer", email="target@example.com").user


def role_of(caller: Api) -> str:
    return "anonymous" if caller.user is None else str(caller.user["role"])


def expect(caller: Api, response: Any, allowed: int) -> None:
    role = role_of(caller)
    if role == "anonymous":
        assert_error(response, 401)
    elif role == "admin":
        assert response.status_code == allowed, response.json
    else:
        assert_error(response, 403)


def test_list_users(caller: Api, target: dict[str, Any]) -> None:
    expect(caller, caller.get("/api/users/"), 200)


def test_create_user(caller: Api, target: dict[str, Any]) -> None:
    body = {"email": "new@example.com", "name": "New", "password": PASSWORD, "role": "admin"}
    expect(caller, caller.post("/api/users/", json=body), 201)


def test_create_user_with_an_invalid_body(caller: Api) -> None:
    """Authentication comes before validation: an anonymous caller learns nothing of the
    schema."""
    response = caller.post("/api/users/", json={"bogus": 1})
    if role_of(caller) == "anonymous":
        assert_error(response, 401)
    else:
        assert_error(response, 422)


def test_get_user(caller: Api, target: dict[str, Any]) -> None:
    expect(caller, caller.get(f"/api/users/{target['id']}/"), 200)


def test_patch_user(caller: Api, target: dict[str, Any], admin: Api) -> None:
    response = caller.patch(f"/api/users/{target['id']}/", json={"role": "admin"})
    expect(caller, response, 200)
    expected = "admin" if role_of(caller) == "admin" else "viewer"
    assert admin.get(f"/api/users/{target['id']}/").json["role"] == expected


def test_delete_user(caller: Api, target: dict[str, Any], admin: Api) -> None:
    expect(caller, caller.delete(f"/api/users/{target['id']}/"), 204)
    active = admin.get(f"/api/users/{target['id']}/").json["is_active"]
    assert active is (role_of(caller) != "admin")


@pytest.mark.parametrize("role", ["viewer", "analyst"])
def test_non_admins_cannot_raise_their_own_role(make_user: Factory, role: str) -> None:
    caller = make_user(role)
    response = caller.patch(f"/api/users/{caller.user['id']}/", json={"role": "admin"})
    assert_error(response, 403)
    assert caller.get("/api/auth/me/").json["role"] == role


def test_me(caller: Api) -> None:
    response = caller.get("/api/auth/me/")
    if caller.user is None:
        assert_error(response, 401)
    else:
        assert response.status_code == 200
        assert response.json == caller.user


def test_logout(caller: Api) -> None:
    response = caller.post("/api/auth/logout/")
    if caller.user is None:
        assert_error(response, 401)
    else:
        assert response.status_code == 204


def test_change_password(caller: Api) -> None:
    body = {"current_password": PASSWORD, "new_password": "a-brand-new-secret"}
    response = caller.post("/api/auth/password/", json=body)
    if caller.user is None:
        assert_error(response, 401)
    else:
        assert response.status_code == 204


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/auth/login/", {"email": "x@example.com", "password": "x"}),
        ("/api/auth/refresh/", {"refresh": "x"}),
    ],
)
def test_login_and_refresh_take_no_bearer_token(
    caller: Api, path: str, body: dict[str, str]
) -> None:
    """Anyone may call them; bad credentials are a 401 whoever sends them."""
    assert_error(caller.post(path, json=body), 401)
