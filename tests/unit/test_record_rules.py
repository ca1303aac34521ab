"""A record's own rules: trimmed categories, description length, versions, soft delete."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from finance.application.records.filters import Ordering, RecordFilter
from finance.domain.errors import InvalidValue
from finance.domain.money import Money
from finance.domain.records import Record, RecordType

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def make(**changes: object) -> Record:
    fields: dict[str, object] = {
        "amount": Money.parse("10.00"),
        "type": RecordType.EXPENSE,
        "category": "Food",
        "date": date(2026, 1, 5),
        "description": "",
        "owner_id": 1,
        "created_by": 1,
        "now": NOW,
    }
    fields.update(changes)
    return Record.create(**fields)  # type: ignore[arg-type]


def test_category_is_trimmed_and_keeps_its_case() -> None:
    assert make(category="  Eating Out ").category == "Eating Out"


@pytest.mark.parametrize("category", ["", "   ", "x" * 101])
def test_category_must_be_1_to_100_characters(category: str) -> None:
    with pytest.raises(InvalidValue) as error:
        make(category=category)
    assert error.value.field == "category"


def test_description_is_at_most_1000_characters() -> None:
    assert make(description="d" * 1000).description == "d" * 1000
    with pytest.raises(InvalidValue):
        make(description="d" * 1001)


def test_a_change_bumps_the_version_and_lists_old_and_new_values() -> None:
    record = make()
    later = NOW + timedelta(minutes=5)
    changes = record.apply({"amount": Money.parse("12.50"), "category": " Food "}, later)
    assert changes == {"amount": ["10.00", "12.50"]}
    assert (record.version, record.updated_at) == (2, later)


def test_saving_without_differences_still_moves_the_version() -> None:
    record = make()
    assert record.apply({"category": "Food"}, NOW) == {}
    assert record.version == 2


def test_soft_delete_and_restore() -> None:
    record = make()
    record.soft_delete(NOW)
    assert (record.is_deleted, record.deleted_at, record.version) == (True, NOW, 2)
    record.restore(NOW)
    assert (record.is_deleted, record.deleted_at, record.version) == (False, None, 3)


def test_filter_refuses_reversed_ranges() -> None:
    with pytest.raises(InvalidValue) as error:
        RecordFilter(date_from=date(2026, 2, 1), date_to=date(2026, 1, 1))
    assert error.value.field == "date_from"
    from decimal import Decimal

    with pytest.raises(InvalidValue) as error:
        RecordFilter(min_amount=Decimal("5"), max_amount=Decimal("4.99"))
    assert error.value.field == "min_amount"


def test_filter_matches_category_case_insensitively_and_q_in_description() -> None:
    record = make(category="Food", description="Lunch with Ana")
    assert RecordFilter(category="FOOD").matches(record)
    assert RecordFilter(q="ana").matches(record)
    assert RecordFilter(q="foo").matches(record)
    assert not RecordFilter(q="d l").matches(record)
    assert not RecordFilter(category="Foo").matches(record)


def test_orderings_know_their_field_and_direction() -> None:
    assert (Ordering("-amount").field, Ordering("-amount").descending) == ("amount", True)
    assert (Ordering("date").field, Ordering("date").descending) == ("date", False)
