"""One place that turns every error into the JSON shape of the contract."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from flask import Flask
from werkzeug.exceptions import HTTPException

from finance.application.errors import (
    ApplicationError,
    Conflict,
    Forbidden,
    ImportRejected,
    NotFound,
    PreconditionFailed,
    TooManyAttempts,
    Unauthenticated,
    Unavailable,
)
from finance.domain.errors import InvalidValue
from finance.entrypoints.http.api import sent_in

STATUS_OF: dict[type[ApplicationError], int] = {
    NotFound: 404,
    Forbidden: 403,
    Unauthenticated: 401,
    Conflict: 409,
    PreconditionFailed: 412,
    TooManyAttempts: 429,
    Unavailable: 503,
}

#: What a client is told to wait before trying again while the database is unavailable.
RETRY_UNAVAILABLE_AFTER_SECONDS = 5

DEFAULT_MESSAGES = {
    400: "The request could not be understood.",
    401: "Authentication required.",
    404: "Not found.",
    405: "Method not allowed.",
    413: "Request body too large.",
    415: "Unsupported media type.",
    422: "Invalid input.",
    500: "Internal server error.",
}


def error_body(code: int, message: str, errors: Any = None) -> dict[str, Any]:
    body: dict[str, Any] = {"code": code, "status": HTTPStatus(code).phrase, "message": message}
    if errors:
        body["errors"] = errors
    return body


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Any:
        code = error.code or 500
        data = getattr(error, "data", None) or {}
        message = data.get("message") or DEFAULT_MESSAGES.get(code) or error.name
        errors = data.get("errors") or data.get("messages")
        headers = {k: v for k, v in error.get_headers() if k.lower() != "content-type"}
        headers.update(data.get("headers") or {})
        return error_body(code, message, errors), code, headers

    @app.errorhandler(ApplicationError)
    def application_error(error: ApplicationError) -> Any:
        code = STATUS_OF.get(type(error), 400)
        headers = {}
        if isinstance(error, TooManyAttempts):
            headers["Retry-After"] = str(error.retry_after_seconds)
        if isinstance(error, Unavailable):
            headers["Retry-After"] = str(RETRY_UNAVAILABLE_AFTER_SECONDS)
        if isinstance(error, Unauthenticated):
            headers["WWW-Authenticate"] = "Bearer"
        return error_body(code, error.message), code, headers

    @app.errorhandler(ImportRejected)
    def import_rejected(error: ImportRejected) -> Any:
        rows = [{"line": e.line, "field": e.field, "message": e.message} for e in error.errors]
        return error_body(422, error.message, rows), 422

    @app.errorhandler(InvalidValue)
    def invalid_value(error: InvalidValue) -> Any:
        errors = {sent_in(error.field): {error.field: [error.message]}}
        return error_body(422, "Invalid input.", errors), 422
