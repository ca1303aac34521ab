"""Service root and health check."""

from __future__ import annotations

from typing import Any

from dependency_injector.wiring import Provide, inject

from finance.application.operations.check_health import CheckHealth
from finance.entrypoints.http.api import PUBLIC, ApiBlueprint
from finance.entrypoints.http.schemas import (
    HealthSchema,
    RootSchema,
)

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
    check_health.execute()
    return {"status": "ok", "database": "ok"}
