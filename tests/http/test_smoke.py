"""Every route reaches its view, through the container its app was built with.

The cases are keyed by (endpoint, method) and compared with the app's ``url_map``, so a route
added without a case fails here. Each case sends a valid request, with a token of a role that
may make it, and checks something only the view can have produced: the body it computes, or a
side effect seen through another route. A module left out of wiring hands its views a marker
instead of a use case, so its cases fail. The sessions a case ends (logout, a new password) are
its own, and the admin's token is checked to still work at the end."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from unittest.mock import ANY

import pytest
from flask import Flask

from tests.conftest import ADMIN_EMAIL, PASSWORD, Api, Store, build_test_app, ensure_admin, login
from tests.http.assertions import RECORD_FIELDS, USER_FIELDS

Route = tuple[str, str]
#: Flask's own route for a static folder, which the app does not have.
NOT_VIEWS = {"static"}
EXPORT_HEADER = "id,date,type,category,amount,description,owner_id,created_by,created_at"


def routes(app: Flask) -> set[Route]:
    """Every (endpoint, method) the app serves, but HEAD and OPTIONS, which Flask answers."""
    return {
        (rule.endpoint, method)
        for rule in app.url_map.iter_rules()
        if rule.endpoint not in NOT_VIEWS
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}
    }


def expect(response: Any, status: int) -> Any:
    """The answer's JSON body (None if it has none), once its status is ``status``."""
    assert response.status_code == status, (
        response.status_code,
        response.get_data(as_text=True)[:500],
    )
    if status == 204:
        assert response.get_data() == b""
        return None
    return response.json if response.is_json else None


@dataclass
class Scene:
    """One app and its admin; every case makes its own users, records and categories."""

    app: Flask
    admin: Api
    _numbers: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def unique(self, prefix: str) -> str:
        return f"{prefix}{next(self._numbers)}"

    def anonymous(self) -> Api:
        return Api(self.app.test_client())

    def new_user(self, role: str) -> dict[str, Any]:
        email = f"{self.unique(role)}@example.com"
        body = {"email": email, "name": "Smoke", "password": PASSWORD, "role": role}
        user: dict[str, Any] = expect(self.admin.post("/api/users/", json=body), 201)
        return user

    def tokens(self, user: dict[str, Any], password: str = PASSWORD) -> dict[str, Any]:
        return login(self.app.test_client(), user["email"], password)

    def caller(self, role: str) -> Api:
        """A new user of ``role``, signed in on a client of their own."""
        user = self.new_user(role)
        return Api(self.app.test_client(), self.tokens(user)["access"], user)

    def record(self, **changes: Any) -> dict[str, Any]:
        body = {
            "amount": "12.50",
            "type": "expense",
            "category": self.unique("Smoke"),
            "date": "2026-01-15",
            **changes,
        }
        record: dict[str, Any] = expect(self.admin.post("/api/records/", json=body), 201)
        return record

    def deleted_record(self) -> dict[str, Any]:
        record = self.record()
        expect(self.admin.delete(f"/api/records/{record['id']}/"), 204)
        return record


Case = Callable[[Scene], None]
CASES: dict[Route, Case] = {}


def case(endpoint: str, method: str) -> Callable[[Case], Case]:
    def register(check: Case) -> Case:
        assert (endpoint, method) not in CASES, (endpoint, method)
        CASES[(endpoint, method)] = check
        return check

    return register


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


# -- operations and documentation ---------------------------------------------------------------


@case("operations.root", "GET")
def _root(scene: Scene) -> None:
    assert expect(scene.anonymous().get("/"), 200) == {"status": "running", "docs": "/api/docs/"}


@case("operations.health", "GET")
def _health(scene: Scene) -> None:
    body = expect(scene.anonymous().get("/api/health/"), 200)
    assert body == {"status": "ok", "database": "ok"}


@case("api-docs.openapi_json", "GET")
def _openapi(scene: Scene) -> None:
    spec = expect(scene.anonymous().get("/api/openapi.json"), 200)
    assert spec["openapi"].startswith("3.") and "/api/records/" in spec["paths"]


@case("api-docs.openapi_swagger_ui", "GET")
def _swagger_ui(scene: Scene) -> None:
    response = scene.anonymous().get("/api/docs/")
    expect(response, 200)
    assert "swagger-ui" in response.get_data(as_text=True)


@case("swagger_ui_asset", "GET")
def _swagger_asset(scene: Scene) -> None:
    response = scene.anonymous().get("/api/docs/static/swagger-ui.css", buffered=True)
    expect(response, 200)
    assert response.mimetype == "text/css"


# -- auth ---------------------------------------------------------------------------------------


@case("auth.login", "POST")
def _login(scene: Scene) -> None:
    user = scene.new_user("viewer")
    anonymous = scene.anonymous()
    body = {"email": user["email"].upper(), "password": PASSWORD}
    tokens = expect(anonymous.post("/api/auth/login/", json=body), 200)
    assert tokens["token_type"] == "Bearer" and tokens["expires_in"] > 0
    me = anonymous.get("/api/auth/me/", headers=bearer(tokens["access"]))
    assert expect(me, 200)["id"] == user["id"]


@case("auth.refresh", "POST")
def _refresh(scene: Scene) -> None:
    user = scene.new_user("viewer")
    used = scene.tokens(user)["refresh"]
    client = scene.anonymous()
    tokens = expect(client.post("/api/auth/refresh/", json={"refresh": used}), 200)
    assert tokens["refresh"] != used
    me = client.get("/api/auth/me/", headers=bearer(tokens["access"]))
    assert expect(me, 200)["id"] == user["id"]
    expect(client.post("/api/auth/refresh/", json={"refresh": used}), 401)


@case("auth.logout", "POST")
def _logout(scene: Scene) -> None:
    tokens = scene.tokens(scene.new_user("viewer"))
    client = scene.anonymous()
    ended = client.post(
        "/api/auth/logout/", json={"refresh": tokens["refresh"]}, headers=bearer(tokens["access"])
    )
    expect(ended, 204)
    expect(client.get("/api/auth/me/", headers=bearer(tokens["access"])), 401)
    expect(client.post("/api/auth/refresh/", json={"refresh": tokens["refresh"]}), 401)


@case("auth.me", "GET")
def _me(scene: Scene) -> None:
    viewer = scene.caller("viewer")
    assert expect(viewer.get("/api/auth/me/"), 200) == viewer.user


@case("auth.change_password", "POST")
def _change_password(scene: Scene) -> None:
    user = scene.caller("viewer")
    body = {"current_password": PASSWORD, "new_password": "a-brand-new-horse"}
    expect(user.post("/api/auth/password/", json=body), 204)
    expect(user.get("/api/auth/me/"), 401)
    assert scene.tokens(user.user, "a-brand-new-horse")["access"]
    wrong = {"email": user.user["email"], "password": PASSWORD}
    expect(scene.anonymous().post("/api/auth/login/", json=wrong), 401)


# -- users --------------------------------------------------------------------------------------


@case("users.list_users", "GET")
def _list_users(scene: Scene) -> None:
    user = scene.new_user("analyst")
    page = expect(scene.admin.get("/api/users/", query_string={"q": user["email"]}), 200)
    assert page["count"] == 1 and page["results"] == [user]


@case("users.create_user", "POST")
def _create_user(scene: Scene) -> None:
    email = f"{scene.unique('new')}@example.com"
    body = {"email": email, "name": "New", "password": PASSWORD, "role": "analyst"}
    response = scene.admin.post("/api/users/", json=body)
    user = expect(response, 201)
    assert set(user) == USER_FIELDS
    assert (user["email"], user["role"], user["is_active"]) == (email, "analyst", True)
    assert response.headers["Location"].endswith(f"/api/users/{user['id']}/")
    assert expect(scene.admin.get(f"/api/users/{user['id']}/"), 200) == user


@case("users.get_user", "GET")
def _get_user(scene: Scene) -> None:
    user = scene.new_user("viewer")
    assert expect(scene.admin.get(f"/api/users/{user['id']}/"), 200) == user


@case("users.update_user", "PATCH")
def _update_user(scene: Scene) -> None:
    user = scene.new_user("viewer")
    changes = {"name": "Renamed", "role": "analyst"}
    changed = expect(scene.admin.patch(f"/api/users/{user['id']}/", json=changes), 200)
    assert changed == {**user, **changes}
    assert expect(scene.admin.get(f"/api/users/{user['id']}/"), 200) == changed


@case("users.deactivate_user", "DELETE")
def _deactivate_user(scene: Scene) -> None:
    user = scene.new_user("viewer")
    expect(scene.admin.delete(f"/api/users/{user['id']}/"), 204)
    assert expect(scene.admin.get(f"/api/users/{user['id']}/"), 200)["is_active"] is False
    body = {"email": user["email"], "password": PASSWORD}
    expect(scene.anonymous().post("/api/auth/login/", json=body), 401)


# -- records ------------------------------------------------------------------------------------


@case("records.list_records", "GET")
def _list_records(scene: Scene) -> None:
    record = scene.record()
    query = {"category": record["category"].upper()}
    page = expect(scene.admin.get("/api/records/", query_string=query), 200)
    assert page["count"] == 1 and page["results"] == [record]


@case("records.create_record", "POST")
def _create_record(scene: Scene) -> None:
    owner = scene.caller("viewer")
    body = {"amount": "7.05", "type": "income", "category": "Gift", "date": "2026-02-03"}
    response = scene.admin.post("/api/records/", json={**body, "owner_id": owner.user["id"]})
    record = expect(response, 201)
    assert set(record) == RECORD_FIELDS
    assert {k: record[k] for k in body} == body
    assert (record["owner_id"], record["created_by"]) == (owner.user["id"], scene.admin.user["id"])
    assert response.headers["ETag"] == f'"{record["id"]}-1"'
    assert response.headers["Location"].endswith(f"/api/records/{record['id']}/")
    assert expect(owner.get(f"/api/records/{record['id']}/"), 200) == record


@case("records.list_deleted_records", "GET")
def _list_deleted_records(scene: Scene) -> None:
    record = scene.deleted_record()
    query = {"category": record["category"]}
    page = expect(scene.admin.get("/api/records/deleted/", query_string=query), 200)
    assert page["count"] == 1 and [r["id"] for r in page["results"]] == [record["id"]]


@case("records.get_record", "GET")
def _get_record(scene: Scene) -> None:
    record = scene.record()
    response = scene.admin.get(f"/api/records/{record['id']}/")
    assert expect(response, 200) == record
    assert response.headers["ETag"] == f'"{record["id"]}-1"'


@case("records.replace_record", "PUT")
def _replace_record(scene: Scene) -> None:
    record = scene.record()
    body = {"amount": "99.99", "type": "income", "category": "Bonus", "date": "2026-03-01"}
    response = scene.admin.put(
        f"/api/records/{record['id']}/", json=body, headers={"If-Match": f'"{record["id"]}-1"'}
    )
    replaced = expect(response, 200)
    assert {k: replaced[k] for k in body} == body
    assert (replaced["version"], replaced["description"]) == (2, "")
    assert response.headers["ETag"] == f'"{record["id"]}-2"'


@case("records.update_record", "PATCH")
def _update_record(scene: Scene) -> None:
    record = scene.record()
    response = scene.admin.patch(
        f"/api/records/{record['id']}/",
        json={"description": "changed"},
        headers={"If-Match": f'"{record["id"]}-1"'},
    )
    updated = expect(response, 200)
    unchanged = {
        k: v for k, v in record.items() if k not in {"description", "version", "updated_at"}
    }
    assert updated == {**unchanged, "description": "changed", "version": 2, "updated_at": ANY}
    assert expect(scene.admin.get(f"/api/records/{record['id']}/"), 200) == updated


@case("records.delete_record", "DELETE")
def _delete_record(scene: Scene) -> None:
    record = scene.record()
    expect(scene.admin.delete(f"/api/records/{record['id']}/"), 204)
    expect(scene.admin.get(f"/api/records/{record['id']}/"), 404)


@case("records.restore_record", "POST")
def _restore_record(scene: Scene) -> None:
    record = scene.deleted_record()
    restored = expect(scene.admin.post(f"/api/records/{record['id']}/restore/"), 200)
    assert restored["id"] == record["id"]
    assert expect(scene.admin.get(f"/api/records/{record['id']}/"), 200) == restored


@case("records.record_history", "GET")
def _record_history(scene: Scene) -> None:
    record = scene.record()
    expect(scene.admin.patch(f"/api/records/{record['id']}/", json={"amount": "20.00"}), 200)
    page = expect(scene.admin.get(f"/api/records/{record['id']}/history/"), 200)
    assert [e["action"] for e in page["results"]] == ["created", "updated"]
    assert page["results"][1]["changes"]["amount"] == ["12.50", "20.00"]


@case("record_files.export_records", "GET")
def _export_records(scene: Scene) -> None:
    record = scene.record(description="=1+1")
    query = {"category": record["category"]}
    response = scene.admin.get("/api/records/export/", query_string=query, buffered=True)
    expect(response, 200)
    assert response.mimetype == "text/csv"
    header, row = response.get_data(as_text=True).splitlines()
    assert header == EXPORT_HEADER
    assert row.startswith(f"{record['id']},2026-01-15,expense,{record['category']},12.50,'=1+1,")


@case("record_files.import_records", "POST")
def _import_records(scene: Scene) -> None:
    category = scene.unique("Imported")
    text = f"date,type,category,amount\r\n2026-02-01,income,{category},10.00\r\n"
    text += f"2026-02-02,expense,{category},2.50\r\n"
    response = scene.admin.post("/api/records/import/", data=text, content_type="text/csv")
    assert expect(response, 201) == {"imported": 2}
    page = expect(scene.admin.get("/api/records/", query_string={"category": category}), 200)
    assert sorted(r["amount"] for r in page["results"]) == ["10.00", "2.50"]


# -- dashboard ----------------------------------------------------------------------------------


def analyst_with_records(scene: Scene) -> tuple[Api, list[dict[str, Any]]]:
    """A new analyst, who owns an income in March and an expense the day after."""
    analyst = scene.caller("analyst")
    owner = analyst.user["id"]
    made = [
        scene.record(amount="100.00", type="income", date="2026-03-05", owner_id=owner),
        scene.record(amount="40.25", type="expense", date="2026-03-06", owner_id=owner),
    ]
    return analyst, made


@case("dashboard.summary", "GET")
def _summary(scene: Scene) -> None:
    analyst, _ = analyst_with_records(scene)
    assert expect(analyst.get("/api/dashboard/summary/"), 200) == {
        "total_income": "100.00",
        "total_expense": "40.25",
        "net_balance": "59.75",
        "record_count": 2,
    }


@case("dashboard.category_totals", "GET")
def _category_totals(scene: Scene) -> None:
    analyst, (income, expense) = analyst_with_records(scene)
    assert expect(analyst.get("/api/dashboard/category-totals/"), 200) == {
        "results": [
            {"category": income["category"], "type": "income", "total": "100.00", "count": 1},
            {"category": expense["category"], "type": "expense", "total": "40.25", "count": 1},
        ]
    }


@case("dashboard.recent_transactions", "GET")
def _recent_transactions(scene: Scene) -> None:
    analyst, (income, expense) = analyst_with_records(scene)
    answer = analyst.get("/api/dashboard/recent-transactions/", query_string={"limit": 10})
    assert expect(answer, 200) == {"results": [expense, income]}


@case("dashboard.monthly_trends", "GET")
def _monthly_trends(scene: Scene) -> None:
    analyst, _ = analyst_with_records(scene)
    query = {"date_from": "2026-02-01", "date_to": "2026-03-31"}
    answer = expect(analyst.get("/api/dashboard/monthly-trends/", query_string=query), 200)
    zero = {"income": "0.00", "expense": "0.00", "net": "0.00", "count": 0}
    march = {"income": "100.00", "expense": "40.25", "net": "59.75", "count": 2}
    assert answer == {"results": [{"month": "2026-02", **zero}, {"month": "2026-03", **march}]}


# -- the tests ----------------------------------------------------------------------------------


@pytest.fixture
def scene(any_store: Store) -> Scene:
    app = build_test_app(any_store)
    ensure_admin(app)
    client = app.test_client()
    access = login(client, ADMIN_EMAIL)["access"]
    me = expect(client.get("/api/auth/me/", headers=bearer(access)), 200)
    return Scene(app, Api(client, access, me))


def test_every_route_has_a_case_and_every_case_a_route(app: Flask) -> None:
    served = routes(app)
    assert sorted(served - set(CASES)) == [], "routes without a smoke case"
    assert sorted(set(CASES) - served) == [], "smoke cases for routes the app does not serve"


def test_every_route_reaches_its_view(scene: Scene) -> None:
    failures = []
    for route in sorted(routes(scene.app)):
        check = CASES.get(route)
        if check is None:
            failures.append(f"{route}: no case")
            continue
        try:
            check(scene)
        except Exception as error:
            failures.append(f"{route}: {type(error).__name__}: {error}")
    expect(scene.admin.get("/api/auth/me/"), 200)
    assert not failures, "\n\n".join(failures)
