"""API9:2023 Improper Inventory Management.

The OpenAPI document is the inventory, and it must match what runs: every route Flask serves
(but the documentation itself: the Swagger UI, its files and the spec) is in
``/api/openapi.json``, and every operation there is served. Each operation says who may call it
(bearer or public, and the app agrees) and declares the errors it can answer: 401 on bearer
routes, 422 where it takes input, 404 where the path names an object, 403 where a role is
refused, 429 on login, 413 where it takes a body, 503 where it needs the database."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.security.conftest import World, assert_safe_error
from tests.security.operations import OPERATIONS, WEB_PAGES, Operation

DOCUMENTATION = {"/api/docs/", "/api/docs/static/{}", "/api/openapi.json", *WEB_PAGES}
DOCUMENTED = [o for o in OPERATIONS if o.shape not in DOCUMENTATION]


@pytest.fixture(scope="module")
def spec(world: World) -> dict[str, Any]:
    response = world.root.get("/api/openapi.json")
    assert response.status_code == 200
    document: dict[str, Any] = response.json
    return document


def _operations(document: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {
        (method.upper(), re.sub(r"\{[^}]*\}", "{}", path)): operation
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method != "parameters"
    }


def test_what_runs_and_what_is_documented_are_the_same(world: World, spec: dict[str, Any]) -> None:
    served = {
        (method, re.sub(r"<[^>]+>", "{}", rule.rule))
        for rule in world.app.url_map.iter_rules()
        if rule.endpoint != "static"
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}
    }
    served = {(m, path) for m, path in served if path not in DOCUMENTATION}
    documented = set(_operations(spec))
    assert served - documented == set(), "served but not documented"
    assert documented - served == set(), "documented but not served"


@pytest.mark.parametrize("operation", DOCUMENTED, ids=lambda o: o.id)
def test_the_spec_says_who_needs_a_token_and_the_app_agrees(
    world: World, spec: dict[str, Any], operation: Operation
) -> None:
    documented = _operations(spec)[operation.method, operation.shape]
    security = documented.get("security", spec.get("security"))
    assert security == ([{"bearerAuth": []}] if operation.bearer else []), security
    url = operation.url.format(record_id=1, deleted_id=1, user_id=1, budget_id=1, schedule_id=1)
    response = world.app.test_client().open(url, method=operation.method)
    if operation.bearer:
        assert_safe_error(response, 401)
    else:
        assert response.status_code != 401, response.json


def _takes_input(documented: dict[str, Any], spec: dict[str, Any]) -> bool:
    parameters = [*documented.get("parameters", [])]
    return "requestBody" in documented or any(p["in"] == "query" for p in parameters)


def _required_errors(
    operation: Operation, documented: dict[str, Any], spec: dict[str, Any]
) -> set[str]:
    required = set()
    if operation.bearer:
        required.add("401")
    if _takes_input(documented, spec):
        required.add("422")
    if "_id}" in operation.url:
        required.add("404")
    if any(operation.expected(role) == 403 for role in ("viewer", "analyst", "admin")):
        required.add("403")
    if operation.url == "/api/auth/login/":
        required.add("429")
    return required


@pytest.mark.parametrize("operation", DOCUMENTED, ids=lambda o: o.id)
def test_each_operation_declares_the_errors_it_answers(
    spec: dict[str, Any], operation: Operation
) -> None:
    documented = _operations(spec)[operation.method, operation.shape]
    required = _required_errors(operation, documented, spec)
    assert required - set(documented["responses"]) == set()


@pytest.mark.parametrize(
    "operation", [o for o in DOCUMENTED if o.json or o.csv], ids=lambda o: o.id
)
def test_each_operation_with_a_body_declares_413(
    spec: dict[str, Any], operation: Operation
) -> None:
    """The contract: a body over the size limit is a 413 on any route."""
    documented = _operations(spec)[operation.method, operation.shape]
    assert "413" in documented["responses"]


@pytest.mark.parametrize(
    "operation", [o for o in DOCUMENTED if o.needs_database], ids=lambda o: o.id
)
def test_each_operation_that_needs_the_database_declares_503(
    spec: dict[str, Any], operation: Operation
) -> None:
    """The contract: 503 when the database is unreachable, on every route that needs it."""
    documented = _operations(spec)[operation.method, operation.shape]
    assert "503" in documented["responses"]


def test_every_declared_error_is_the_error_shape(spec: dict[str, Any]) -> None:
    """``{code, status, message, errors?}``; the import's 422 lists its row errors in
    ``errors``, as the contract says, so its schema may differ there only."""
    components = spec["components"]["responses"]
    for key, documented in _operations(spec).items():
        for code, response in documented["responses"].items():
            if code.startswith(("4", "5")) or code == "default":
                if "$ref" in response:
                    response = components[response["$ref"].rsplit("/", 1)[-1]]
                schema = response["content"]["application/json"]["schema"]
                name = schema["$ref"].rsplit("/", 1)[-1]
                fields = set(spec["components"]["schemas"][name]["properties"])
                assert {"code", "status", "message"} <= fields, (key, code, name)
                assert fields <= {"code", "status", "message", "errors"}, (key, code, name)
    error = spec["components"]["schemas"]["Error"]["properties"]
    assert {"code", "status", "message", "errors"} <= set(error)


@pytest.mark.parametrize("method", ["TRACE", "CONNECT", "PROPFIND", "FOO"])
@pytest.mark.parametrize("path", ["/", "/api/records/", "/api/auth/login/"])
def test_a_method_nothing_documents_is_a_json_405(world: World, method: str, path: str) -> None:
    assert_safe_error(world.root.open(method, path), 405)
