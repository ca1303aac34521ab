"""The service root, health check, Swagger UI and OpenAPI spec."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from finance.adapters.sqlalchemy.engine import build_engine
from finance.adapters.sqlalchemy.sessions import SqlHealthProbe
from tests.conftest import Store, build_test_app
from tests.http.assertions import assert_error

NOTHING_LISTENS = "postgresql+psycopg://finance:finance@127.0.0.1:9/finance"


def test_root(client: FlaskClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert response.json == {"status": "running", "docs": "/api/docs/"}


def test_health(client: FlaskClient) -> None:
    response = client.get("/api/health/")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok"}


def test_health_is_503_json_when_the_database_is_unreachable(sqlite_store: Store) -> None:
    app = build_test_app(sqlite_store)
    engine = build_engine(NOTHING_LISTENS)
    try:
        app.container.health_probe.override(SqlHealthProbe(engine))  # type: ignore[attr-defined]
        response = app.test_client().get("/api/health/")
    finally:
        engine.dispose()
    body = assert_error(response, 503)
    assert "database" in body["message"].lower()


def test_health_and_root_need_no_token(client: FlaskClient) -> None:
    headers = {"Authorization": "Bearer not-a-token"}
    assert client.get("/", headers=headers).status_code == 200
    assert client.get("/api/health/", headers=headers).status_code == 200


def test_docs_are_served_from_this_app(client: FlaskClient) -> None:
    response = client.get("/api/docs/")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert "/api/openapi.json" in html
    assert not re.search(r"https?://", html), "no CDN or other outside URL"
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert any(a.endswith(".js") for a in assets) and any(a.endswith(".css") for a in assets)
    for asset in assets:
        assert asset.startswith("/"), asset
        fetched = client.get(asset)
        assert fetched.status_code == 200, asset
        assert len(fetched.get_data()) > 1000, asset


def spec(client: FlaskClient) -> dict[str, Any]:
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    body: dict[str, Any] = response.json
    return body


def operations(document: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {
        (path, method): operation
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in ("get", "post", "put", "patch", "delete")
    }


def test_spec_has_the_bearer_scheme(client: FlaskClient) -> None:
    document = spec(client)
    assert document["openapi"].startswith("3.")
    assert document["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
    }


def test_spec_documents_every_route(app: Flask, client: FlaskClient) -> None:
    documented = operations(spec(client))
    for rule in app.url_map.iter_rules():
        if not (rule.rule == "/" or rule.rule.startswith("/api/")) or "/api/docs" in rule.rule:
            continue
        if rule.rule == "/api/openapi.json":
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert (path, method.lower()) in documented, (method, path)


def test_spec_declares_auth_and_error_responses(client: FlaskClient) -> None:
    document = spec(client)
    public = {("/", "get"), ("/api/health/", "get"), ("/api/auth/login/", "post")}
    public.add(("/api/auth/refresh/", "post"))
    components = document["components"]["responses"]
    error_schema = document["components"]["schemas"]["Error"]["properties"]
    assert {"code", "status", "message", "errors"} <= set(error_schema)
    for key, operation in operations(document).items():
        responses = operation["responses"]
        if key in public:
            assert operation["security"] == [], key
        else:
            assert operation.get("security", document["security"]) == [{"bearerAuth": []}], key
            assert "401" in responses, key
        for code, response in responses.items():
            if code.startswith(("4", "5")):
                if "$ref" in response:
                    response = components[response["$ref"].rsplit("/", 1)[-1]]
                body = response["content"]["application/json"]["schema"]
                assert body["$ref"].rsplit("/", 1)[-1] in ("Error", "ImportRejected"), key
                if code in ("429", "503"):
                    assert response["headers"]["Retry-After"]["required"] is True, key
    ops = operations(document)
    for path, method in [("/api/users/", "get"), ("/api/users/", "post")]:
        assert "403" in ops[(path, method)]["responses"]
    for method in ("patch", "delete"):
        assert {"403", "404", "409"} <= set(ops[("/api/users/{user_id}/", method)]["responses"])
    assert "409" in ops[("/api/users/", "post")]["responses"]
    assert "422" in ops[("/api/users/", "post")]["responses"]
    assert {"401", "429"} <= set(ops[("/api/auth/login/", "post")]["responses"])
    for key, operation in ops.items():
        if key not in {("/", "get")}:
            assert "503" in operation["responses"], key
        if "requestBody" in operation:
            assert "413" in operation["responses"], key


def test_spec_describes_the_user_object_without_secrets(client: FlaskClient) -> None:
    document = spec(client)
    schema = document["components"]["schemas"]["User"]["properties"]
    assert set(schema) == {"id", "email", "name", "role", "is_active", "date_joined"}
