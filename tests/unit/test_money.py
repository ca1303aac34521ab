"""Money is exact: two decimals at most, never rounded, within the contract's bounds."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from finance.domain.errors import InvalidValue
from finance.domain.money import Money


@pytest.mark.parametrize(
    ("given_value", "shown"),
    [
        ("1250.00", "1250.00"),
        ("0.10", "0.10"),
        ("0.01", "0.01"),
        ("7", "7.00"),
        ("7.5", "7.50"),
        (12, "12.00"),
        ("9999999999.99", "9999999999.99"),
        ("000000000007.5", "7.50"),
        ("0" * 5000 + "1.00", "1.00"),
        (json.loads("12.5", parse_float=Decimal), "12.50"),
    ],
)
def test_accepts_plain_amounts_and_shows_two_decimals(given_value: object, shown: str) -> None:
    assert str(Money.parse(given_value)) == shown


@pytest.mark.parametrize(
    "bad",
    [
        "12.345",
        "12.340",
        " 12.30 ",
        "1e3",
        "1E3",
        "0",
        "0.00",
        "-1.00",
        "NaN",
        "Infinity",
        "10000000000.00",
        "9" * 5000,
        "",
        "abc",
        "5.",
        "1,000.00",
        1.5,
        True,
        None,
        [],
        json.loads("1e3", parse_float=Decimal),
        json.loads("12.345", parse_float=Decimal),
        Decimal("NaN"),
    ],
)
def test_refuses_what_the_contract_refuses(bad: object) -> None:
    with pytest.raises(InvalidValue) as error:
        Money.parse(bad)
    assert error.value.field == "amount"


def test_cents_round_trip_exactly() -> None:
    assert Money.parse("1234.56").cents == 123456
    assert Money.from_cents(123456) == Money.parse("1234.56")


@given(st.lists(st.integers(min_value=1, max_value=999_999_999_999), min_size=1, max_size=50))
def test_sums_of_cents_are_exact(cents: list[int]) -> None:
    amounts = [Money.from_cents(c) for c in cents]
    assert sum((m.amount for m in amounts), Decimal(0)) == Decimal(sum(cents)).scaleb(-2)


def test_ten_cents_many_times_sum_exactly() -> None:
    total = sum((Money.parse("0.10").amount for _ in range(1000)), Decimal(0))
    assert total == Decimal("100.00")
