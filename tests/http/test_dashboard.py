"""/api/dashboard/: every row of the contract's Dashboard table, the role matrix and the 422s."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask

from finance.application.analytics.category_totals import CategoryTotals
from finance.application.analytics.monthly_trends import MonthlyTrends
from finance.application.analytics.recent_transactions import RecentTransactions
from finance.application.analytics.summary import Summary
from tests.conftest import Api, Factory
from tests.http.assertions import RECORD_FIELDS, assert_error

ENDPOINTS = ["summary", "category-totals", "recent-transactions", "monthly-trends"]


def url(endpoint: str, query: str = "") -> str:
    return f"/api/dashboard/{endpoint}/" + (f"?{query}" if query else "")


def add(admin: Api, owner: int, amount: str, kind: str, category: str, day: str) -> int:
    body = {"amount": amount, "type": kind, "category": category, "date": day, "owner_id": owner}
    response = admin.post("/api/records/", json=body)
    assert response.status_code == 201, response.json
    return int(response.json["id"])


@pytest.fixture
def analyst(make_user: Factory) -> Api:
    return make_user("analyst")


@pytest.fixture
def other(make_user: Factory) -> Api:
    return make_user("analyst")


@pytest.fixture
def seeded(admin: Api, analyst: Api, other: Api) -> dict[str, int]:
    me, them = analyst.user["id"], other.user["id"]
    ids = {
        "salary": add(admin, me, "2500.00", "income", "Salary", "2026-01-31"),
        "food": add(admin, me, "12.10", "expense", "Food", "2026-02-01"),
        "food2": add(admin, me, "0.20", "expense", "food", "2026-02-01"),
        "rent": add(admin, me, "800.00", "expense", "Rent", "2026-02-15"),
        "theirs": add(admin, them, "1000000.01", "income", "Bonus", "2026-02-20"),
        "gone": add(admin, me, "55.55", "expense", "Food", "2026-02-02"),
    }
    assert admin.delete(f"/api/records/{ids['gone']}/").status_code == 204
    return ids


# -- who may ask ----------------------------------------------------------------------------------


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_anonymous_is_401(anonymous: Api, endpoint: str) -> None:
    assert_error(anonymous.get(url(endpoint)), 401)


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_viewers_are_403(make_user: Factory, endpoint: str) -> None:
    viewer = make_user("viewer")
    assert_error(viewer.get(url(endpoint)), 403)
    assert_error(viewer.get(url(endpoint, f"owner_id={viewer.user['id']}")), 403)


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_analysts_see_their_own_only(
    analyst: Api, other: Api, seeded: dict[str, int], endpoint: str
) -> None:
    own = analyst.get(url(endpoint))
    assert own.status_code == 200, own.json
    assert analyst.get(url(endpoint, f"owner_id={analyst.user['id']}")).json == own.json
    assert_error(analyst.get(url(endpoint, f"owner_id={other.user['id']}")), 403)


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_admins_see_all_or_one_owner(
    admin: Api, analyst: Api, seeded: dict[str, int], endpoint: str
) -> None:
    everyone = admin.get(url(endpoint, "date_from=2026-01-01&date_to=2026-02-28"))
    one = admin.get(url(endpoint, f"owner_id={analyst.user['id']}&date_from=2026-01-01"))
    mine = analyst.get(url(endpoint, "date_from=2026-01-01"))
    assert everyone.status_code == one.status_code == 200
    assert one.json == mine.json
    assert everyone.json != one.json


# -- summary --------------------------------------------------------------------------------------


def test_summary(admin: Api, analyst: Api, seeded: dict[str, int]) -> None:
    assert analyst.get(url("summary")).json == {
        "total_income": "2500.00",
        "total_expense": "812.30",
        "net_balance": "1687.70",
        "record_count": 4,
    }
    assert admin.get(url("summary")).json == {
        "total_income": "1002500.01",
        "total_expense": "812.30",
        "net_balance": "1001687.71",
        "record_count": 5,
    }
    february = analyst.get(url("summary", "date_from=2026-02-01&date_to=2026-02-01")).json
    assert february["total_expense"] == "12.30" and february["net_balance"] == "-12.30"


def test_empty_summary_is_zero_with_two_decimals(analyst: Api) -> None:
    assert analyst.get(url("summary")).json == {
        "total_income": "0.00",
        "total_expense": "0.00",
        "net_balance": "0.00",
        "record_count": 0,
    }


# -- category totals ------------------------------------------------------------------------------


def test_category_totals(analyst: Api, seeded: dict[str, int]) -> None:
    assert analyst.get(url("category-totals")).json == {
        "results": [
            {"category": "Salary", "type": "income", "total": "2500.00", "count": 1},
            {"category": "Rent", "type": "expense", "total": "800.00", "count": 1},
            {"category": "Food", "type": "expense", "total": "12.30", "count": 2},
        ]
    }
    expenses = analyst.get(url("category-totals", "type=expense")).json["results"]
    assert [r["category"] for r in expenses] == ["Rent", "Food"]
    assert analyst.get(url("category-totals", "date_from=2027-01-01")).json == {"results": []}


# -- recent transactions --------------------------------------------------------------------------


def test_recent_transactions(analyst: Api, seeded: dict[str, int]) -> None:
    results = analyst.get(url("recent-transactions")).json["results"]
    assert [r["id"] for r in results] == [
        seeded["rent"],
        seeded["food2"],
        seeded["food"],
        seeded["salary"],
    ]
    assert all(set(r) == RECORD_FIELDS for r in results)
    assert results[0]["amount"] == "800.00"
    limited = analyst.get(url("recent-transactions", "limit=1&date_to=2026-02-01")).json
    assert [r["id"] for r in limited["results"]] == [seeded["food2"]]


def test_recent_transactions_default_to_ten(admin: Api) -> None:
    me = admin.user["id"]
    for day in range(1, 13):
        add(admin, me, "1.00", "expense", "Food", f"2026-03-{day:02d}")
    assert len(admin.get(url("recent-transactions")).json["results"]) == 10
    assert len(admin.get(url("recent-transactions", "limit=100")).json["results"]) == 12


# -- monthly trends -------------------------------------------------------------------------------


def test_monthly_trends_default_to_the_12_months_ending_this_month(admin: Api) -> None:
    now = datetime.now(UTC)
    this_month = f"{now:%Y-%m}"
    add(admin, admin.user["id"], "3.50", "income", "Tips", f"{this_month}-01")
    results = admin.get(url("monthly-trends")).json["results"]
    assert len(results) == 12
    assert results[-1] == {
        "month": this_month,
        "income": "3.50",
        "expense": "0.00",
        "net": "3.50",
        "count": 1,
    }
    assert all(r["count"] == 0 and r["net"] == "0.00" for r in results[:-1])
    assert results == sorted(results, key=lambda r: r["month"])
    assert len(admin.get(url("monthly-trends", "months=120")).json["results"]) == 120


def test_monthly_trends_over_a_range_fill_every_month(analyst: Api, seeded: dict[str, int]) -> None:
    results = analyst.get(url("monthly-trends", "date_from=2025-12-10&date_to=2026-03-01")).json
    assert results == {
        "results": [
            {"month": "2025-12", "income": "0.00", "expense": "0.00", "net": "0.00", "count": 0},
            {
                "month": "2026-01",
                "income": "2500.00",
                "expense": "0.00",
                "net": "2500.00",
                "count": 1,
            },
            {
                "month": "2026-02",
                "income": "0.00",
                "expense": "812.30",
                "net": "-812.30",
                "count": 3,
            },
            {"month": "2026-03", "income": "0.00", "expense": "0.00", "net": "0.00", "count": 0},
        ]
    }


# -- invalid input --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("endpoint", "query", "field"),
    [
        ("summary", "date_from=2026-13-01", "date_from"),
        ("summary", "date_to=yesterday", "date_to"),
        ("summary", "date_from=2026-02-02&date_to=2026-02-01", "date_from"),
        ("summary", "owner_id=0", "owner_id"),
        ("category-totals", "type=transfer", "type"),
        ("category-totals", "date_from=2026-02-02&date_to=2026-02-01", "date_from"),
        ("recent-transactions", "limit=0", "limit"),
        ("recent-transactions", "limit=101", "limit"),
        ("recent-transactions", "limit=ten", "limit"),
        ("recent-transactions", "date_from=2026-02-30", "date_from"),
        ("monthly-trends", "months=0", "months"),
        ("monthly-trends", "months=121", "months"),
        ("monthly-trends", "date_from=2016-01-01&date_to=2026-01-01", "date_to"),
        ("monthly-trends", "date_from=2026-02-02&date_to=2026-02-01", "date_from"),
    ],
)
def test_invalid_query_values_are_422(admin: Api, endpoint: str, query: str, field: str) -> None:
    assert_error(admin.get(url(endpoint, query)), 422, {"query": {field}})


def test_a_range_of_exactly_120_months_is_allowed(admin: Api) -> None:
    response = admin.get(url("monthly-trends", "date_from=2016-01-31&date_to=2025-12-01"))
    assert response.status_code == 200
    assert len(response.json["results"]) == 120


def test_unknown_query_parameters_are_ignored(analyst: Api) -> None:
    assert analyst.get(url("summary", "colour=blue")).status_code == 200


# -- the spec -------------------------------------------------------------------------------------


def test_openapi_describes_every_endpoint(app: Flask, client: Any) -> None:
    spec = client.get("/api/openapi.json").json
    for endpoint, use_case in zip(
        ENDPOINTS,
        (Summary, CategoryTotals, RecentTransactions, MonthlyTrends),
        strict=True,
    ):
        operation = spec["paths"][f"/api/dashboard/{endpoint}/"]["get"]
        assert operation["description"].split()[:4] == (use_case.__doc__ or "").split()[:4]
        assert {"200", "401", "403", "422"} <= set(operation["responses"])
        assert operation["security"] == [{"bearerAuth": []}]
