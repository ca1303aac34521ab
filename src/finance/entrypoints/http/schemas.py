"""Marshmallow schemas: the JSON shapes of requests and responses."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from flask_smorest.error_handler import ErrorSchema
from marshmallow import Schema, ValidationError, fields, validate

from finance.application.pagination import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from finance.application.records.create_record import MAX_IDEMPOTENCY_KEY_LENGTH
from finance.application.records.filters import Ordering
from finance.domain.errors import InvalidValue
from finance.domain.ids import MAX_ID
from finance.domain.money import MAX_AMOUNT, Money
from finance.domain.records import MAX_DESCRIPTION_LENGTH, AuditAction, RecordType
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


# -- records ------------------------------------------------------------------------------------


MONEY_INPUT = {
    "oneOf": [
        {"type": "string", "pattern": MONEY_PATTERN, "example": "1250.00"},
        {
            "type": "number",
            "minimum": 0,
            "exclusiveMinimum": True,
            "maximum": 9999999999.99,
            "multipleOf": 0.01,
        },
    ],
    "description": "A positive amount with at most two decimals, at most 9999999999.99, as a "
    "string or a number in plain notation (never an exponent)",
}


class MoneyField(fields.Field):  # type: ignore[type-arg]
    """Money in JSON: written as a string with two decimals; read from a string or a plain
    number, refusing a third decimal, exponents, zero and negatives."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        return None if value is None else str(value)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Money:
        try:
            return Money.parse(value)
        except InvalidValue as error:
            raise ValidationError(error.message) from error


class AmountBoundField(fields.Field):  # type: ignore[type-arg]
    """An amount filter: a plain, non-negative number with at most two decimals."""

    def __init__(self, **kwargs: Any) -> None:
        metadata = {"type": "string", "pattern": MONEY_PATTERN, "example": "10.00"}
        super().__init__(metadata=metadata, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Decimal:
        text = str(value)
        if not AMOUNT_BOUND.fullmatch(text):
            raise ValidationError("Must be a non-negative amount with at most two decimals.")
        amount = Decimal(text)
        if amount > MAX_AMOUNT:
            raise ValidationError("Must be at most 9999999999.99.")
        return amount


RECORD_TYPES = [t.value for t in RecordType]
ORDERINGS = [o.value for o in Ordering]
AMOUNT_BOUND = re.compile(r"[0-9]+(\.[0-9]{1,2})?")


class RecordSchema(Schema):
    id = fields.Integer()
    amount = MoneyField(metadata={"type": "string", "example": "1250.00"})
    type = fields.Function(lambda r: r.type.value, metadata={"enum": RECORD_TYPES})
    category = fields.String()
    date = fields.Date()
    description = fields.String()
    owner_id = fields.Integer()
    created_by = fields.Integer()
    created_at = fields.DateTime(format="iso")
    updated_at = fields.DateTime(format="iso")
    version = fields.Integer()


class RecordPageSchema(PageSchema):
    results = fields.List(fields.Nested(RecordSchema))


def _amount(**kwargs: Any) -> MoneyField:
    return MoneyField(metadata=MONEY_INPUT, **kwargs)


class RecordWriteSchema(StrictSchema):
    """The full set of a record's fields, for POST and PUT."""

    amount = _amount(required=True)
    type = fields.String(required=True, validate=validate.OneOf(RECORD_TYPES))
    category = fields.String(required=True, validate=validate.Length(min=1, max=100))
    date = fields.Date(required=True)
    description = fields.String(
        load_default="", validate=validate.Length(max=MAX_DESCRIPTION_LENGTH)
    )
    owner_id = body_id()


class RecordPatchSchema(StrictSchema):
    amount = _amount()
    type = fields.String(validate=validate.OneOf(RECORD_TYPES))
    category = fields.String(validate=validate.Length(min=1, max=100))
    date = fields.Date()
    description = fields.String(validate=validate.Length(max=MAX_DESCRIPTION_LENGTH))
    owner_id = body_id()


class IdempotencyHeaderSchema(Schema):
    """Other headers are the transport's business, not this schema's."""

    class Meta:
        unknown = "exclude"

    idempotency_key = fields.String(
        data_key="Idempotency-Key",
        validate=validate.Length(min=1, max=MAX_IDEMPOTENCY_KEY_LENGTH),
        metadata={"description": "Repeat a POST safely within 24 hours"},
    )


class RecordFilterQuerySchema(QuerySchema):
    type = fields.String(validate=validate.OneOf(RECORD_TYPES))
    category = fields.String(validate=validate.Length(min=1, max=100))
    date_from = fields.Date(metadata={"description": "First day (inclusive); not after date_to"})
    date_to = fields.Date(metadata={"description": "Last day (inclusive)"})
    min_amount = AmountBoundField()
    max_amount = AmountBoundField()
    q = fields.String(validate=validate.Length(min=1, max=200))
    owner_id = query_id()
    ordering = fields.String(load_default="-date", validate=validate.OneOf(ORDERINGS))


class RecordListQuerySchema(RecordFilterQuerySchema, PageQuerySchema):
    cursor = fields.String(
        validate=validate.Length(min=1, max=1000),
        metadata={
            "description": "next_cursor of the previous page (keyset pagination), as given",
            "pattern": CURSOR_PATTERN,
        },
    )


class AuditEntrySchema(Schema):
    at = fields.DateTime(format="iso")
    actor_id = fields.Integer()
    action = fields.Function(
        lambda e: e.action.value, metadata={"enum": [a.value for a in AuditAction]}
    )
    changes = fields.Dict(
        metadata={"description": "{field: [old, new]}", "example": {"amount": ["10.00", "12.50"]}}
    )


class AuditPageSchema(PageSchema):
    results = fields.List(fields.Nested(AuditEntrySchema))


class ImportQuerySchema(QuerySchema):
    owner_id = query_id(
        metadata={"description": "Owner of rows without an owner_id (default: you)"},
    )


class ImportResultSchema(Schema):
    imported = fields.Integer()


ROW_ERROR = {
    "type": "object",
    "properties": {
        "line": {"type": "integer", "description": "Line of the file; the header is line 1"},
        "field": {"type": "string"},
        "message": {"type": "string"},
    },
    "required": ["line", "field", "message"],
}


class ImportRejectedSchema(ErrorSchema):  # type: ignore[misc]
    """A rejected file lists its bad rows; a bad query value is reported as elsewhere."""

    errors = fields.Raw(
        metadata={
            "oneOf": [
                {"type": "array", "items": ROW_ERROR, "maxItems": 100},
                {"type": "object", "additionalProperties": {}},
            ]
        }
    )
