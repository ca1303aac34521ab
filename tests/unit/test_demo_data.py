"""Demo data: reproducible, realistic, every role; through the use case and `finance demo-data`."""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

import pytest
from click.testing import CliRunner

from finance.adapters.memory.store import MemoryStore
from finance.adapters.memory.unit_of_work import MemoryUnitOfWork
from finance.domain.records import AuditAction, Record, RecordType
from finance.domain.roles import Role
from finance.entrypoints.cli import _Context, finance
from finance.entrypoints.demo_data import (
    CATEGORIES,
    DemoDataRequest,
    DemoDataResult,
    GenerateDemoData,
)
from finance.entrypoints.demo_plans import BUDGETED
from finance.main import prepare_storage
from tests.conftest import Store, fast_hasher
from tests.unit.conftest import FakeClock

UNTIL = date(2026, 2, 28)


def generate(
    records: int = 3000, users: int = 2, seed: int = 1, months: int = 12
) -> tuple[MemoryStore, DemoDataResult]:
    store = MemoryStore()
    use_case = GenerateDemoData(MemoryUnitOfWork(store), fast_hasher(), FakeClock(), batch_size=500)
    result = use_case.execute(DemoDataRequest(records, users, seed, "demo-password", UNTIL, months))
    return store, result


def fingerprint(store: MemoryStore) -> list[tuple[Any, ...]]:
    return [
        (
            r.id,
            r.owner_id,
            r.created_by,
            r.date,
            r.type,
            r.category,
            r.amount,
            r.description,
            r.is_deleted,
            r.created_at,
        )
        for r in sorted(store.records.values(), key=lambda r: r.id or 0)
    ]


def test_users_of_every_role_and_exactly_n_records() -> None:
    store, result = generate(records=3000, users=2)
    assert sorted((u.role.value, u.email) for u in store.users.values()) == [
        ("admin", "admin1@demo.example"),
        ("admin", "admin2@demo.example"),
        ("analyst", "analyst1@demo.example"),
        ("analyst", "analyst2@demo.example"),
        ("viewer", "viewer1@demo.example"),
        ("viewer", "viewer2@demo.example"),
    ]
    assert result.created_users == 6
    assert result.records == len(store.records) == 3000
    owners = Counter(r.owner_id for r in store.records.values())
    assert set(owners) == {u.id for u in store.users.values()}
    admins = {u.id for u in store.users.values() if u.role is Role.ADMIN}
    assert {r.created_by for r in store.records.values()} <= admins


def test_the_same_seed_gives_the_same_data_and_another_seed_does_not() -> None:
    first, _ = generate(seed=7)
    again, _ = generate(seed=7)
    other, _ = generate(seed=8)
    assert fingerprint(first) == fingerprint(again)
    assert fingerprint(first) != fingerprint(other)


def test_records_look_real() -> None:
    store, result = generate(records=6000, users=2, months=12)
    records = list(store.records.values())
    assert all(date(2025, 3, 1) <= r.date <= UNTIL for r in records)
    salaries: dict[int, list[Record]] = {}
    for r in records:
        if r.category == "Salary":
            assert r.type is RecordType.INCOME
            salaries.setdefault(r.owner_id, []).append(r)
    assert len(salaries) == 6
    for paid in salaries.values():
        assert len(paid) == 12
        assert len({(r.date.year, r.date.month) for r in paid}) == 12
        assert len({r.amount for r in paid}) == 1
    ranges = {c.name: (c.low, c.high, c.type) for c in CATEGORIES}
    for r in records:
        if r.category in ranges:
            low, high, kind = ranges[r.category]
            assert low <= r.amount.amount <= high, r
            assert r.type is kind
    categories = Counter(r.category for r in records)
    assert len(categories) >= 12
    assert categories["Groceries"] > categories["Travel"]
    december = [r for r in records if r.category == "Gifts" and r.date.month == 12]
    june = [r for r in records if r.category == "Gifts" and r.date.month == 6]
    assert len(december) > 2 * len(june)
    assert 0 < result.deleted < len(records) // 50
    assert sum(r.is_deleted for r in records) == result.deleted
    assert all(r.created_at.date() == r.date for r in records)


def test_every_record_has_its_creation_in_the_audit_trail() -> None:
    store, _result = generate(records=500)
    created = [e for e in store.audit.values() if e.action is AuditAction.CREATED]
    deleted = [e for e in store.audit.values() if e.action is AuditAction.DELETED]
    assert sorted(e.record_id for e in created) == sorted(store.records)
    assert sorted(e.record_id for e in deleted) == sorted(
        r.id for r in store.records.values() if r.is_deleted
    )


def test_every_user_gets_budgets_and_salary_and_rent_schedules() -> None:
    store, result = generate(records=3000, users=2, months=12)
    assert (result.budgets, result.schedules) == (6 * 4, 6 * 2)
    for user in store.users.values():
        budgets = [b for b in store.budgets.values() if b.owner_id == user.id]
        assert sorted(b.category for b in budgets) == sorted(BUDGETED)
        assert {b.start_month for b in budgets} == {date(2025, 3, 1)}
        assert [b.category for b in budgets if b.rollover] == [BUDGETED[0]]
        schedules = [s for s in store.schedules.values() if s.owner_id == user.id]
        assert sorted((s.category, s.type.value) for s in schedules) == [
            ("Rent", "expense"),
            ("Salary", "income"),
        ]
        assert all(s.start_date.replace(day=1) == date(2026, 3, 1) for s in schedules)
        assert all(s.active and s.made_through is None for s in schedules)


def test_a_second_run_reuses_the_demo_users_and_their_plans() -> None:
    store = MemoryStore()
    use_case = GenerateDemoData(MemoryUnitOfWork(store), fast_hasher(), FakeClock())
    request = DemoDataRequest(100, 1, 1, "demo-password", UNTIL)
    use_case.execute(request)
    again = use_case.execute(request)
    assert again.created_users == 0
    assert (again.budgets, again.schedules) == (0, 0)
    assert len(store.users) == 3
    assert len(store.records) == 200
    assert (len(store.budgets), len(store.schedules)) == (3 * 4, 3 * 2)


def test_the_command_fills_a_sqlite_database(sqlite_store: Store) -> None:
    container = sqlite_store.container()
    context = _Context.of(sqlite_store.settings, container, prepare_storage)
    args = [
        "demo-data",
        "--records",
        "2000",
        "--users",
        "1",
        "--seed",
        "3",
        "--until",
        "2026-02-28",
    ]
    result = CliRunner().invoke(finance, args, obj=context, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "3 demo users created" in result.output
    assert "2000 records" in result.output
    assert "12 budgets and 6 recurring schedules" in result.output
    assert "admin1@demo.example" in result.output
    with container.read_uow() as uow:
        admin = uow.users.get_by_email("admin1@demo.example")
        assert admin is not None and admin.role is Role.ADMIN
        assert container.password_hasher().verify(admin.password_hash, "demo-password")
        first = uow.records.get(1)
        assert first is not None
        assert next(e.action for e in uow.audit.for_record(1)) is AuditAction.CREATED


@pytest.mark.parametrize("args", [["--records", "-1"], ["--users", "0"], ["--until", "May"]])
def test_the_command_refuses_bad_options(sqlite_store: Store, args: list[str]) -> None:
    context = _Context.of(sqlite_store.settings, sqlite_store.container(), prepare_storage)
    result = CliRunner().invoke(finance, ["demo-data", *args], obj=context)
    assert result.exit_code == 2
