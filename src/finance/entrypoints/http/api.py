"""The blueprint class every resource uses, and helpers to document error responses."""

from __future__ import annotations

import http
from collections.abc import Callable
from typing import Any, NoReturn

import flask
import flask_smorest
from flask_smorest import abort
from webargs.flaskparser import FlaskParser

BEARER: list[dict[str, list[str]]] = [{"bearerAuth": []}]
PUBLIC: list[dict[str, list[str]]] = []


class _Parser(FlaskParser):
    """A body that is not valid JSON is invalid input like any other: 422, not 400."""

    def _handle_invalid_json_error(
        self, error: Any, req: flask.Request, *a: Any, **k: Any
    ) -> NoReturn:
        abort(422, message="Invalid input.", errors={"json": {"_schema": ["Invalid JSON body."]}})
        raise AssertionError("abort raises")


class ApiBlueprint(flask_smorest.Blueprint):  # type: ignore[misc]
    ARGUMENTS_PARSER = _Parser()

    def errors(self, *codes: int) -> Callable[[Any], Any]:
        """Declare the error responses an endpoint can give, so the spec tells the truth."""

        def decorator(func: Any) -> Any:
            for code in codes:
                func = self.alt_response(code, response=http.HTTPStatus(code).name)(func)
            return func

        return decorator
