"""Brute-force dashboard figures from the records clients were told about, in Decimal, to
compare with what the dashboard endpoints answer."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from bench.loadtest.ledger import RecordState

ZERO = Decimal("0.00")
YEAR = 2025


def summary(records: Iterable[RecordState]) -> dict[str, Any]:
    income = expense = ZERO
    count = 0
    for record in records:
        count += 1
        if record.type == "income":
            income += record.amount
        else:
            expense += record.amount
    return {
        "total_income": income,
        "total_expense": expense,
        "net_balance": income - expense,
        "record_count": count,
    }


def category_totals(records: Iterable[RecordState]) -> dict[tuple[str, str], tuple[Decimal, int]]:
    totals: dict[tuple[str, str], tuple[Decimal, int]] = defaultdict(lambda: (ZERO, 0))
    for record in records:
        total, count = totals[record.type, record.category]
        totals[record.type, record.category] = (total + record.amount, count + 1)
    return dict(totals)


Trend = tuple[Decimal, Decimal, Decimal, int]


def monthly_trends(records: Iterable[RecordState]) -> dict[str, Trend]:
    """Income, expense, net and count for each month of 2025 (zeros where empty)."""
    sums = {f"{YEAR}-{month:02d}": (ZERO, ZERO, 0) for month in range(1, 13)}
    for record in records:
        month = record.date[:7]
        if month not in sums:
            continue
        income, expense, count = sums[month]
        if record.type == "income":
            income += record.amount
        else:
            expense += record.amount
        sums[month] = (income, expense, count + 1)
    return {month: (i, e, i - e, n) for month, (i, e, n) in sums.items()}


def answered_summary(body: dict[str, Any]) -> dict[str, Any]:
    return {
        "total_income": Decimal(body["total_income"]),
        "total_expense": Decimal(body["total_expense"]),
        "net_balance": Decimal(body["net_balance"]),
        "record_count": int(body["record_count"]),
    }


def answered_categories(body: dict[str, Any]) -> dict[tuple[str, str], tuple[Decimal, int]]:
    return {
        (row["type"], row["category"]): (Decimal(row["total"]), int(row["count"]))
        for row in body["results"]
    }


def answered_trends(body: dict[str, Any]) -> dict[str, Trend]:
    return {
        row["month"]: (
            Decimal(row["income"]),
            Decimal(row["expense"]),
            Decimal(row["net"]),
            int(row["count"]),
        )
        for row in body["results"]
    }
