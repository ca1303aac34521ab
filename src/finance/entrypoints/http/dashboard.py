"""/api/dashboard/: exact totals, category totals, recent transactions and monthly trends."""

from __future__ import annotations

from typing import Any

from dependency_injector.wiring import Provide, inject
from flask_jwt_extended import jwt_required
from marshmallow import Schema, fields, validate

from finance.application.analytics.category_totals import CategoryTotals, CategoryTotalsRequest
from finance.application.analytics.forecast import DEFAULT_MONTHS as DEFAULT_FORECAST_MONTHS
from finance.application.analytics.forecast import Forecast, ForecastRequest
from finance.application.analytics.monthly_trends import (
    DEFAULT_MONTHS,
    MAX_MONTHS,
    MonthlyTrends,
    MonthlyTrendsRequest,
)
from finance.application.analytics.recent_transactions import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    RecentTransactions,
    RecentTransactionsRequest,
)
from finance.application.analytics.statistics import DashboardQuery
from finance.application.analytics.summary import Summary, SummaryRequest
from finance.application.budgets.budget_report import BudgetReport, BudgetReportRequest
from finance.domain.money import format_amount
from finance.domain.records import RecordType
from finance.entrypoints.http.api import BEARER, ApiBlueprint
from finance.entrypoints.http.planning_schemas import MonthField
from finance.entrypoints.http.record_schemas import (
    RECORD_TYPES,
    RecordSchema,
)
from finance.entrypoints.http.schemas import (
    QueryInteger,
    QuerySchema,
    query_id,
)
from finance.entrypoints.http.security import current_actor

blp = ApiBlueprint(
    "dashboard",
    __name__,
    url_prefix="/api/dashboard",
    description="Totals and trends over live records (analysts: their own; admins: everyone's).",
)


class AmountField(fields.Field):  # type: ignore[type-arg]
    """An exact sum as the API shows money: a string with two decimals, maybe negative."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str:
        return format_amount(value)


def _amount() -> AmountField:
    return AmountField(metadata={"type": "string", "example": "1250.00"})


class DashboardQuerySchema(QuerySchema):
    date_from = fields.Date(metadata={"description": "First day counted (inclusive)"})
    date_to = fields.Date(metadata={"description": "Last day counted (inclusive)"})
    owner_id = query_id(
        metadata={"description": "Admins: only this owner's records (default: every owner)"},
    )


class CategoryTotalsQuerySchema(DashboardQuerySchema):
    type = fields.String(validate=validate.OneOf(RECORD_TYPES))


class RecentTransactionsQuerySchema(DashboardQuerySchema):
    limit = QueryInteger(load_default=DEFAULT_LIMIT, validate=validate.Range(1, MAX_LIMIT))


class MonthlyTrendsQuerySchema(DashboardQuerySchema):
    months = QueryInteger(
        load_default=DEFAULT_MONTHS,
        validate=validate.Range(1, MAX_MONTHS),
        metadata={"description": "How many months, when not both dates are given"},
    )


class SummarySchema(Schema):
    total_income = _amount()
    total_expense = _amount()
    net_balance = _amount()
    record_count = fields.Integer()


class CategoryTotalSchema(Schema):
    category = fields.String()
    type = fields.Function(lambda line: line.type.value, metadata={"enum": RECORD_TYPES})
    total = _amount()
    count = fields.Integer()


class CategoryTotalsSchema(Schema):
    results = fields.List(fields.Nested(CategoryTotalSchema))


class RecentTransactionsSchema(Schema):
    results = fields.List(fields.Nested(RecordSchema))


class MonthTrendSchema(Schema):
    month = fields.Function(lambda trend: trend.label, metadata={"example": "2026-11"})
    income = _amount()
    expense = _amount()
    net = _amount()
    count = fields.Integer()


class MonthlyTrendsSchema(Schema):
    results = fields.List(fields.Nested(MonthTrendSchema))


def dashboard_query(args: dict[str, Any]) -> DashboardQuery:
    return DashboardQuery(args.get("owner_id"), args.get("date_from"), args.get("date_to"))


@blp.get("/summary/")
@jwt_required()
@blp.arguments(DashboardQuerySchema, location="query")
@blp.response(200, SummarySchema)
@blp.errors(401, 403)
@blp.doc(security=BEARER, description=Summary.__doc__)
@inject
def summary(args: dict[str, Any], summary: Summary = Provide["dashboard_summary"]) -> Any:
    return summary.execute(SummaryRequest(current_actor(), dashboard_query(args)))


@blp.get("/category-totals/")
@jwt_required()
@blp.arguments(CategoryTotalsQuerySchema, location="query")
@blp.response(200, CategoryTotalsSchema)
@blp.errors(401, 403)
@blp.doc(security=BEARER, description=CategoryTotals.__doc__)
@inject
def category_totals(
    args: dict[str, Any], totals: CategoryTotals = Provide["dashboard_category_totals"]
) -> Any:
    kind = RecordType(args["type"]) if "type" in args else None
    request = CategoryTotalsRequest(current_actor(), dashboard_query(args), kind)
    return {"results": totals.execute(request)}


@blp.get("/recent-transactions/")
@jwt_required()
@blp.arguments(RecentTransactionsQuerySchema, location="query")
@blp.response(200, RecentTransactionsSchema)
@blp.errors(401, 403)
@blp.doc(security=BEARER, description=RecentTransactions.__doc__)
@inject
def recent_transactions(
    args: dict[str, Any], recent: RecentTransactions = Provide["dashboard_recent_transactions"]
) -> Any:
    request = RecentTransactionsRequest(current_actor(), dashboard_query(args), args["limit"])
    return {"results": recent.execute(request)}


@blp.get("/monthly-trends/")
@jwt_required()
@blp.arguments(MonthlyTrendsQuerySchema, location="query")
@blp.response(200, MonthlyTrendsSchema)
@blp.errors(401, 403)
@blp.doc(security=BEARER, description=MonthlyTrends.__doc__)
@inject
def monthly_trends(
    args: dict[str, Any], trends: MonthlyTrends = Provide["dashboard_monthly_trends"]
) -> Any:
    request = MonthlyTrendsRequest(current_actor(), dashboard_query(args), args["months"])
    return {"results": trends.execute(request)}


class BudgetsQuerySchema(QuerySchema):
    month = MonthField(metadata={"description": "Default: the current UTC month"})
    owner_id = query_id(metadata={"description": "Admins: only this owner's budgets"})


class BudgetLineSchema(Schema):
    budget_id = fields.Function(lambda line: line.budget.id)
    owner_id = fields.Function(lambda line: line.budget.owner_id)
    category = fields.Function(lambda line: line.budget.category)
    budgeted = _amount()
    carried = _amount()
    available = _amount()
    spent = _amount()
    remaining = _amount()
    percent_used = fields.Function(
        lambda line: None if line.percent_used is None else str(line.percent_used),
        metadata={"type": "string", "nullable": True, "example": "62.5"},
    )


class BudgetTotalsSchema(Schema):
    budgeted = _amount()
    available = _amount()
    spent = _amount()
    remaining = _amount()


class BudgetOverviewSchema(Schema):
    month = MonthField()
    results = fields.List(fields.Nested(BudgetLineSchema))
    totals = fields.Nested(BudgetTotalsSchema)


class ForecastQuerySchema(QuerySchema):
    months = QueryInteger(load_default=DEFAULT_FORECAST_MONTHS, validate=validate.Range(1, 24))
    owner_id = query_id(metadata={"description": "Admins: only this owner's schedules and budgets"})


class MonthForecastSchema(Schema):
    month = MonthField()
    scheduled_income = _amount()
    scheduled_expense = _amount()
    scheduled_net = _amount()
    budgeted_expense = _amount()


class ForecastSchema(Schema):
    results = fields.List(fields.Nested(MonthForecastSchema))


@blp.get("/budgets/")
@jwt_required()
@blp.arguments(BudgetsQuerySchema, location="query")
@blp.response(200, BudgetOverviewSchema)
@blp.errors(401, 403)
@blp.doc(security=BEARER, description=BudgetReport.__doc__)
@inject
def budgets(args: dict[str, Any], report: BudgetReport = Provide["budget_report"]) -> Any:
    request = BudgetReportRequest(current_actor(), args.get("month"), args.get("owner_id"))
    overview = report.execute(request)
    totals = {
        name: overview.total(name) for name in ("budgeted", "available", "spent", "remaining")
    }
    return {"month": overview.month, "results": overview.lines, "totals": totals}


@blp.get("/forecast/")
@jwt_required()
@blp.arguments(ForecastQuerySchema, location="query")
@blp.response(200, ForecastSchema)
@blp.errors(401, 403)
@blp.doc(security=BEARER, description=Forecast.__doc__)
@inject
def forecast(args: dict[str, Any], forecast: Forecast = Provide["dashboard_forecast"]) -> Any:
    request = ForecastRequest(current_actor(), args["months"], args.get("owner_id"))
    return {"results": forecast.execute(request)}
