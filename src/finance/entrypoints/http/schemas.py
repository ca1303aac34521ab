"""Marshmallow schemas: the JSON shapes of requests and responses."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from finance.application.pagination import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from finance.domain.roles import Role
from finance.domain.users import MAX_EMAIL_LENGTH, MAX_NAME_LENGTH, MAX_PASSWORD_LENGTH

ROLES = [r.value for r in Role]


def json_boolean(**kwargs: object) -> fields.Boolean:
    """A JSON body's boolean is ``true`` or ``false``, not ``"yes"`` or ``"1"``."""
    return fields.Boolean(truthy={True}, falsy={False}, **kwargs)  # type: ignore[arg-type]


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
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=10_000_000))
    page_size = fields.Integer(
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
    refresh = fields.String()


class ChangePasswordSchema(StrictSchema):
    current_password = fields.String(
        required=True, validate=validate.Length(max=MAX_PASSWORD_LENGTH)
    )
    new_password = fields.String(required=True, validate=validate.Length(max=MAX_PASSWORD_LENGTH))


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
    is_active = fields.Boolean()
    q = fields.String(validate=validate.Length(max=200))


class CreateUserSchema(StrictSchema):
    email = fields.String(required=True, validate=validate.Length(min=1, max=MAX_EMAIL_LENGTH))
    name = fields.String(required=True, validate=validate.Length(min=1, max=MAX_NAME_LENGTH))
    password = fields.String(required=True, validate=validate.Length(max=MAX_PASSWORD_LENGTH))
    role = fields.String(required=True, validate=validate.OneOf(ROLES))


class UpdateUserSchema(StrictSchema):
    name = fields.String(validate=validate.Length(min=1, max=MAX_NAME_LENGTH))
    role = fields.String(validate=validate.OneOf(ROLES))
    is_active = json_boolean()
    password = fields.String(validate=validate.Length(max=MAX_PASSWORD_LENGTH))


# -- operations ---------------------------------------------------------------------------------


class RootSchema(Schema):
    status = fields.String()
    docs = fields.String()


class HealthSchema(Schema):
    status = fields.String()
    database = fields.String()
