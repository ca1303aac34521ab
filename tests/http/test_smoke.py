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


@case("web.dashboard", "GET")
@case("web.login", "GET")
@case("web.records", "GET")
@case("web.users", "GET")
def _web_pages(scene: Scene) -> None:
    for page in ("/app/", "/app/login/", "/app/records/", "/app/users/"):
        response = scene.anonymous().get(page)
        expect(response, 200)
        assert response.mimetype == "text/html"
        assert '<script type="module" src="/app/static/js/' in response.get_data(as_text=True)


@case("web.static", "GET")
def _web_asset(scene: Scene) -> None:
    response = scene.anonymous().get("/app/static/js/api.js", buffered=True)
    expect(response, 200)
    assert "export async function call" in response.get_data(as_text=True)


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


# -- budgets ------------------------------------------------------------------------------------


def budget(scene: Scene, owner: dict[str, Any] | None = None, **changes: Any) -> dict[str, Any]:
    body = {"category": scene.unique("Plan"), "amount": "100.00", "start_month": "2026-03"}
    if owner is not None:
        body["owner_id"] = owner["id"]
    made: dict[str, Any] = expect(scene.admin.post("/api/budgets/", json={**body, **changes}), 201)
    return made


@case("budgets.list_budgets", "GET")
def _list_budgets(scene: Scene) -> None:
    viewer = scene.caller("viewer")
    mine = budget(scene, viewer.user)
    budget(scene)
    assert [b["id"] for b in expect(viewer.get("/api/budgets/"), 200)["results"]] == [mine["id"]]


@case("budgets.create_budget", "POST")
def _create_budget(scene: Scene) -> None:
    made = budget(scene, amount="250.5", rollover=True)
    assert (made["amount"], made["rollover"], made["version"]) == ("250.50", True, 1)
    answer = scene.admin.post("/api/budgets/", json={**made} | {"id": None})
    expect(answer, 422)


@case("budgets.get_budget", "GET")
def _get_budget(scene: Scene) -> None:
    made = budget(scene)
    answer = scene.admin.get(f"/api/budgets/{made['id']}/")
    assert expect(answer, 200) == made
    assert answer.headers["ETag"] == f'"{made["id"]}-1"'


@case("budgets.replace_budget", "PUT")
def _replace_budget(scene: Scene) -> None:
    made = budget(scene)
    body = {"category": made["category"], "amount": "80.00", "start_month": "2026-04"}
    replaced = expect(scene.admin.put(f"/api/budgets/{made['id']}/", json=body), 200)
    assert (replaced["amount"], replaced["start_month"], replaced["version"]) == (
        "80.00",
        "2026-04",
        2,
    )


@case("budgets.update_budget", "PATCH")
def _update_budget(scene: Scene) -> None:
    made = budget(scene)
    patched = expect(
        scene.admin.patch(f"/api/budgets/{made['id']}/", json={"end_month": "2026-12"}), 200
    )
    assert (patched["end_month"], patched["version"]) == ("2026-12", 2)


@case("budgets.delete_budget", "DELETE")
def _delete_budget(scene: Scene) -> None:
    made = budget(scene)
    expect(scene.admin.delete(f"/api/budgets/{made['id']}/"), 204)
    expect(scene.admin.get(f"/api/budgets/{made['id']}/"), 404)


@case("dashboard.budgets", "GET")
def _budgets_dashboard(scene: Scene) -> None:
    analyst, (_, expense) = analyst_with_records(scene)
    made = budget(scene, analyst.user, category=expense["category"], amount="50.00")
    answer = expect(analyst.get("/api/dashboard/budgets/", query_string={"month": "2026-03"}), 200)
    assert answer["results"] == [
        {
            "budget_id": made["id"],
            "owner_id": analyst.user["id"],
            "category": expense["category"],
            "budgeted": "50.00",
            "carried": "0.00",
            "available": "50.00",
            "spent": "40.25",
            "remaining": "9.75",
            "percent_used": "80.5",
        }
    ]


# -- recurring schedules ------------------------------------------------------------------------


def schedule(scene: Scene, owner: dict[str, Any] | None = None, **changes: Any) -> dict[str, Any]:
    body = {
        "amount": "30.00",
        "type": "expense",
        "category": scene.unique("Every"),
        "frequency": "monthly",
        "start_date": "2026-01-31",
        "count": 4,
    }
    if owner is not None:
        body["owner_id"] = owner["id"]
    made: dict[str, Any] = expect(
        scene.admin.post("/api/recurring/", json={**body, **changes}), 201
    )
    return made


@case("recurring.list_schedules", "GET")
def _list_schedules(scene: Scene) -> None:
    viewer = scene.caller("viewer")
    mine = schedule(scene, viewer.user)
    schedule(scene)
    answer = expect(viewer.get("/api/recurring/"), 200)
    assert [s["id"] for s in answer["results"]] == [mine["id"]]


@case("recurring.create_schedule", "POST")
def _create_schedule(scene: Scene) -> None:
    made = schedule(scene)
    assert (made["next_date"], made["interval"], made["active"]) == ("2026-01-31", 1, True)


@case("recurring.get_schedule", "GET")
def _get_schedule(scene: Scene) -> None:
    made = schedule(scene)
    assert expect(scene.admin.get(f"/api/recurring/{made['id']}/"), 200) == made


@case("recurring.replace_schedule", "PUT")
def _replace_schedule(scene: Scene) -> None:
    made = schedule(scene)
    body = {k: made[k] for k in ("amount", "type", "category", "frequency", "start_date")}
    replaced = expect(scene.admin.put(f"/api/recurring/{made['id']}/", json=body), 200)
    assert (replaced["count"], replaced["version"]) == (None, 2)


@case("recurring.update_schedule", "PATCH")
def _update_schedule(scene: Scene) -> None:
    made = schedule(scene)
    patched = expect(scene.admin.patch(f"/api/recurring/{made['id']}/", json={"interval": 2}), 200)
    assert patched["interval"] == 2


@case("recurring.deactivate_schedule", "DELETE")
def _deactivate_schedule(scene: Scene) -> None:
    made = schedule(scene)
    expect(scene.admin.delete(f"/api/recurring/{made['id']}/"), 204)
    after = expect(scene.admin.get(f"/api/recurring/{made['id']}/"), 200)
    assert (after["active"], after["next_date"]) == (False, None)


@case("recurring.upcoming_occurrences", "GET")
def _upcoming(scene: Scene) -> None:
    made = schedule(scene)
    answer = scene.admin.get(f"/api/recurring/{made['id']}/upcoming/", query_string={"limit": 3})
    assert expect(answer, 200) == {"results": ["2026-01-31", "2026-02-28", "2026-03-31"]}


@case("recurring.run_schedule", "POST")
def _run_schedule(scene: Scene) -> None:
    made = schedule(scene)
    url = f"/api/recurring/{made['id']}/run/"
    answer = expect(scene.admin.post(url, query_string={"until": "2026-02-28"}), 200)
    assert answer["created"] == 2
    again = expect(scene.admin.post(url, query_string={"until": "2026-02-28"}), 200)
    assert again == {"created": 0, "records": []}
    first = expect(scene.admin.get(f"/api/records/{answer['records'][0]}/"), 200)
    assert (first["date"], first["recurring_id"]) == ("2026-01-31", made["id"])


@case("dashboard.forecast", "GET")
def _forecast(scene: Scene) -> None:
    analyst = scene.caller("analyst")
    answer = expect(analyst.get("/api/dashboard/forecast/", query_string={"months": 2}), 200)
    assert [m["scheduled_net"] for m in answer["results"]] == ["0.00", "0.00"]
    assert len({m["month"] for m in answer["results"]}) == 2


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
