"""Marshmallow schemas of records: money in and out, the record object, its writes, filters,
history and the CSV import's answers."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from flask_smorest.error_handler import ErrorSchema
from marshmallow import Schema, ValidationError, fields, validate

from finance.application.records.create_record import MAX_IDEMPOTENCY_KEY_LENGTH
from finance.application.records.filters import Ordering
from finance.domain.errors import InvalidValue
from finance.domain.money import MAX_AMOUNT, Money
from finance.domain.records import MAX_DESCRIPTION_LENGTH, AuditAction, RecordType
from finance.entrypoints.http.schemas import (
    CURSOR_PATTERN,
    MONEY_PATTERN,
    PageQuerySchema,
    PageSchema,
    QuerySchema,
    StrictSchema,
    body_id,
    query_id,
)

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
    recurring_id = fields.Integer(
        allow_none=True, metadata={"description": "The schedule that made it; null by hand"}
    )


class RecordPageSchema(PageSchema):
    results = fields.List(fields.Nested(RecordSchema))


def money_input(**kwargs: Any) -> MoneyField:
    return MoneyField(metadata=MONEY_INPUT, **kwargs)


class RecordWriteSchema(StrictSchema):
    """The full set of a record's fields, for POST and PUT."""

    amount = money_input(required=True)
    type = fields.String(required=True, validate=validate.OneOf(RECORD_TYPES))
    category = fields.String(required=True, validate=validate.Length(min=1, max=100))
    date = fields.Date(required=True)
    description = fields.String(
        load_default="", validate=validate.Length(max=MAX_DESCRIPTION_LENGTH)
    )
    owner_id = body_id()


class RecordPatchSchema(StrictSchema):
    amount = money_input()
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
