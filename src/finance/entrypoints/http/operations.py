"""Service root and health check."""

from __future__ import annotations

from typing import Any

from dependency_injector.wiring import Provide, inject
from flask import jsonify

from finance.application.errors import Unavailable
from finance.application.operations.check_health import CheckHealth
from finance.entrypoints.http.api import PUBLIC, ApiBlueprint
from finance.entrypoints.http.errors import error_body
from finance.entrypoints.http.schemas import HealthSchema, RootSchema

blp = ApiBlueprint("operations", __name__, description="Service status.")


@blp.get("/")
@blp.response(200, RootSchema)
@blp.doc(security=PUBLIC)
def root() -> Any:
    return {"status": "running", "docs": "/api/docs/"}


@blp.get("/api/health/")
@blp.response(200, HealthSchema)
@blp.errors(503)
@blp.doc(security=PUBLIC, description=CheckHealth.__doc__)
@inject
def health(check_health: CheckHealth = Provide["check_health"]) -> Any:
    try:
        check_health.execute()
    except Unavailable as error:
        response = jsonify({**error_body(503, error.message), "database": "unreachable"})
        response.status_code = 503
        return response
    return {"status": "ok", "database": "ok"}
