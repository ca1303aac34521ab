"""The SQL dashboard totals: how a range is split into months and days, the backfill of
migration 0003, `finance stats verify [--repair]`, and query plans that use the indexes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from functools import partial
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import insert, select, update

from finance.adapters.sqlalchemy.dashboard_statements import split_range
from finance.adapters.sqlalchemy.engine import build_engine
from finance.adapters.sqlalchemy.record_rows import record_columns
from finance.adapters.sqlalchemy.schema import upgrade_database
from finance.adapters.sqlalchemy.tables import (
    record_daily_totals,
    record_monthly_totals,
    records,
    users,
)
from finance.application.analytics.statistics import DashboardQuery
from finance.application.ports import NoProgress
from finance.domain.money import Money
from finance.domain.months import month_end
from finance.domain.records import Record, RecordType
from finance.domain.roles import Role
from finance.domain.users import User
from finance.entrypoints import cli as cli_module
from finance.main import prepare_storage
from tests.conftest import Store, captured_queries, requires_postgres

NOW = datetime(2026, 4, 1, tzinfo=UTC)
some_dates = st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31))


@given(st.none() | some_dates, st.none() | some_dates)
def test_a_range_splits_into_whole_months_and_edge_days_exactly(
    a: date | None, b: date | None
) -> None:
    start, end = (min(a, b), max(a, b)) if a and b else (a, b)
    months, days = split_range(start, end)
    for first, last in days:
        assert first <= last
        assert start is None or first >= start
        assert end is None or last <= end
    if months is not None:
        first_month, last_month = months
        if first_month is not None:
            assert first_month.day == 1
            assert start is None or start <= first_month
        if last_month is not None:
            assert last_month.day == 1
            assert end is None or month_end(last_month) <= end
        covered = [
            (first_month or date.min, month_end(last_month) if last_month else date.max),
            *days,
        ]
    else:
        covered = days
    covered.sort()
    assert covered[0][0] == (start or date.min)
    assert covered[-1][1] == (end or date.max)
    for (_, before), (after, _) in pairwise(covered):
        assert after == before + timedelta(days=1)


def new_record(owner: int, cents: int, day: date, category: str = "Food") -> Record:
    return Record.create(
        amount=Money.from_cents(cents),
        type=RecordType.EXPENSE,
        category=category,
        date=day,
        description="",
        owner_id=owner,
        created_by=owner,
        now=NOW,
    )


@pytest.fixture
def sql_store(request: pytest.FixtureRequest, tmp_path: Path) -> Store:
    from tests.conftest import make_store

    return make_store(request.param, tmp_path, request)


SQL_STORES = ["sqlite", pytest.param("postgres", marks=[pytest.mark.postgres, requires_postgres])]


def seed(container: Any) -> int:
    uow = container.uow()
    with uow:
        owner = uow.users.add(User("o@example.com", "O", Role.ANALYST, "hash", NOW)).id
        uow.records.add_many(
            [
                new_record(owner, 101 * n, date(2026, 1, n), "Food" if n % 2 else "food")
                for n in range(1, 29)
            ]
        )
        uow.commit()
    return int(owner)


def verify(store: Store, container: Any, *args: str) -> Any:
    context = cli_module._Context.of(store.settings, container, prepare_storage)
    return CliRunner().invoke(cli_module.finance, ["stats", "verify", *args], obj=context)


@pytest.mark.parametrize("sql_store", SQL_STORES, indirect=True)
def test_verify_reports_drift_and_repair_rebuilds(sql_store: Store) -> None:
    container = sql_store.container()
    owner = seed(container)
    clean = verify(sql_store, container)
    assert clean.exit_code == 0, clean.output
    assert "match" in clean.output

    with container.engine().begin() as conn:
        conn.execute(
            update(record_daily_totals)
            .where(record_daily_totals.c.day == date(2026, 1, 3))
            .values(total_cents=record_daily_totals.c.total_cents + 1)
        )
        conn.execute(
            update(record_monthly_totals).values(
                record_count=record_monthly_totals.c.record_count - 1
            )
        )
        conn.execute(
            insert(record_daily_totals).values(
                owner_id=owner,
                day=date(2030, 1, 1),
                type="income",
                category="Ghost",
                category_key="ghost",
                total_cents=5,
                record_count=1,
            )
        )
    drift = verify(sql_store, container)
    assert drift.exit_code == 1, drift.output
    assert "2026-01-03" in drift.output and "Ghost" in drift.output
    assert "4 differences" in drift.output

    repaired = verify(sql_store, container, "--repair")
    assert repaired.exit_code == 0, repaired.output
    assert "rebuilt" in repaired.output
    after = verify(sql_store, container)
    assert after.exit_code == 0 and "match" in after.output, after.output
    with container.read_uow() as uow:
        totals = uow.statistics.totals(DashboardQuery(owner))
    assert (totals.expense_cents, totals.count) == (101 * 28 * 29 // 2, 28)


def test_migration_0003_backfills_from_existing_records(tmp_path: Path) -> None:
    engine = build_engine(f"sqlite:///{tmp_path / 'old.db'}")
    upgrade_database(engine, "0002")
    with engine.begin() as conn:
        inserted = conn.execute(
            insert(users).values(
                email="o@example.com",
                name="O",
                role="analyst",
                password_hash="hash",
                is_active=True,
                token_version=1,
                date_joined=NOW,
            )
        ).inserted_primary_key
        assert inserted is not None
        owner = inserted[0]
        rows = [new_record(owner, 250, date(2025, 12, 31)), new_record(owner, 7, date(2026, 1, 1))]
        gone = new_record(owner, 1000, date(2026, 1, 1))
        gone.soft_delete(NOW)
        # Schema 0002 has no recurring_id yet (0005 adds it).
        old_columns = [
            {k: v for k, v in record_columns(r).items() if k != "recurring_id"}
            for r in [*rows, gone]
        ]
        conn.execute(insert(records), old_columns)
    upgrade_database(engine)
    with engine.connect() as conn:
        monthly = conn.execute(
            select(
                record_monthly_totals.c.month,
                record_monthly_totals.c.total_cents,
                record_monthly_totals.c.record_count,
            ).order_by(record_monthly_totals.c.month)
        ).all()
        daily = conn.execute(select(record_daily_totals.c.day)).scalars().all()
    assert [tuple(r) for r in monthly] == [(date(2025, 12, 1), 250, 1), (date(2026, 1, 1), 7, 1)]
    assert sorted(daily) == [date(2025, 12, 31), date(2026, 1, 1)]
    from finance.adapters.sqlalchemy.unit_of_work import SqlUnitOfWork

    with SqlUnitOfWork(engine, write=False) as uow:
        assert uow.statistics.differences(NoProgress()) == []
    engine.dispose()


@pytest.mark.parametrize("sql_store", SQL_STORES, indirect=True)
@pytest.mark.parametrize(
    "scope",
    [
        DashboardQuery(1),
        DashboardQuery(None, date(2024, 1, 15), date(2024, 5, 10)),
        DashboardQuery(1, date(2024, 1, 15), date(2024, 5, 10)),
    ],
    ids=["owner", "dates", "owner-and-dates"],
)
def test_query_plans_use_the_indexes(sql_store: Store, scope: DashboardQuery) -> None:
    container = sql_store.container()
    engine = container.engine()
    uow = container.read_uow()
    with uow:
        for method in ("totals", "category_totals", "monthly_totals"):
            args = (scope, None) if method == "category_totals" else (scope,)
            [(statement, parameters)] = captured_queries(
                engine, partial(getattr(uow.statistics, method), *args)
            )
            conn = uow._connection
            if engine.dialect.name == "sqlite":
                plan = [
                    r[-1]
                    for r in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)
                ]
                touching = [line for line in plan if "_totals" in line]
                assert touching and all("USING INDEX" in line for line in touching), plan
            else:
                conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
                plan = [r[0] for r in conn.exec_driver_sql("EXPLAIN " + statement, parameters)]
                # Index, index-only and bitmap heap scans (fed by a bitmap index scan) all read
                # through an index; the planner picks among them by table statistics.
                scans = [line for line in plan if " on record_" in line]
                assert scans and not any("Seq Scan" in line for line in scans), plan


@pytest.mark.parametrize("sql_store", ["sqlite"], indirect=True)
def test_each_pass_of_a_check_reads_only_its_own_ids_on_sqlite(sql_store: Store) -> None:
    """A check sums the records a range of ids at a time. Each pass must read those rows by
    id: walking the index of live records instead reads every record on every pass, so the
    check grows with the square of the records (10M took 14x as long as 1M)."""
    container = sql_store.container()
    seed(container)
    engine = container.engine()
    uow = container.read_uow()
    with uow:
        queries = captured_queries(engine, lambda: uow.statistics.differences(NoProgress()))
        passes = [(s, p) for s, p in queries if "GROUP BY" in s and "FROM records" in s]
        assert passes
        for statement, parameters in passes:
            plan = [
                r[-1]
                for r in uow._connection.exec_driver_sql(
                    "EXPLAIN QUERY PLAN " + statement, parameters
                )
            ]
            assert any("USING INTEGER PRIMARY KEY" in line for line in plan), plan
