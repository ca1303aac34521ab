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
from flask_smorest.error_handler import ErrorSchema
from webargs import core
from webargs.flaskparser import FlaskParser, is_json_request

from finance.domain.text import UNSTORABLE_MESSAGE, is_storable

BEARER: list[dict[str, list[str]]] = [{"bearerAuth": []}]
PUBLIC: list[dict[str, list[str]]] = []

#: Far deeper than any body of the API; deeper JSON is refused before it is walked.
MAX_JSON_DEPTH = 32


def _whole_number(text: str) -> int | Decimal:
    """An integer too long for Python's ``int()`` (thousands of digits) is read as a Decimal,
    so that the field it was sent in refuses it like any other value out of range."""
    return int(text) if len(text) <= 100 else Decimal(text)


def _refuse(location: str, field: str, message: str) -> NoReturn:
    abort(422, message="Invalid input.", errors={location: {field: [message]}})
    raise AssertionError("abort raises")


def _check_json_value(value: Any, field: str, depth: int = 0) -> None:
    """Refuse text no store can hold (NUL, lone surrogates) anywhere in a body, keys
    included, and nesting deeper than MAX_JSON_DEPTH; ``field`` is the top-level field."""
    if depth > MAX_JSON_DEPTH:
        _refuse("json", field, f"Nested more than {MAX_JSON_DEPTH} levels deep.")
    if isinstance(value, str):
        if not is_storable(value):
            _refuse("json", field, UNSTORABLE_MESSAGE)
    elif isinstance(value, dict):
        for key, item in value.items():
            name = key if depth == 0 else field
            if not is_storable(key):
                _refuse("json", "_schema" if depth == 0 else field, UNSTORABLE_MESSAGE)
            _check_json_value(item, name, depth + 1)
    elif isinstance(value, list):
        for item in value:
            _check_json_value(item, field, depth + 1)


class _Parser(FlaskParser):
    """JSON numbers are read as exact decimals (so ``12.345`` and ``1e3`` can be told apart and
    refused), and a body that is not valid JSON is invalid input like any other: 422. Text no
    store can hold is refused wherever it is sent, in the body or the query, with its field.
    Where each declared field is read from is noted, so that a value a use case refuses later
    is reported where it was sent (``sent_in``)."""

    def _load_location_data(self, *, schema: Any, req: flask.Request, location: str) -> Any:
        sent_in = flask.g.setdefault("argument_locations", {})
        for name, field in schema.fields.items():
            sent_in[name] = sent_in[field.data_key or name] = location
        return super()._load_location_data(schema=schema, req=req, location=location)

    def load_querystring(self, req: flask.Request, schema: Any) -> Any:
        for name, value in req.args.items(multi=True):
            if not is_storable(name) or not is_storable(value):
                _refuse("query", name if is_storable(name) else "_query", UNSTORABLE_MESSAGE)
        return super().load_querystring(req, schema)

    def load_json(self, req: flask.Request, schema: Any) -> Any:
        data = super().load_json(req, schema)
        if data is core.missing and not getattr(schema, "BODY_OPTIONAL", False):
            _refuse("json", "_schema", "A JSON body is required.")
        _check_json_value(data, "_schema")
        return data

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
        try:
            return json.loads(
                text, parse_float=Decimal, parse_constant=Decimal, parse_int=_whole_number
            )
        except RecursionError:
            _refuse("json", "_schema", f"Nested more than {MAX_JSON_DEPTH} levels deep.")

    def _handle_invalid_json_error(
        self, error: Any, req: flask.Request, *a: Any, **k: Any
    ) -> NoReturn:
        abort(422, message="Invalid input.", errors={"json": {"_schema": ["Invalid JSON body."]}})
        raise AssertionError("abort raises")


RETRY_AFTER = {
    "Retry-After": {
        "schema": {"type": "integer", "minimum": 1},
        "description": "Seconds to wait before trying again",
        "required": True,
    }
}


class ApiBlueprint(flask_smorest.Blueprint):  # type: ignore[misc]
    ARGUMENTS_PARSER = _Parser()

    def arguments(self, schema: Any, *args: Any, **kwargs: Any) -> Callable[[Any], Any]:
        """A schema class is instantiated here, once, not by webargs on every request."""
        if isinstance(schema, type):
            schema = schema()
        decorator: Callable[[Any], Any] = super().arguments(schema, *args, **kwargs)
        return decorator

    def errors(self, *codes: int) -> Callable[[Any], Any]:
        """Declare the error responses an endpoint can give, so the spec tells the truth. Every
        endpoint that calls this needs the database, so 503 is always among them."""

        def decorator(func: Any) -> Any:
            for code in sorted({*codes, 503}):
                status = http.HTTPStatus(code)
                if code in (429, 503):
                    func = self.alt_response(
                        code, schema=ErrorSchema, description=status.phrase, headers=RETRY_AFTER
                    )(func)
                else:
                    func = self.alt_response(code, response=status.name)(func)
            return func

        return decorator


def sent_in(field: str) -> str:
    """Where the request's value for ``field`` was read from (``json``, ``query``,
    ``headers``…), as the endpoint's declared arguments say; ``json`` for one it does not."""
    locations: dict[str, str] = flask.g.get("argument_locations", {})
    return locations.get(field, "json")
