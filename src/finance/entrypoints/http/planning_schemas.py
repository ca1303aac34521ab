"""Marshmallow schemas of budgets and recurring schedules."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

from finance.domain.errors import InvalidValue
from finance.domain.months import month_label, parse_month
from finance.domain.records import MAX_DESCRIPTION_LENGTH
from finance.domain.schedules import MAX_INTERVAL, Frequency
from finance.entrypoints.http.record_schemas import RECORD_TYPES, MoneyField, money_input
from finance.entrypoints.http.schemas import (
    PageQuerySchema,
    PageSchema,
    QueryBoolean,
    QueryInteger,
    StrictSchema,
    body_id,
    json_boolean,
    query_id,
)

MONTH_PATTERN = r"^[0-9]{4}-(0[1-9]|1[0-2])$"
FREQUENCIES = [f.value for f in Frequency]
_MONTH = re.compile(MONTH_PATTERN)


class MonthField(fields.Field):  # type: ignore[type-arg]
    """A month as ``YYYY-MM``; inside, the month's first day."""

    def __init__(self, **kwargs: Any) -> None:
        metadata = {"type": "string", "pattern": MONTH_PATTERN, "example": "2026-11"}
        super().__init__(metadata={**metadata, **kwargs.pop("metadata", {})}, **kwargs)

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        return None if value is None else month_label(value)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> date:
        if not isinstance(value, str) or not _MONTH.fullmatch(value):
            raise ValidationError("Must be a month as YYYY-MM.")
        try:
            return parse_month(attr or "month", value)
        except InvalidValue as error:
            raise ValidationError(error.message) from error


# -- budgets ------------------------------------------------------------------------------------


class BudgetSchema(Schema):
    id = fields.Integer()
    owner_id = fields.Integer()
    category = fields.String()
    amount = MoneyField(metadata={"type": "string", "example": "400.00"})
    start_month = MonthField()
    end_month = MonthField(allow_none=True)
    rollover = fields.Boolean()
    created_at = fields.DateTime(format="iso")
    updated_at = fields.DateTime(format="iso")
    version = fields.Integer()


class BudgetPageSchema(PageSchema):
    results = fields.List(fields.Nested(BudgetSchema))


class BudgetWriteSchema(StrictSchema):
    """A budget's fields, for POST and PUT."""

    category = fields.String(required=True, validate=validate.Length(min=1, max=100))
    amount = money_input(required=True)
    start_month = MonthField(required=True)
    end_month = MonthField(allow_none=True, load_default=None)
    rollover = json_boolean(load_default=False)
    owner_id = body_id()


class BudgetPatchSchema(StrictSchema):
    category = fields.String(validate=validate.Length(min=1, max=100))
    amount = money_input()
    start_month = MonthField()
    end_month = MonthField(allow_none=True)
    rollover = json_boolean()
    owner_id = body_id()


class BudgetListQuerySchema(PageQuerySchema):
    owner_id = query_id()
    category = fields.String(validate=validate.Length(min=1, max=100))
    month = MonthField(metadata={"description": "Only the budgets in force that month"})


# -- recurring schedules ------------------------------------------------------------------------


class ScheduleSchema(Schema):
    id = fields.Integer()
    owner_id = fields.Integer()
    amount = MoneyField(metadata={"type": "string", "example": "1200.00"})
    type = fields.Function(lambda s: s.type.value, metadata={"enum": RECORD_TYPES})
    category = fields.String()
    description = fields.String()
    frequency = fields.Function(lambda s: s.frequency.value, metadata={"enum": FREQUENCIES})
    interval = fields.Integer()
    start_date = fields.Date()
    end_date = fields.Date(allow_none=True)
    count = fields.Integer(allow_none=True)
    next_date = fields.Date(allow_none=True)
    active = fields.Boolean()
    created_by = fields.Integer()
    created_at = fields.DateTime(format="iso")
    updated_at = fields.DateTime(format="iso")
    version = fields.Integer()


class SchedulePageSchema(PageSchema):
    results = fields.List(fields.Nested(ScheduleSchema))


def _interval(**kwargs: Any) -> fields.Integer:
    return fields.Integer(strict=True, validate=validate.Range(min=1, max=MAX_INTERVAL), **kwargs)


def _count(**kwargs: Any) -> fields.Integer:
    return fields.Integer(
        strict=True,
        allow_none=True,
        validate=validate.Range(min=1, max=1_000_000),
        metadata={"description": "Occurrences in all; at most one of end_date and count"},
        **kwargs,
    )


class ScheduleWriteSchema(StrictSchema):
    """A schedule's fields, for POST and PUT."""

    amount = money_input(required=True)
    type = fields.String(required=True, validate=validate.OneOf(RECORD_TYPES))
    category = fields.String(required=True, validate=validate.Length(min=1, max=100))
    description = fields.String(
        load_default="", validate=validate.Length(max=MAX_DESCRIPTION_LENGTH)
    )
    frequency = fields.String(required=True, validate=validate.OneOf(FREQUENCIES))
    interval = _interval(load_default=1)
    start_date = fields.Date(required=True)
    end_date = fields.Date(allow_none=True, load_default=None)
    count = _count(load_default=None)
    owner_id = body_id()


class SchedulePatchSchema(StrictSchema):
    amount = money_input()
    type = fields.String(validate=validate.OneOf(RECORD_TYPES))
    category = fields.String(validate=validate.Length(min=1, max=100))
    description = fields.String(validate=validate.Length(max=MAX_DESCRIPTION_LENGTH))
    frequency = fields.String(validate=validate.OneOf(FREQUENCIES))
    interval = _interval()
    start_date = fields.Date()
    end_date = fields.Date(allow_none=True)
    count = _count()
    owner_id = body_id()


class ScheduleListQuerySchema(PageQuerySchema):
    owner_id = query_id()
    type = fields.String(validate=validate.OneOf(RECORD_TYPES))
    category = fields.String(validate=validate.Length(min=1, max=100))
    active = QueryBoolean()


class UpcomingQuerySchema(Schema):
    class Meta:
        unknown = "exclude"

    limit = QueryInteger(load_default=5, validate=validate.Range(min=1, max=100))


class UpcomingSchema(Schema):
    results = fields.List(fields.Date())


class RunQuerySchema(Schema):
    class Meta:
        unknown = "exclude"

    until = fields.Date(metadata={"description": "Last day to make (default today, UTC)"})


class RunResultSchema(Schema):
    created = fields.Integer()
    records = fields.List(fields.Integer())
