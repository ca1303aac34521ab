"""The blueprint class every resource uses, and helpers to document error responses."""

from __future__ import annotations

import http
import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any, NoReturn

import flask
import flask_smorest
from flask_smorest import abort
from webargs import core
from webargs.flaskparser import FlaskParser, is_json_request

BEARER: list[dict[str, list[str]]] = [{"bearerAuth": []}]
PUBLIC: list[dict[str, list[str]]] = []


class _Parser(FlaskParser):
    """JSON numbers are read as exact decimals (so ``12.345`` and ``1e3`` can be told apart and
    refused), and a body that is not valid JSON is invalid input like any other: 422."""

    def _raw_load_json(self, req: flask.Request) -> Any:
        data = req.get_data(cache=True)
        if not is_json_request(req):
            if data:
                # A body of another media type would otherwise pass for no body at all.
                abort(
                    422,
                    message="Invalid input.",
                    errors={"json": {"_schema": ["The body must be JSON (application/json)."]}},
                )
            return core.missing
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as error:
            # A non-empty ``doc``: webargs reads an empty one as "no body" and skips the error.
            raise json.JSONDecodeError(
                "Body is not UTF-8", doc=data.decode("latin-1"), pos=error.start
            ) from error
        return json.loads(text, parse_float=Decimal, parse_constant=Decimal)

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
