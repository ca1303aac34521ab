"""Hostile input, on every store: each class of input a fuzzer or an attacker sent that once
answered 500 or stored part of a request is now a clear 4xx that changes nothing."""

from __future__ import annotations

import io
import json
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from finance.adapters.sqlalchemy.engine import build_engine
from tests.conftest import ADMIN_EMAIL, PASSWORD, Api, Store, build_test_app, ensure_admin, login
from tests.http.assertions import assert_error

MAX_ID = 2**63 - 1
RECORD = {"amount": "12.50", "type": "expense", "category": "Food", "date": "2026-01-10"}
CSV_HEADER = "date,type,category,amount,description,owner_id\r\n"


@pytest.fixture
def store_app(any_store: Store) -> Flask:
    app = build_test_app(any_store, max_import_mb=1)
    ensure_admin(app)
    return app


@pytest.fixture
def boss(store_app: Flask) -> Api:
    client = store_app.test_client()
    tokens = login(client, ADMIN_EMAIL)
    me = client.get("/api/auth/me/", headers={"Authorization": f"Bearer {tokens['access']}"})
    return Api(client, tokens["access"], me.json)


def create(api: Api, **changes: Any) -> dict[str, Any]:
    response = api.post("/api/records/", json={**RECORD, **changes})
    assert response.status_code == 201, response.json
    return response.json  # type: ignore[no-any-return]


def record_count(api: Api) -> int:
    response = api.get("/api/records/", query_string={"page_size": 1})
    assert response.status_code == 200, response.json
    return int(response.json["count"])


def send_raw_json(api: Api, method: str, url: str, text: str, **kw: Any) -> Any:
    return getattr(api, method)(
        url, data=text.encode("utf-8"), content_type="application/json", **kw
    )


def users_and_records(api: Api) -> tuple[Any, Any]:
    return api.get("/api/users/").json["results"], api.get("/api/records/").json["results"]


# --- 1. a chunked body over the limit: tests/e2e/test_server_edges.py, on gunicorn -----------
# (Flask's test client sends every body with a length, so only a real server shows it.)


# --- 2, 3. text no store can hold ---------------------------------------------------------------

UNSTORABLE = {"lone surrogate": "\\ud800", "NUL": "\\u0000"}


def json_bodies(api: Api) -> list[tuple[str, str, str, dict[str, Any]]]:
    """(method, url, field, a valid body) for every JSON string a client sends."""
    record = create(api)
    me = api.user["id"]
    user = {"email": "x@example.com", "name": "X", "password": "long-enough-1", "role": "viewer"}
    return [
        ("post", "/api/auth/login/", "email", {"email": ADMIN_EMAIL, "password": PASSWORD}),
        ("post", "/api/auth/login/", "password", {"email": ADMIN_EMAIL, "password": PASSWORD}),
        ("post", "/api/auth/refresh/", "refresh", {"refresh": "token"}),
        ("post", "/api/auth/logout/", "refresh", {"refresh": "token"}),
        (
            "post",
            "/api/auth/password/",
            "current_password",
            {"current_password": PASSWORD, "new_password": "another-password-1"},
        ),
        (
            "post",
            "/api/auth/password/",
            "new_password",
            {"current_password": PASSWORD, "new_password": "another-password-1"},
        ),
        ("post", "/api/users/", "email", user),
        ("post", "/api/users/", "name", user),
        ("post", "/api/users/", "password", user),
        ("patch", f"/api/users/{me}/", "name", {"name": "Me"}),
        ("patch", f"/api/users/{me}/", "password", {"password": "long-enough-2"}),
        ("post", "/api/records/", "category", dict(RECORD)),
        ("post", "/api/records/", "description", {**RECORD, "description": "d"}),
        ("put", f"/api/records/{record['id']}/", "category", dict(RECORD)),
        ("patch", f"/api/records/{record['id']}/", "description", {"description": "d"}),
    ]


@pytest.mark.parametrize("kind", UNSTORABLE)
def test_unstorable_text_in_any_json_field_is_422_naming_the_field(boss: Api, kind: str) -> None:
    before = users_and_records(boss)
    for method, url, field, body in json_bodies(boss):
        before = users_and_records(boss)
        text = json.dumps({**body, field: "abc"}).replace('"abc"', f'"a{UNSTORABLE[kind]}bc"')
        response = send_raw_json(boss, method, url, text)
        assert_error(response, 422, {"json": {field}})
        assert users_and_records(boss) == before, (method, url, field)
    assert boss.get("/api/auth/me/").status_code == 200


@pytest.mark.parametrize(
    ("url", "parameter"),
    [
        ("/api/records/", "q"),
        ("/api/records/", "category"),
        ("/api/records/deleted/", "q"),
        ("/api/records/export/", "q"),
        ("/api/records/export/", "category"),
        ("/api/users/", "q"),
    ],
)
def test_a_nul_in_a_query_filter_is_422(boss: Api, url: str, parameter: str) -> None:
    assert_error(boss.get(url, query_string={parameter: "fo\x00od"}), 422, {"query": {parameter}})


def test_a_nul_in_a_csv_cell_is_a_row_error_and_stores_nothing(boss: Api) -> None:
    text = (
        CSV_HEADER + "2026-01-05,expense,Food,1.00,fine,\r\n2026-01-05,expense,Fo\x00od,2.00,,\r\n"
    )
    response = boss.post("/api/records/import/", data=text.encode(), content_type="text/csv")
    body = assert_error(response, 422)
    assert body["errors"] == [
        {"line": 3, "field": "category", "message": body["errors"][0]["message"]}
    ]
    assert record_count(boss) == 0


def test_a_nul_in_the_login_email_is_422_not_a_failed_attempt(boss: Api) -> None:
    client = boss.client
    for _ in range(7):
        response = send_raw_json(
            Api(client), "post", "/api/auth/login/", '{"email": "a\\u0000@x.io", "password": "p"}'
        )
        assert_error(response, 422, {"json": {"email"}})
    assert login(client, ADMIN_EMAIL)["access"]


# --- 4. the login throttle under concurrency ----------------------------------------------------


def test_concurrent_wrong_passwords_check_at_most_five(store_app: Flask) -> None:
    client = store_app.test_client()
    start = threading.Barrier(16)

    def attempt(_: int) -> int:
        start.wait(timeout=10)
        body = {"email": ADMIN_EMAIL, "password": "wrong-password"}
        return int(client.post("/api/auth/login/", json=body).status_code)

    with ThreadPoolExecutor(max_workers=16) as pool:
        statuses = list(pool.map(attempt, range(16)))
    assert statuses.count(401) == 5, statuses
    assert statuses.count(429) == 11, statuses
    refused = client.post("/api/auth/login/", json={"email": ADMIN_EMAIL, "password": PASSWORD})
    assert_error(refused, 429)
    assert int(refused.headers["Retry-After"]) > 0


# --- 5. ids past 64 bits ------------------------------------------------------------------------


@pytest.mark.parametrize("owner_id", [MAX_ID + 1, 2**64, 10**40, 0, -1])
def test_an_owner_id_out_of_range_in_a_body_is_422(boss: Api, owner_id: int) -> None:
    record = create(boss)
    url = f"/api/records/{record['id']}/"
    assert_error(
        boss.post("/api/records/", json={**RECORD, "owner_id": owner_id}),
        422,
        {"json": {"owner_id"}},
    )
    assert_error(boss.put(url, json={**RECORD, "owner_id": owner_id}), 422, {"json": {"owner_id"}})
    assert_error(boss.patch(url, json={"owner_id": owner_id}), 422, {"json": {"owner_id"}})
    assert boss.get(url).json["version"] == 1
    assert record_count(boss) == 1


@pytest.mark.parametrize(
    "url",
    [
        "/api/records/?owner_id={}",
        "/api/records/export/?owner_id={}",
        "/api/dashboard/summary/?owner_id={}",
        "/api/records/import/?owner_id={}",
    ],
)
def test_an_id_past_64_bits_in_the_query_is_422(boss: Api, url: str) -> None:
    method = boss.post if "import" in url else boss.get
    response = method(url.format(MAX_ID + 1), data=CSV_HEADER, content_type="text/csv")
    assert_error(response, 422, {"query": {"owner_id"}})


@pytest.mark.parametrize("record_id", [MAX_ID + 1, 10**30, 0])
def test_an_id_out_of_range_in_the_path_is_422(boss: Api, record_id: int) -> None:
    for method in (boss.get, boss.patch, boss.delete):
        response = method(f"/api/records/{record_id}/", json={"description": "x"})
        assert_error(response, 422, {"path": {"record_id"}})
    assert_error(boss.get(f"/api/users/{record_id}/"), 422, {"path": {"user_id"}})


def test_the_largest_id_is_simply_not_found(boss: Api) -> None:
    assert_error(boss.get(f"/api/records/{MAX_ID}/"), 404)
    assert_error(boss.get(f"/api/users/{MAX_ID}/"), 404)


def test_an_owner_id_past_64_bits_in_a_csv_is_a_row_error(boss: Api) -> None:
    text = CSV_HEADER + f"2026-01-05,expense,Food,1.00,,{MAX_ID + 1}\r\n"
    response = boss.post("/api/records/import/", data=text.encode(), content_type="text/csv")
    assert assert_error(response, 422)["errors"][0]["field"] == "owner_id"
    assert record_count(boss) == 0


@pytest.mark.parametrize("value", ["1_0", "+1", "\uff12", " 2", "2.0", "0x1"])
def test_integers_in_the_query_are_ascii_digits(boss: Api, value: str) -> None:
    for url, name in [
        ("/api/records/", "page"),
        ("/api/records/", "page_size"),
        ("/api/records/", "owner_id"),
        ("/api/users/", "page"),
        ("/api/dashboard/recent-transactions/", "limit"),
        ("/api/dashboard/monthly-trends/", "months"),
    ]:
        assert_error(boss.get(url, query_string={name: value}), 422, {"query": {name}})


# --- 6. JSON nested too deep --------------------------------------------------------------------

JSON_ROUTES = [
    ("post", "/api/auth/login/"),
    ("post", "/api/auth/refresh/"),
    ("post", "/api/auth/logout/"),
    ("post", "/api/auth/password/"),
    ("post", "/api/users/"),
    ("patch", "/api/users/1/"),
    ("post", "/api/records/"),
    ("put", "/api/records/1/"),
    ("patch", "/api/records/1/"),
]


@pytest.mark.parametrize("depth", [40, 1_000, 100_000])
def test_json_nested_too_deep_is_422_on_every_json_route(boss: Api, depth: int) -> None:
    create(boss)
    text = '{"description": ' + "[" * depth + "]" * depth + "}"
    for method, url in JSON_ROUTES:
        body = assert_error(send_raw_json(boss, method, url, text), 422)
        assert "nested" in str(body["errors"]["json"]).lower(), (url, body)
    assert boss.get("/api/records/1/").json["version"] == 1


def test_an_integer_too_long_for_python_is_422(boss: Api) -> None:
    text = json.dumps(RECORD)[:-1] + ', "owner_id": ' + "9" * 5000 + "}"
    assert_error(send_raw_json(boss, "post", "/api/records/", text), 422, {"json": {"owner_id"}})
    assert_error(boss.get("/api/records/" + "9" * 5000 + "/"), 422, {"path": {"record_id"}})
    assert record_count(boss) == 0


# --- 7. a CSV cell too large to parse -----------------------------------------------------------


@pytest.mark.parametrize("multipart", [False, True])
def test_a_csv_cell_over_the_parser_limit_is_422_and_stores_nothing(
    boss: Api, multipart: bool
) -> None:
    text = (
        CSV_HEADER
        + "2026-01-05,expense,Food,1.00,fine,\r\n"
        + '2026-01-05,expense,Food,1.00,"'
        + "x" * 200_000
        + '",\r\n'
    )
    if multipart:
        upload = {"file": (io.BytesIO(text.encode()), "big.csv")}
        response = boss.post(
            "/api/records/import/", data=upload, content_type="multipart/form-data"
        )
    else:
        response = boss.post("/api/records/import/", data=text.encode(), content_type="text/csv")
    body = assert_error(response, 422)
    assert body["errors"][0]["line"] == 3
    assert "131072" in body["errors"][0]["message"]
    assert record_count(boss) == 0


def test_a_csv_header_cell_over_the_parser_limit_is_422(boss: Api) -> None:
    text = '"' + "x" * 200_000 + '",type,category,amount\r\n'
    response = boss.post("/api/records/import/", data=text.encode(), content_type="text/csv")
    assert assert_error(response, 422)["errors"][0]["line"] == 1


# --- 8. the database unavailable ----------------------------------------------------------------


def unreachable_database(app: Flask) -> Callable[[], None]:
    """Point the app at a PostgreSQL port nobody listens on; returns how to undo it."""
    container = app.container  # type: ignore[attr-defined]
    container.engine.override(build_engine("postgresql+psycopg://x:y@127.0.0.1:9/none"))
    container.reset_singletons()

    def restore() -> None:
        container.engine.reset_override()
        container.reset_singletons()

    return restore


def test_with_the_database_unreachable_every_route_is_503_then_recovers(
    sqlite_store: Store,
) -> None:
    app = build_test_app(sqlite_store)
    ensure_admin(app)
    client: FlaskClient = app.test_client()
    boss = Api(client, login(client, ADMIN_EMAIL)["access"])
    record = create(boss)
    restore = unreachable_database(app)
    calls: list[tuple[Any, str, dict[str, Any]]] = [
        (client.post, "/api/auth/login/", {"json": {"email": ADMIN_EMAIL, "password": PASSWORD}}),
        (boss.get, "/api/auth/me/", {}),
        (boss.get, "/api/users/", {}),
        (boss.get, "/api/records/", {}),
        (boss.post, "/api/records/", {"json": RECORD}),
        (boss.get, f"/api/records/{record['id']}/", {}),
        (boss.get, "/api/records/export/", {}),
        (boss.get, "/api/dashboard/summary/", {}),
        (client.get, "/api/health/", {}),
    ]
    try:
        for call, url, kw in calls:
            response = call(url, **kw)
            assert_error(response, 503)
            assert int(response.headers["Retry-After"]) > 0, url
        assert client.get("/").status_code == 200
        assert client.get("/api/openapi.json").status_code == 200
    finally:
        restore()
    assert boss.get(f"/api/records/{record['id']}/").status_code == 200
    assert client.get("/api/health/").status_code == 200


# --- 10. headers on every answer ----------------------------------------------------------------


def test_every_answer_says_nosniff(boss: Api) -> None:
    answers = [
        boss.get("/"),
        boss.get("/api/records/"),
        boss.get("/api/records/export/"),
        boss.get("/api/records/999/"),
        boss.get("/api/docs/"),
        boss.get("/api/openapi.json"),
        Api(boss.client).get("/api/records/"),
        boss.post("/api/records/", json={}),
    ]
    for response in answers:
        assert response.headers["X-Content-Type-Options"] == "nosniff", response.request.path


def test_answers_that_carry_tokens_are_not_cached(boss: Api) -> None:
    client = boss.client
    tokens = client.post("/api/auth/login/", json={"email": ADMIN_EMAIL, "password": PASSWORD})
    renewed = client.post("/api/auth/refresh/", json={"refresh": tokens.json["refresh"]})
    for response in (tokens, renewed):
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "no-store"
    assert "no-store" not in boss.get("/api/records/").headers.get("Cache-Control", "")


# --- 12. the server keeps the rules the spec states ---------------------------------------------


def test_a_write_without_a_body_is_422_and_changes_nothing(boss: Api) -> None:
    record = create(boss)
    for method, url in [
        (boss.patch, f"/api/records/{record['id']}/"),
        (boss.put, f"/api/records/{record['id']}/"),
        (boss.patch, f"/api/users/{boss.user['id']}/"),
        (boss.post, "/api/users/"),
    ]:
        assert_error(method(url), 422, {"json": {"_schema"}})
    assert boss.get(f"/api/records/{record['id']}/").json["version"] == 1
    assert boss.post("/api/auth/logout/").status_code == 204, "logout's body is optional"


@pytest.mark.parametrize("value", ["1", "yes", "on", "True", "0"])
def test_booleans_in_the_query_are_true_or_false(boss: Api, value: str) -> None:
    assert_error(boss.get("/api/users/", query_string={"is_active": value}), 422)
    assert boss.get("/api/users/", query_string={"is_active": "true"}).status_code == 200


@pytest.mark.parametrize("amount", [" 12.50", "12.50 ", "\u00a012.50"])
def test_amounts_with_surrounding_spaces_are_422(boss: Api, amount: str) -> None:
    response = boss.post("/api/records/", json={**RECORD, "amount": amount})
    assert_error(response, 422, {"json": {"amount"}})
    assert_error(boss.get("/api/records/", query_string={"min_amount": amount}), 422)


def test_an_email_with_a_byte_order_mark_is_422(boss: Api) -> None:
    body = {
        "email": "a\ufeff@example.com",
        "name": "A",
        "password": "long-enough-1",
        "role": "viewer",
    }
    assert_error(boss.post("/api/users/", json=body), 422, {"json": {"email"}})
