"""Every route answers through the wired container (a module left out of wiring would hand a
view a marker instead of a use case, and fail here)."""

from __future__ import annotations

from flask import Flask

from tests.conftest import Api


def test_every_route_is_wired(app: Flask, admin: Api) -> None:
    skipped = {"static", "api-docs.openapi_json", "api-docs.openapi_swagger_ui", "swagger_ui_asset"}
    for rule in app.url_map.iter_rules():
        if rule.endpoint in skipped:
            continue
        url = rule.rule
        for argument in rule.arguments:
            url = url.replace(f"<id:{argument}>", "1").replace(f"<{argument}>", "1")
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = admin.client.open(url, method=method, headers=admin._headers(None), json={})
            assert response.status_code < 500, (method, url, response.json)
            assert response.is_json, (method, url)
