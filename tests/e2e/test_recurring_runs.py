"""`finance recurring run` for cron: run twice, or several at once (processes of the command
beside the API's run in threads), each occurrence is made once, on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import subprocess
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from finance.application.authorization import Actor
from finance.application.recurring.create_schedule import CreateScheduleRequest
from finance.application.recurring.run_schedule import RunScheduleRequest
from finance.application.users.create_admin import CreateAdminRequest
from finance.domain.money import Money
from finance.domain.records import RecordType
from finance.domain.roles import Role
from finance.domain.schedules import Frequency
from finance.main import Container
from tests.conftest import PASSWORD, Store, make_store, requires_postgres
from tests.e2e.test_gunicorn import BIN, run_cli

pytestmark = pytest.mark.e2e

SQL_STORES = [
    "sqlite",
    pytest.param("postgres", marks=[pytest.mark.postgres, requires_postgres]),
]
DAYS = 40


@pytest.fixture(params=SQL_STORES)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Store:
    return make_store(request.param, tmp_path, request)


def command_env(store: Store) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FINANCE_")}
    env |= {
        "FINANCE_STORAGE": "sql",
        "FINANCE_DATABASE_URL": store.settings.database_url,
        "FINANCE_INSTANCE_PATH": str(store.settings.instance_path),
        "FINANCE_SECRET_KEY": store.settings.secret_key,
        "FINANCE_LOG_LEVEL": "WARNING",
    }
    return env


def schedule_daily(container: Container, start: date, category: str) -> tuple[Actor, int]:
    """An admin and a daily schedule from ``start``: the admin, and the schedule's id."""
    admin = container.create_admin().execute(
        CreateAdminRequest(f"{category.lower()}@example.com", "Ops", PASSWORD)
    )
    assert admin is not None and admin.id is not None
    schedule = container.create_schedule().execute(
        CreateScheduleRequest(
            actor=Actor(admin.id, Role.ADMIN),
            amount=Money.parse("12.50"),
            type=RecordType.EXPENSE,
            category=category,
            frequency=Frequency.DAILY,
            start_date=start,
        )
    )
    assert schedule.id is not None
    return Actor(admin.id, Role.ADMIN), schedule.id


def made_dates(store: Store, schedule_id: int) -> list[date]:
    """Every record the schedule made, by date, straight from the database."""
    engine = create_engine(store.settings.database_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                text("SELECT date FROM records WHERE recurring_id = :id ORDER BY date"),
                {"id": schedule_id},
            )
            return [r[0] if isinstance(r[0], date) else date.fromisoformat(r[0]) for r in rows]
    finally:
        engine.dispose()


def every_day(start: date, end: date) -> list[date]:
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]


def test_running_the_command_twice_makes_each_occurrence_once(store: Store) -> None:
    today = datetime.now(UTC).date()
    start = today - timedelta(days=DAYS)
    _, schedule_id = schedule_daily(store.container(), start, "Rent")
    env = command_env(store)

    first = run_cli(env, "recurring", "run", "--until", str(today - timedelta(days=1)))
    second = run_cli(env, "recurring", "run")
    third = run_cli(env, "recurring", "run")

    assert f"Made {DAYS} records from 1 active schedules." in first
    assert "Made 1 records from 1 active schedules." in second
    assert "Made 0 records" in third
    assert made_dates(store, schedule_id) == every_day(start, today)


def test_a_future_until_is_refused_and_makes_nothing(store: Store) -> None:
    today = datetime.now(UTC).date()
    _, schedule_id = schedule_daily(store.container(), today - timedelta(days=3), "Rent")
    result = subprocess.run(
        [str(BIN / "finance"), "recurring", "run", "--until", str(today + timedelta(days=1))],
        env=command_env(store),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    assert "future" in result.stderr
    assert made_dates(store, schedule_id) == []


def test_concurrent_runs_make_each_occurrence_once(store: Store) -> None:
    """Four processes of the command and four API runs in threads, all at once."""
    today = datetime.now(UTC).date()
    start = today - timedelta(days=DAYS)
    container = store.container()
    actor, schedule_id = schedule_daily(container, start, "Salary")
    env = command_env(store)

    commands = [
        subprocess.Popen(
            [str(BIN / "finance"), "recurring", "run"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]

    def run_through_api() -> int:
        return len(container.run_schedule().execute(RunScheduleRequest(actor, schedule_id)))

    with ThreadPoolExecutor(4) as pool:
        api_made = list(pool.map(lambda _: run_through_api(), range(4)))
    outputs = [c.communicate(timeout=60) for c in commands]

    assert all(c.returncode == 0 for c in commands), [err for _, err in outputs]
    command_made = [int(out.rsplit("Made ", 1)[1].split(" ", 1)[0]) for out, _ in outputs]
    assert sum(api_made) + sum(command_made) == DAYS + 1
    assert made_dates(store, schedule_id) == every_day(start, today)
