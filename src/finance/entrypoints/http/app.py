"""Building the Flask application: API, docs, errors, tokens, request ids and access logs."""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from collections.abc import Mapping
from importlib.resources import files
from typing import Any

from flask import Flask, Response, g, request, send_from_directory
from flask_smorest import Api, abort
from werkzeug.routing import BaseConverter

from finance.domain.ids import ID_RANGE_MESSAGE, MAX_ID
from finance.entrypoints.http import (
    auth,
    budgets,
    dashboard,
    operations,
    record_files,
    records,
    recurring,
    users,
)
from finance.entrypoints.http.bounded_request import BoundedRequest
from finance.entrypoints.http.errors import register_error_handlers
from finance.entrypoints.http.security import init_jwt
from finance.entrypoints.web import pages

SWAGGER_UI_ASSETS = "/api/docs/static/"
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,200}$")

access_log = logging.getLogger("finance.access")

API_DESCRIPTION = """Financial records and analytics with role-based access.

Sign in with `POST /api/auth/login/`, then send `Authorization: Bearer <access>`.
Money is a string with two decimals; errors share one JSON shape:
`{"code", "status", "message", "errors"?}`."""


class IdConverter(BaseConverter):
    """An id in the path, in ASCII digits; whether it is in range is checked by
    ``_check_path_ids``, so that an id out of range is a 422 like anywhere else."""

    regex = r"[0-9]+"

    def to_python(self, value: str) -> int:
        # Thousands of digits would exceed Python's own limit on int(); any past 19 are too many.
        return int(value) if len(value.lstrip("0")) <= len(str(MAX_ID)) else MAX_ID + 1

    def to_url(self, value: Any) -> str:
        return str(value)


def _check_path_ids(_endpoint: str | None, values: dict[str, Any] | None) -> None:
    for name, value in (values or {}).items():
        if isinstance(value, int) and not 1 <= value <= MAX_ID:
            abort(422, message="Invalid input.", errors={"path": {name: [ID_RANGE_MESSAGE]}})


def build_app(config: Mapping[str, Any]) -> Flask:
    app = Flask("finance")
    app.request_class = BoundedRequest
    app.config.update(
        API_TITLE="Finance API",
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/api",
        OPENAPI_JSON_PATH="openapi.json",
        OPENAPI_SWAGGER_UI_PATH="docs/",
        OPENAPI_SWAGGER_UI_URL=SWAGGER_UI_ASSETS,
        API_SPEC_OPTIONS={
            "info": {"description": API_DESCRIPTION},
            "security": [{"bearerAuth": []}],
            "components": {
                "securitySchemes": {
                    "bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
                }
            },
        },
        JSON_SORT_KEYS=False,
    )
    app.config.update(config)
    app.url_map.converters["id"] = IdConverter
    app.url_value_preprocessor(_check_path_ids)
    # A path without its trailing slash is served the same, not redirected: clients that do
    # not follow redirects (or drop the body on them) still work.
    app.url_map.strict_slashes = False

    api = Api(app)
    api.register_converter(
        IdConverter,
        lambda _c: {"type": "integer", "format": "int64", "minimum": 1, "maximum": MAX_ID},
    )
    blueprints = (operations, auth, users, records, record_files, budgets, recurring, dashboard)
    for blueprint in (module.blp for module in blueprints):
        api.register_blueprint(blueprint)
    app.register_blueprint(pages.blueprint)
    register_error_handlers(app)
    init_jwt(app)
    _serve_swagger_assets(app)
    _track_requests(app)
    return app


def _serve_swagger_assets(app: Flask) -> None:
    assets = str(files("flask_swagger_ui") / "dist")

    @app.get(SWAGGER_UI_ASSETS + "<path:filename>")
    def swagger_ui_asset(filename: str) -> Response:
        return send_from_directory(assets, filename, max_age=86400)


def _track_requests(app: Flask) -> None:
    @app.before_request
    def start() -> None:
        sent = request.headers.get("X-Request-ID", "")
        g.request_id = sent if _REQUEST_ID.match(sent) else uuid.uuid4().hex
        g.started = time.perf_counter()

    @app.after_request
    def finish(response: Response) -> Response:
        request_id = g.get("request_id") or uuid.uuid4().hex
        response.headers["X-Request-ID"] = request_id
        response.headers["X-Content-Type-Options"] = "nosniff"
        started = g.get("started")
        if not access_log.isEnabledFor(logging.INFO):
            return response
        access_log.info(
            json.dumps(
                {
                    "event": "request",
                    "request_id": request_id,
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 2)
                    if started
                    else None,
                    "remote_addr": request.remote_addr,
                }
            )
        )
        return response
