"""Service root and health check."""

from __future__ import annotations

from typing import Any

from dependency_injector.wiring import Provide, inject
from flask import Response, jsonify, request

from finance.application.operations.check_health import CheckHealth
from finance.entrypoints.http.api import PUBLIC, ApiBlueprint
from finance.entrypoints.http.schemas import (
    HealthSchema,
    RootSchema,
)

blp = ApiBlueprint("operations", __name__, description="Service status.")


WEB_PAGES = "/app/"


def _asks_for_a_page() -> bool:
    """A browser names ``text/html`` in ``Accept`` ahead of JSON; ``*/*`` alone is not enough."""
    named = dict(request.accept_mimetypes)
    return named.get("text/html", 0) > named.get("application/json", 0)


@blp.get("/")
@blp.response(200, RootSchema)
@blp.alt_response(302, description=f"A browser (Accept naming text/html) is sent to {WEB_PAGES}")
@blp.doc(security=PUBLIC)
def root() -> Any:
    if _asks_for_a_page():
        answer = Response(status=302, headers={"Location": WEB_PAGES})
    else:
        answer = jsonify({"status": "running", "docs": "/api/docs/"})
    answer.headers["Vary"] = "Accept"
    return answer


@blp.get("/api/health/")
@blp.response(200, HealthSchema)
@blp.errors(503)
@blp.doc(security=PUBLIC, description=CheckHealth.__doc__)
@inject
def health(check_health: CheckHealth = Provide["check_health"]) -> Any:
    check_health.execute()
    return {"status": "ok", "database": "ok"}
