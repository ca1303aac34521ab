"""API7:2023 Server Side Request Forgery: does not apply, and these tests keep it that way.

SSRF needs a server that fetches a URL a client can influence. This API fetches nothing: no
route takes a URL to download (no webhook, avatar, or import from a link); the CSV import reads
the request body only; the Swagger UI is served from the app's own files; the one outgoing
connection is the database's, to a URL from configuration. So there is no SSRF test to write,
only the guard that keeps the premise true: the spec declares no input that is a URL or a host,
and URL-looking text sent anywhere is kept as text, with no connection attempted."""

from __future__ import annotations

import re
import socket
from typing import Any

import pytest

from tests.security.conftest import CSV_HEADER, EXPORT, World, record_body, send_csv

URL_NAME = re.compile(
    r"url|uri|href|link|callback|webhook|redirect|host|endpoint|fetch|source|target|proxy",
    re.IGNORECASE,
)
URL_FORMATS = {"uri", "url", "uri-reference", "iri", "hostname", "ipv4", "ipv6"}
METADATA_URL = "http://169.254.169.254/latest/meta-data/iam/security-credentials/"


def _resolve(document: dict[str, Any], schema: Any) -> Any:
    while isinstance(schema, dict) and "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = document["components"]["schemas"][name]
    return schema


def _inputs(document: dict[str, Any]) -> list[tuple[str, str, str, dict[str, Any]]]:
    """Every input of every operation: (operation, where, name, schema)."""
    found = []
    for path, item in document["paths"].items():
        shared = item.get("parameters", [])
        for method, operation in item.items():
            if method == "parameters":
                continue
            where = f"{method.upper()} {path}"
            for parameter in [*shared, *operation.get("parameters", [])]:
                schema = _resolve(document, parameter.get("schema", {}))
                found.append((where, parameter["in"], parameter["name"], schema))
            content = operation.get("requestBody", {}).get("content", {})
            for media in content.values():
                body = _resolve(document, media.get("schema", {}))
                for name, schema in body.get("properties", {}).items():
                    found.append((where, "body", name, _resolve(document, schema)))
    return found


def test_the_spec_declares_no_input_that_is_a_url_or_a_host(world: World) -> None:
    document = world.root.get("/api/openapi.json").json
    inputs = _inputs(document)
    assert len(inputs) > 20, "the walk found the inputs"
    suspicious = [
        (where, name)
        for where, _in, name, schema in inputs
        if URL_NAME.search(name) or schema.get("format") in URL_FORMATS
    ]
    assert suspicious == []
    operations = [
        operation
        for item in document["paths"].values()
        for method, operation in item.items()
        if method != "parameters"
    ]
    assert [o for o in operations if "callbacks" in o] == []


@pytest.fixture
def no_outgoing_connections(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every attempt to resolve a name or open a socket, refused and noted."""
    attempts: list[Any] = []

    def refuse(*args: Any, **kwargs: Any) -> Any:
        attempts.append(args)
        raise OSError("outgoing connections are not allowed in this test")

    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    return attempts


HEADERS = {
    "Referer": METADATA_URL,
    "X-Forwarded-Host": "169.254.169.254",
    "X-Original-URL": "/api/users/",
    "X-Rewrite-URL": "/api/users/",
    "Forwarded": "for=1.2.3.4;host=169.254.169.254;proto=http",
}
QUERY = {"url": METADATA_URL, "callback": METADATA_URL, "redirect": METADATA_URL}


def test_url_looking_input_is_kept_as_text_and_never_fetched(
    world: World, no_outgoing_connections: list[Any]
) -> None:
    owner = world.caller("viewer")
    created = world.root.post(
        "/api/records/",
        json=record_body(category=METADATA_URL[:100], description=METADATA_URL, owner_id=owner.id),
        headers=HEADERS,
        query_string=QUERY,
    )
    assert created.status_code == 201, created.json
    assert (created.json["category"], created.json["description"]) == (
        METADATA_URL[:100],
        METADATA_URL,
    )
    imported = send_csv(
        world.root,
        CSV_HEADER + f"2026-01-05,expense,file:///etc/passwd,1.00,{METADATA_URL},{owner.id}\r\n",
        headers=HEADERS,
    )
    assert imported.status_code == 201, imported.json
    renamed = world.root.patch(f"/api/users/{owner.id}/", json={"name": METADATA_URL})
    assert renamed.json["name"] == METADATA_URL
    listed = owner.get("/api/records/", headers=HEADERS, query_string=QUERY)
    assert "results" in listed.json, "a header or parameter must not reroute the request"
    assert sorted(r["category"] for r in listed.json["results"]) == sorted(
        [METADATA_URL[:100], "file:///etc/passwd"]
    )
    exported = owner.get(EXPORT, headers=HEADERS, query_string=QUERY).get_data(as_text=True)
    assert METADATA_URL in exported
    assert no_outgoing_connections == []
