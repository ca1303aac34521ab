"""The PostgreSQL database of a run: found or made, emptied, migrated, and counted directly."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from sqlalchemy import create_engine, make_url, text

from bench.server import BIN

ROOT = Path(__file__).resolve().parents[2]
DATABASE = "finance_load"
COMMAND_TIMEOUT = 300


class DatabaseError(RuntimeError):
    """No database to run against."""


def database_url(configured: str | None) -> str:
    """The configured URL, else the local cluster's database that `.ci/postgres` makes."""
    if configured:
        return configured
    script = ROOT / ".ci" / "postgres"
    result = subprocess.run(
        ["bash", str(script), DATABASE],
        capture_output=True,
        text=True,
        timeout=COMMAND_TIMEOUT,
        check=False,
    )
    lines = result.stdout.strip().splitlines()
    if result.returncode != 0 or not lines:
        raise DatabaseError(f"{script} failed ({result.returncode}):\n{result.stderr[-2000:]}")
    return lines[-1]


def shown(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def empty_schema(url: str) -> None:
    """Drop every table of the run before: the reconciliation assumes it saw every write."""
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    finally:
        engine.dispose()


def record_counts(url: str) -> dict[str, int]:
    """Rows of the records table, all and live, read with SQL rather than through the API."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            row = connection.execute(
                text("SELECT count(*), count(*) FILTER (WHERE NOT is_deleted) FROM records")
            ).one()
    finally:
        engine.dispose()
    return {"all": int(row[0]), "live": int(row[1])}


def finance(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """Run a `finance` command against the run's database."""
    return subprocess.run(
        [str(BIN / "finance"), *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=COMMAND_TIMEOUT,
        check=False,
    )
