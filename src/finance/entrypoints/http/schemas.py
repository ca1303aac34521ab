"""Marshmallow schemas: the JSON shapes of requests and responses."""

from __future__ import annotations

import re
from typing import Any

from marshmallow import Schema, fields, validate

from finance.application.pagination import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from finance.domain.ids import MAX_ID
from finance.domain.roles import Role
from finance.domain.users import (
    MAX_EMAIL_LENGTH,
    MAX_NAME_LENGTH,
    MAX_PASSWORD_LENGTH,
    MIN_PASSWORD_LENGTH,
)

ROLES = [r.value for r in Role]
PASSWORD_POLICY = (
    f"{MIN_PASSWORD_LENGTH} to {MAX_PASSWORD_LENGTH} characters, not all digits, not the email"
)
#: What the spec promises of an email; the domain's rule (normalize_email) is as strict or more.
EMAIL_PATTERN = r"^\s*[^@\s]+@[^@\s]+\.[^@\s]+\s*$"
#: A plain amount: digits, at most two decimals, at most 9,999,999,999.99 (leading zeros aside).
MONEY_PATTERN = r"^0*[0-9]{1,10}(\.[0-9]{1,2})?$"
#: A cursor as the list hands it out: encoded position, a dot, its signature.
CURSOR_PATTERN = r"^[A-Za-z0-9_-]+\.[0-9a-f]{32}$"
ASCII_INTEGER = re.compile(r"-?[0-9]+")


class JsonBoolean(fields.Boolean):
    """A JSON body's boolean is ``true`` or ``false``, not ``"yes"``, ``1`` or ``0``."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> bool:
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value


def json_boolean(**kwargs: Any) -> fields.Boolean:
    return JsonBoolean(**kwargs)


class QueryBoolean(fields.Boolean):
    """A boolean in the query: ``true`` or ``false``, nothing else (not ``1``, ``yes``, ``on``)."""

    truthy: set[object] = {"true"}
    falsy: set[object] = {"false"}


class QueryInteger(fields.Integer):
    """A whole number in the query, in ASCII digits: Python's ``int()`` alone would also take
    ``1_000``, ``+1`` and the digits of other scripts (fullwidth two, U+FF12)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> int:
        if not isinstance(value, str) or not ASCII_INTEGER.fullmatch(value):
            raise self.make_error("invalid")
        number: int = super()._deserialize(value, attr, data, **kwargs)
        return number


def query_id(**kwargs: Any) -> fields.Integer:
    return QueryInteger(validate=validate.Range(min=1, max=MAX_ID), **kwargs)


def body_id(**kwargs: Any) -> fields.Integer:
    """An id in a JSON body: a JSON integer, never a string or a float."""
    return fields.Integer(strict=True, validate=validate.Range(min=1, max=MAX_ID), **kwargs)


class StrictSchema(Schema):
    """Unknown fields are refused (marshmallow's default, stated here so it is never lost)."""

    class Meta:
        unknown = "raise"


class QuerySchema(Schema):
    """Unknown query parameters are ignored, as the contract says."""

    class Meta:
        unknown = "exclude"


# -- pagination ---------------------------------------------------------------------------------


class PageQuerySchema(QuerySchema):
    page = QueryInteger(load_default=1, validate=validate.Range(min=1, max=10_000_000))
    page_size = QueryInteger(
        load_default=DEFAULT_PAGE_SIZE, validate=validate.Range(min=1, max=MAX_PAGE_SIZE)
    )


class PageSchema(Schema):
    count = fields.Integer(allow_none=True)
    next = fields.String(allow_none=True)
    previous = fields.String(allow_none=True)
    next_cursor = fields.String(allow_none=True)


# -- auth ---------------------------------------------------------------------------------------


class LoginSchema(StrictSchema):
    email = fields.String(required=True, validate=validate.Length(max=MAX_EMAIL_LENGTH))
    password = fields.String(required=True, validate=validate.Length(max=MAX_PASSWORD_LENGTH))


class TokenPairSchema(Schema):
    access = fields.String()
    refresh = fields.String()
    token_type = fields.String(metadata={"example": "Bearer"})
    expires_in = fields.Integer(metadata={"description": "Lifetime of the access token, seconds"})


class RefreshSchema(StrictSchema):
    refresh = fields.String(required=True)


class LogoutSchema(StrictSchema):
    BODY_OPTIONAL = True

    refresh = fields.String()


def new_password(**kwargs: Any) -> fields.String:
    return fields.String(
        validate=validate.Length(min=MIN_PASSWORD_LENGTH, max=MAX_PASSWORD_LENGTH),
        metadata={"description": PASSWORD_POLICY},
        **kwargs,
    )


class ChangePasswordSchema(StrictSchema):
    current_password = fields.String(
        required=True, validate=validate.Length(max=MAX_PASSWORD_LENGTH)
    )
    new_password = new_password(required=True)


# -- users --------------------------------------------------------------------------------------


class UserSchema(Schema):
    id = fields.Integer()
    email = fields.String()
    name = fields.String()
    role = fields.Function(lambda user: user.role.value, metadata={"enum": ROLES})
    is_active = fields.Boolean()
    date_joined = fields.DateTime(format="iso")


class UserPageSchema(PageSchema):
    results = fields.List(fields.Nested(UserSchema))


class UserListQuerySchema(PageQuerySchema):
    role = fields.String(validate=validate.OneOf(ROLES))
    is_active = QueryBoolean()
    q = fields.String(validate=validate.Length(max=200))


class CreateUserSchema(StrictSchema):
    email = fields.String(
        required=True,
        validate=validate.Length(min=1, max=MAX_EMAIL_LENGTH),
        metadata={"pattern": EMAIL_PATTERN, "description": "Unique, whatever its case"},
    )
    name = fields.String(required=True, validate=validate.Length(min=1, max=MAX_NAME_LENGTH))
    password = new_password(required=True)
    role = fields.String(required=True, validate=validate.OneOf(ROLES))


class UpdateUserSchema(StrictSchema):
    name = fields.String(validate=validate.Length(min=1, max=MAX_NAME_LENGTH))
    role = fields.String(validate=validate.OneOf(ROLES))
    is_active = json_boolean()
    password = new_password()


# -- operations ---------------------------------------------------------------------------------


class RootSchema(Schema):
    status = fields.String()
    docs = fields.String()


class HealthSchema(Schema):
    status = fields.String()
    database = fields.String()
