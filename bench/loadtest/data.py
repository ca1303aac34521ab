"""Plausible record fields: categories with their own amount ranges, dates within 2025."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

YEAR_START = date(2025, 1, 1)
YEAR_END = date(2025, 12, 31)
CATEGORIES: dict[str, dict[str, tuple[int, int]]] = {
    "income": {"Salary": (180_000, 520_000), "Freelance": (5_000, 150_000), "Interest": (1, 9_000)},
    "expense": {
        "Rent": (60_000, 180_000),
        "Groceries": (300, 25_000),
        "Transport": (150, 12_000),
        "Utilities": (2_000, 30_000),
        "Café": (250, 2_500),
        "Health": (1_000, 90_000),
    },
}


NOTES = ("", " monthly", ", split bill", ' "quoted"', "; café", " tab\there", "\nsecond line")


def note(rng: random.Random) -> str:
    """Text after a description's tag, with what CSV must quote now and then."""
    return rng.choice(NOTES)


def money(cents: int) -> str:
    return f"{Decimal(cents) / 100:.2f}"


def random_date(rng: random.Random) -> str:
    return (YEAR_START + timedelta(days=rng.randrange(365))).isoformat()


def random_fields(rng: random.Random) -> dict[str, Any]:
    """Amount (as a string), type, category and date of a new or replaced record."""
    kind = rng.choices(("income", "expense"), weights=(1, 4))[0]
    category, (low, high) = rng.choice(list(CATEGORIES[kind].items()))
    return {
        "amount": money(rng.randint(low, high)),
        "type": kind,
        "category": category,
        "date": random_date(rng),
    }


def as_json_number(amount: str) -> float:
    """The same amount as a plain JSON number, which the API accepts too (`"12.50"` -> 12.5)."""
    return float(amount)


def list_query(rng: random.Random, **fixed: Any) -> str:
    """A realistic list/export query string: a page size, some filters and an ordering."""
    params: dict[str, Any] = {"page_size": rng.choice((10, 20, 50, 100)), **fixed}
    if rng.random() < 0.3:
        params["type"] = rng.choice(("income", "expense"))
    if rng.random() < 0.3:
        first, second = sorted((random_date(rng), random_date(rng)))
        params.update(date_from=first, date_to=second)
    if rng.random() < 0.2:
        params["category"] = rng.choice([c for kinds in CATEGORIES.values() for c in kinds]).lower()
    if rng.random() < 0.1:
        params["min_amount"] = money(rng.randint(100, 10_000))
    if rng.random() < 0.3:
        params["ordering"] = rng.choice(("date", "-date", "amount", "-amount", "-created_at", "id"))
    if rng.random() < 0.1:
        params["page"] = rng.randint(2, 5)
    return urlencode(params)


def date_range_query(rng: random.Random) -> dict[str, str]:
    """Either no dates or a range within 2025."""
    if rng.random() < 0.5:
        return {}
    first, second = sorted((random_date(rng), random_date(rng)))
    return {"date_from": first, "date_to": second}
