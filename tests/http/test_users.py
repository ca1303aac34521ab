"""/api/users/: admins create, read, list, change and deactivate users."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from flask.testing import FlaskClient

from tests.conftest import ADMIN_EMAIL, PASSWORD, Api, Factory, login
from tests.http.assertions import assert_error, assert_user


def new_user(**changes: Any) -> dict[str, Any]:
    return {"email": "ann@example.com", "name": "Ann", "password": PASSWORD, "role": "analyst"} | (
        changes
    )


def create(admin: Api, **changes: Any) -> Any:
    return admin.post("/api/users/", json=new_user(**changes))


def user_count(admin: Api) -> int:
    count: int = admin.get("/api/users/").json["count"]
    return count


# -- create -------------------------------------------------------------------------------------


def test_create_answers_201_with_location(admin: Api) -> None:
    response = create(admin, email="  Ann@Example.COM ", name=" Ann Lee ")
    assert response.status_code == 201
    assert_user(
        response.json, email="ann@example.com", name="Ann Lee", role="analyst", is_active=True
    )
    location = response.headers["Location"]
    assert urlsplit(location).path == f"/api/users/{response.json['id']}/"
    fetched = admin.get(location)
    assert fetched.status_code == 200
    assert fetched.json == response.json
    login(admin.client, "ANN@example.com")


@pytest.mark.parametrize("email", ["ann@example.com", "ANN@EXAMPLE.COM", "Ann@example.com "])
def test_duplicate_email_in_any_case_is_409(admin: Api, email: str) -> None:
    assert create(admin).status_code == 201
    assert_error(create(admin, email=email, name="Twin"), 409)
    assert user_count(admin) == 2


def test_admin_email_in_another_case_is_409(admin: Api) -> None:
    assert_error(create(admin, email=ADMIN_EMAIL.upper()), 409)


@pytest.mark.parametrize(
    "password",
    ["short", "1234567", "12345678", "0000000000000", "ann@example.com", "ANN@example.com"],
)
def test_password_policy_is_422(admin: Api, password: str) -> None:
    assert_error(create(admin, password=password), 422, {"json": {"password"}})
    assert user_count(admin) == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"email": "not-an-email"}, "email"),
        ({"email": ""}, "email"),
        ({"email": "a" * 250 + "@example.com"}, "email"),
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "x" * 151}, "name"),
        ({"role": "superuser"}, "role"),
        ({"role": "Admin"}, "role"),
        ({"role": None}, "role"),
        ({"email": 42}, "email"),
        ({"name": ["Ann"]}, "name"),
        ({"password": 12345678}, "password"),
        ({"password": None}, "password"),
        ({"password": "x" * 257}, "password"),
    ],
)
def test_invalid_fields_are_422(admin: Api, changes: dict[str, Any], field: str) -> None:
    assert_error(create(admin, **changes), 422, {"json": {field}})
    assert user_count(admin) == 1


@pytest.mark.parametrize("missing", ["email", "name", "password", "role"])
def test_every_field_is_required(admin: Api, missing: str) -> None:
    body = new_user()
    del body[missing]
    assert_error(admin.post("/api/users/", json=body), 422, {"json": {missing}})


@pytest.mark.parametrize(
    "extra",
    [
        {"id": 99},
        {"is_superuser": True},
        {"date_joined": "2020-01-01T00:00:00Z"},
        {"is_active": False},
        {"token_version": 5},
        {"password_hash": "x"},
    ],
)
def test_mass_assignment_on_create_is_422(admin: Api, extra: dict[str, Any]) -> None:
    (field,) = extra
    assert_error(admin.post("/api/users/", json=new_user() | extra), 422, {"json": {field}})
    assert user_count(admin) == 1


# -- get ----------------------------------------------------------------------------------------


def test_get_user_and_unknown_ids(admin: Api) -> None:
    user = create(admin).json
    assert admin.get(f"/api/users/{user['id']}/").json == user
    for path in ("/api/users/999999/", "/api/users/-1/", "/api/users/abc/"):
        assert_error(admin.get(path), 404)
    assert_error(admin.get("/api/users/9223372036854775807/"), 404)
    for path in ("/api/users/0/", "/api/users/99999999999999999999999/"):
        assert_error(admin.get(path), 422, {"path": {"user_id"}})


# -- update -------------------------------------------------------------------------------------


def test_patch_changes_only_the_given_fields(admin: Api) -> None:
    user = create(admin).json
    response = admin.patch(f"/api/users/{user['id']}/", json={"name": "  Ann Renamed "})
    assert response.status_code == 200
    assert response.json == user | {"name": "Ann Renamed"}
    response = admin.patch(f"/api/users/{user['id']}/", json={"role": "viewer"})
    assert response.json == user | {"name": "Ann Renamed", "role": "viewer"}
    assert admin.patch(f"/api/users/{user['id']}/", json={}).json == response.json
    assert admin.get(f"/api/users/{user['id']}/").json == response.json


def test_patch_password_replaces_the_password(admin: Api) -> None:
    user = create(admin).json
    response = admin.patch(f"/api/users/{user['id']}/", json={"password": "a-new-password"})
    assert response.status_code == 200
    assert_error(
        admin.client.post("/api/auth/login/", json={"email": user["email"], "password": PASSWORD}),
        401,
    )
    login(admin.client, user["email"], "a-new-password")


def test_patch_deactivate_and_reactivate(admin: Api) -> None:
    user = create(admin).json
    off = admin.patch(f"/api/users/{user['id']}/", json={"is_active": False})
    assert off.json["is_active"] is False
    assert_error(
        admin.client.post("/api/auth/login/", json={"email": user["email"], "password": PASSWORD}),
        401,
    )
    on = admin.patch(f"/api/users/{user['id']}/", json={"is_active": True})
    assert on.json["is_active"] is True
    login(admin.client, user["email"])


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": None}, "name"),
        ({"name": "   "}, "name"),
        ({"role": "root"}, "role"),
        ({"is_active": "false"}, "is_active"),
        ({"is_active": 0}, "is_active"),
        ({"is_active": 1}, "is_active"),
        ({"is_active": None}, "is_active"),
        ({"password": "1234567890"}, "password"),
        ({"password": "short"}, "password"),
        ({"password": "ann@example.com"}, "password"),
        ({"email": "new@example.com"}, "email"),
        ({"id": 5}, "id"),
        ({"date_joined": "2020-01-01T00:00:00Z"}, "date_joined"),
        ({"is_superuser": True}, "is_superuser"),
        ({"token_version": 1}, "token_version"),
    ],
)
def test_bad_patches_are_422_and_change_nothing(
    admin: Api, body: dict[str, Any], field: str
) -> None:
    user = create(admin).json
    assert_error(admin.patch(f"/api/users/{user['id']}/", json=body), 422, {"json": {field}})
    assert admin.get(f"/api/users/{user['id']}/").json == user
    login(admin.client, user["email"])


def test_patch_and_delete_unknown_user_is_404(admin: Api) -> None:
    assert_error(admin.patch("/api/users/424242/", json={"name": "x"}), 404)
    assert_error(admin.delete("/api/users/424242/"), 404)


# -- delete -------------------------------------------------------------------------------------


def test_delete_deactivates_and_the_user_can_no_longer_log_in(
    admin: Api, make_user: Factory
) -> None:
    viewer = make_user("viewer", email="vic@example.com")
    response = admin.delete(f"/api/users/{viewer.user['id']}/")
    assert response.status_code == 204
    assert response.get_data() == b""
    kept = admin.get(f"/api/users/{viewer.user['id']}/")
    assert kept.status_code == 200
    assert kept.json == viewer.user | {"is_active": False}
    assert_error(
        admin.client.post(
            "/api/auth/login/", json={"email": "vic@example.com", "password": PASSWORD}
        ),
        401,
    )
    assert_error(viewer.get("/api/auth/me/"), 401)


# -- the last active admin ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        {"role": "viewer"},
        {"role": "analyst"},
        {"is_active": False},
        {"role": "viewer", "is_active": False},
    ],
)
def test_the_last_active_admin_cannot_be_demoted_or_deactivated(
    admin: Api, body: dict[str, Any]
) -> None:
    assert_error(admin.patch(f"/api/users/{admin.user['id']}/", json=body), 409)
    assert_error(admin.delete(f"/api/users/{admin.user['id']}/"), 409)
    assert admin.get("/api/auth/me/").json == admin.user


def test_a_refused_change_to_the_last_admin_changes_nothing_else(admin: Api) -> None:
    body = {"name": "Renamed", "role": "viewer"}
    assert_error(admin.patch(f"/api/users/{admin.user['id']}/", json=body), 409)
    assert admin.get("/api/auth/me/").json["name"] == admin.user["name"]


def test_an_admin_steps_down_when_another_is_active(admin: Api, make_user: Factory) -> None:
    other = make_user("admin", email="second@example.com")
    inactive = make_user("admin", email="third@example.com")
    assert admin.delete(f"/api/users/{inactive.user['id']}/").status_code == 204
    response = admin.patch(f"/api/users/{admin.user['id']}/", json={"role": "analyst"})
    assert response.status_code == 200
    assert response.json["role"] == "analyst"
    assert_error(other.delete(f"/api/users/{other.user['id']}/"), 409)
    assert_error(other.patch(f"/api/users/{other.user['id']}/", json={"role": "viewer"}), 409)
    assert other.patch(f"/api/users/{admin.user['id']}/", json={"role": "admin"}).status_code == 200
    assert other.delete(f"/api/users/{other.user['id']}/").status_code == 204


# -- list ---------------------------------------------------------------------------------------


@pytest.fixture
def people(admin: Api, make_user: Factory) -> dict[str, dict[str, Any]]:
    made = {
        "vera": make_user("viewer", email="vera@example.com", name="Vera Viewer").user,
        "andy": make_user("analyst", email="andy@corp.test", name="Andy Analyst").user,
        "zoe": make_user("analyst", email="zoe@example.com", name="Zoë Quinn").user,
        "old": make_user("admin", email="old@example.com", name="Old Admin").user,
    }
    assert admin.delete(f"/api/users/{made['old']['id']}/").status_code == 204
    made["old"] = made["old"] | {"is_active": False}
    return {"admin": admin.user, **made}


def listed(admin: Api, query: str) -> list[str]:
    response = admin.get(f"/api/users/?{query}")
    assert response.status_code == 200, response.json
    return [u["email"] for u in response.json["results"]]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["admin", "vera", "andy", "zoe", "old"]),
        ("role=analyst", ["andy", "zoe"]),
        ("role=admin", ["admin", "old"]),
        ("is_active=false", ["old"]),
        ("is_active=true", ["admin", "vera", "andy", "zoe"]),
        ("role=admin&is_active=true", ["admin"]),
        ("q=ANALYST", ["andy"]),
        ("q=corp.TEST", ["andy"]),
        ("q=example.com&role=analyst", ["zoe"]),
        ("q=zoË", ["zoe"]),
        ("q=%25", []),
        ("q=nobody", []),
        ("q=", ["admin", "vera", "andy", "zoe", "old"]),
        ("unknown=1&ordering=whatever", ["admin", "vera", "andy", "zoe", "old"]),
    ],
)
def test_list_filters(
    admin: Api, people: dict[str, dict[str, Any]], query: str, expected: list[str]
) -> None:
    assert listed(admin, query) == [people[name]["email"] for name in expected]


def test_list_results_are_user_objects(admin: Api, people: dict[str, dict[str, Any]]) -> None:
    body = admin.get("/api/users/").json
    assert set(body) == {"count", "next", "previous", "next_cursor", "results"}
    assert body["count"] == 5
    assert body["results"] == list(people.values())
    for user in body["results"]:
        assert_user(user)


def test_list_pages_with_links(admin: Api, people: dict[str, dict[str, Any]]) -> None:
    emails = [p["email"] for p in people.values()]
    first = admin.get("/api/users/?page_size=2&q=").json
    assert first["count"] == 5
    assert [u["email"] for u in first["results"]] == emails[:2]
    assert first["previous"] is None
    seen = [u["email"] for u in first["results"]]
    page = first
    pages = 1
    while page["next"]:
        link = urlsplit(page["next"])
        assert parse_qs(link.query)["page_size"] == ["2"]
        page = admin.get(f"{link.path}?{link.query}").json
        pages += 1
        assert page["previous"] is not None
        assert page["count"] == 5
        seen += [u["email"] for u in page["results"]]
    assert pages == 3
    assert seen == emails
    back = urlsplit(page["previous"])
    assert parse_qs(back.query)["page"] == ["2"]


def test_links_keep_the_filters(admin: Api, people: dict[str, dict[str, Any]]) -> None:
    first = admin.get("/api/users/?is_active=true&page_size=1&q=example").json
    query = parse_qs(urlsplit(first["next"]).query)
    assert query == {"is_active": ["true"], "page_size": ["1"], "q": ["example"], "page": ["2"]}


def test_a_page_past_the_last_is_empty(admin: Api, people: dict[str, dict[str, Any]]) -> None:
    response = admin.get("/api/users/?page=4&page_size=2")
    assert response.status_code == 200
    assert response.json["results"] == []
    assert response.json["count"] == 5
    assert response.json["next"] is None


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("page_size=0", "page_size"),
        ("page_size=101", "page_size"),
        ("page_size=-1", "page_size"),
        ("page_size=ten", "page_size"),
        ("page=0", "page"),
        ("page=abc", "page"),
        ("page=1.5", "page"),
        ("role=owner", "role"),
        ("is_active=maybe", "is_active"),
        ("q=" + "x" * 201, "q"),
    ],
)
def test_bad_query_values_are_422(admin: Api, query: str, field: str) -> None:
    assert_error(admin.get(f"/api/users/?{query}"), 422, {"query": {field}})


def test_page_size_bounds_are_inclusive(admin: Api) -> None:
    assert admin.get("/api/users/?page_size=1").status_code == 200
    assert admin.get("/api/users/?page_size=100").status_code == 200


# -- bodies that are not JSON objects -------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "content_type"),
    [
        ("{not json", "application/json"),
        ("null", "application/json"),
        ("[]", "application/json"),
        ('"text"', "application/json"),
        ("42", "application/json"),
        (b"\xc3\x28", "application/json"),
        ("{}", "text/plain"),
        (
            "email=a@example.com&name=A&password=abcdefghij&role=viewer",
            "application/x-www-form-urlencoded",
        ),
        ("", "application/json"),
    ],
)
@pytest.mark.parametrize("method", ["POST", "PATCH"])
def test_bodies_that_are_not_json_objects_are_422(
    admin: Api, data: str | bytes, content_type: str, method: str
) -> None:
    path = "/api/users/" if method == "POST" else f"/api/users/{admin.user['id']}/"
    response = admin.client.open(
        path,
        method=method,
        data=data,
        headers={"Content-Type": content_type, "Authorization": f"Bearer {admin.token}"},
    )
    if method == "PATCH" and data == "":
        # An empty PATCH body changes nothing; that is not an error.
        assert response.status_code in (200, 422)
        return
    assert_error(response, 422)


def test_logins_for_users_made_here_work_through_the_test_client(client: FlaskClient) -> None:
    assert login(client, ADMIN_EMAIL)["token_type"] == "Bearer"
