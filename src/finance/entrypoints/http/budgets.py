"""/api/budgets/: monthly spending limits per owner and expense category."""

from __future__ import annotations

from typing import Any

from dependency_injector.wiring import Provide, inject
from flask import url_for
from flask_jwt_extended import jwt_required

from finance.application.budgets.create_budget import CreateBudget, CreateBudgetRequest
from finance.application.budgets.delete_budget import DeleteBudget, DeleteBudgetRequest
from finance.application.budgets.get_budget import GetBudget, GetBudgetRequest
from finance.application.budgets.list_budgets import ListBudgets, ListBudgetsRequest
from finance.application.budgets.update_budget import UpdateBudget, UpdateBudgetRequest
from finance.application.ports import BudgetQuery
from finance.domain.records import category_key
from finance.entrypoints.http.api import BEARER, ApiBlueprint
from finance.entrypoints.http.pagination import page_request, paginated
from finance.entrypoints.http.planning_schemas import (
    BudgetListQuerySchema,
    BudgetPageSchema,
    BudgetPatchSchema,
    BudgetSchema,
    BudgetWriteSchema,
)
from finance.entrypoints.http.security import current_actor
from finance.entrypoints.http.versions import (
    ETAG_HEADER,
    IF_MATCH,
    LOCATION_HEADER,
    expected_version,
    with_etag,
)

blp = ApiBlueprint(
    "budgets",
    __name__,
    url_prefix="/api/budgets",
    description="Monthly spending limits per owner and expense category.",
)


@blp.get("/")
@jwt_required()
@blp.arguments(BudgetListQuerySchema, location="query")
@blp.response(200, BudgetPageSchema)
@blp.errors(401, 403)
@blp.doc(security=BEARER, description=ListBudgets.__doc__)
@inject
def list_budgets(args: dict[str, Any], list_budgets: ListBudgets = Provide["list_budgets"]) -> Any:
    category = args.get("category")
    query = BudgetQuery(
        owner_id=args.get("owner_id"),
        category_key=category_key(category) if category else None,
        month=args.get("month"),
    )
    return paginated(
        list_budgets.execute(ListBudgetsRequest(current_actor(), query, page_request(args)))
    )


@blp.post("/")
@jwt_required()
@blp.arguments(BudgetWriteSchema)
@blp.response(201, BudgetSchema, headers={**ETAG_HEADER, **LOCATION_HEADER})
@blp.errors(401, 403, 409, 413)
@blp.doc(security=BEARER, description=CreateBudget.__doc__)
@inject
def create_budget(body: dict[str, Any], create: CreateBudget = Provide["create_budget"]) -> Any:
    budget = create.execute(CreateBudgetRequest(current_actor(), **body))
    return with_etag(budget, 201, Location=url_for("budgets.get_budget", budget_id=budget.id))


@blp.get("/<id:budget_id>/")
@jwt_required()
@blp.response(200, BudgetSchema, headers=ETAG_HEADER)
@blp.errors(401, 404, 422)
@blp.doc(security=BEARER, description=GetBudget.__doc__)
@inject
def get_budget(budget_id: int, get: GetBudget = Provide["get_budget"]) -> Any:
    return with_etag(get.execute(GetBudgetRequest(current_actor(), budget_id)))


def _update(update: UpdateBudget, budget_id: int, changes: dict[str, Any]) -> Any:
    request = UpdateBudgetRequest(current_actor(), budget_id, changes, expected_version(budget_id))
    return with_etag(update.execute(request))


@blp.put("/<id:budget_id>/")
@jwt_required()
@blp.arguments(BudgetWriteSchema)
@blp.response(200, BudgetSchema, headers=ETAG_HEADER)
@blp.errors(401, 403, 404, 409, 412, 413, 422)
@blp.doc(security=BEARER, description=UpdateBudget.__doc__, **IF_MATCH)
@inject
def replace_budget(
    body: dict[str, Any], budget_id: int, update: UpdateBudget = Provide["update_budget"]
) -> Any:
    return _update(update, budget_id, dict(body))


@blp.patch("/<id:budget_id>/")
@jwt_required()
@blp.arguments(BudgetPatchSchema)
@blp.response(200, BudgetSchema, headers=ETAG_HEADER)
@blp.errors(401, 403, 404, 409, 412, 413, 422)
@blp.doc(security=BEARER, description=UpdateBudget.__doc__, **IF_MATCH)
@inject
def update_budget(
    body: dict[str, Any], budget_id: int, update: UpdateBudget = Provide["update_budget"]
) -> Any:
    return _update(update, budget_id, dict(body))


@blp.delete("/<id:budget_id>/")
@jwt_required()
@blp.response(204)
@blp.errors(401, 403, 404, 412, 422)
@blp.doc(security=BEARER, description=DeleteBudget.__doc__, **IF_MATCH)
@inject
def delete_budget(budget_id: int, delete: DeleteBudget = Provide["delete_budget"]) -> None:
    delete.execute(DeleteBudgetRequest(current_actor(), budget_id, expected_version(budget_id)))
