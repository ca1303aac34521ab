"""Dashboard speed against a one-pass raw scan of the records, on SQLite and PostgreSQL.

    .venv/bin/python -m bench.dashboard                      # 100,000 records, quick
    .venv/bin/python -m bench.dashboard --records 1000000    # the figure in bench/DASHBOARD.md

Fills each database once (3 owners, 20 categories, 4 years up to this month, about 1% of the
records soft-deleted), with Core executemany inserts of the records' columns, then builds the
dashboard totals the way `finance stats verify --repair` and migration 0003 do. Later runs with
the same --records reuse the data (bench/data/ for SQLite, the database in --postgres-url).
Each endpoint and scope is timed as single requests through the app (Flask test client), median
of --repeat, next to the median of a raw `SUM(CASE …)` scan over the records on the same
database; ratio = endpoint / raw scan. Writes bench/DASHBOARD.md."""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy
from flask.testing import FlaskClient
from sqlalchemy import Engine, func, insert, select, text

from finance.adapters.security import Argon2PasswordHasher
from finance.adapters.sqlalchemy.engine import build_engine
from finance.adapters.sqlalchemy.schema import upgrade_database
from finance.adapters.sqlalchemy.tables import records, users
from finance.adapters.sqlalchemy.totals import month_start, rebuild_totals
from finance.application.analytics.verify_statistics import VerifyStatisticsRequest
from finance.application.authorization import Actor
from finance.application.users.create_admin import CreateAdminRequest
from finance.application.users.create_user import CreateUserRequest
from finance.domain.roles import Role
from finance.main import build_container, create_app
from finance.settings import Settings

HERE = Path(__file__).parent
PASSWORD = "bench-password-1"
CATEGORIES = [
    "Salary", "Bonus", "Interest", "Dividends", "Refunds",
    "Rent", "Groceries", "Restaurants", "Transport", "Fuel",
    "Utilities", "Internet", "Phone", "Insurance", "Health",
    "Education", "Travel", "Entertainment", "Clothing", "Gifts",
]  # fmt: skip
INCOME = set(CATEGORIES[:5])
OWNERS = 3
YEARS = 4
BATCH = 20_000
RAW_SCAN = (
    "SELECT SUM(CASE WHEN type = 'income' THEN amount_cents ELSE 0 END),"
    " SUM(CASE WHEN type = 'expense' THEN amount_cents ELSE 0 END), COUNT(*)"
    " FROM records WHERE is_deleted = {false}"
)


def first_day(months_back: int, today: date) -> date:
    index = today.year * 12 + today.month - 1 - months_back
    return date(index // 12, index % 12 + 1, 1)


def generated_rows(count: int, owner_ids: list[int], today: date) -> Iterator[dict[str, Any]]:
    """Deterministic records over the 4 years ending with this month."""
    rng = random.Random(20261126)
    start = first_day(YEARS * 12 - 1, today)
    span = (first_day(-1, today) - start).days
    now = datetime.now(UTC)
    for n in range(count):
        category = CATEGORIES[rng.randrange(len(CATEGORIES))]
        deleted = rng.random() < 0.01
        yield {
            "owner_id": owner_ids[n % len(owner_ids)],
            "created_by": owner_ids[0],
            "amount_cents": rng.randint(1, 50_000_00),
            "type": "income" if category in INCOME else "expense",
            "category": category,
            "category_key": category.lower(),
            "description": "",
            "search_key": f"{category.lower()}\x1f",
            "date": start + timedelta(days=rng.randrange(span)),
            "created_at": now,
            "updated_at": now,
            "version": 2 if deleted else 1,
            "is_deleted": deleted,
            "deleted_at": now if deleted else None,
        }


@dataclass
class Target:
    name: str
    url: str
    engine: Engine = field(init=False)

    def __post_init__(self) -> None:
        self.engine = build_engine(self.url)

    @property
    def false(self) -> str:
        return "0" if self.engine.dialect.name == "sqlite" else "false"


def filled(target: Target, count: int) -> bool:
    try:
        with target.engine.connect() as conn:
            found = conn.execute(select(func.count()).select_from(records)).scalar_one()
            people = conn.execute(select(func.count()).select_from(users)).scalar_one()
    except sqlalchemy.exc.DBAPIError:
        return False
    return bool(found == count and people == OWNERS + 1)


def reset(target: Target) -> None:
    if target.engine.dialect.name == "sqlite":
        target.engine.dispose()
        path = Path(target.engine.url.database or "")
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        target.engine = build_engine(target.url)
    else:
        with target.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    upgrade_database(target.engine)


def settings_for(target: Target) -> Settings:
    return Settings(
        storage="sql",
        database_url=target.url,
        instance_path=HERE / "data",
        secret_key="bench-secret-key-that-is-long-enough-for-hs256",
        log_level="WARNING",
    )


def container_for(target: Target) -> Any:
    container = build_container(settings_for(target))
    container.engine.override(target.engine)
    container.password_hasher.override(Argon2PasswordHasher(time_cost=1, memory_cost=64))
    return container


def fill(target: Target, count: int, log: Callable[[str], None]) -> None:
    reset(target)
    container = container_for(target)
    admin = container.create_admin().execute(
        CreateAdminRequest("admin@bench.example", "Admin", PASSWORD)
    )
    actor = Actor(admin.id, Role.ADMIN)
    owners = [
        container.create_user()
        .execute(
            CreateUserRequest(
                actor, f"analyst{n}@bench.example", f"Analyst {n}", PASSWORD, Role.ANALYST
            )
        )
        .id
        for n in range(1, OWNERS + 1)
    ]
    started = time.perf_counter()
    rows = generated_rows(count, owners, datetime.now(UTC).date())
    with target.engine.begin() as conn:
        batch: list[dict[str, Any]] = []
        for n, row in enumerate(rows, 1):
            batch.append(row)
            if len(batch) == BATCH:
                conn.execute(insert(records), batch)
                batch.clear()
                if n % 200_000 == 0:
                    log(f"  {target.name}: {n:,} records ({time.perf_counter() - started:.0f} s)")
        if batch:
            conn.execute(insert(records), batch)
    log(f"  {target.name}: inserted in {time.perf_counter() - started:.0f} s")
    started = time.perf_counter()
    with target.engine.begin() as conn:
        rebuild_totals(conn)
    log(f"  {target.name}: totals built in {time.perf_counter() - started:.1f} s")
    analyze(target)


def analyze(target: Target) -> None:
    if target.engine.dialect.name == "sqlite":
        with target.engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")
    else:
        with target.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")


def median_ms(run: Callable[[], Any], repeat: int, warmup: int = 2) -> float:
    for _ in range(warmup):
        run()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def token(client: FlaskClient, email: str) -> str:
    response = client.post("/api/auth/login/", json={"email": email, "password": PASSWORD})
    assert response.status_code == 200, response.json
    return str(response.json["access"])


def requests_to_time(today: date) -> list[tuple[str, str]]:
    ranged_from = first_day(30, today) + timedelta(days=14)
    ranged_to = first_day(3, today) + timedelta(days=9)
    ranged = f"date_from={ranged_from}&date_to={ranged_to}"
    return [
        ("summary", ""),
        ("summary", ranged),
        ("category-totals", ""),
        ("category-totals", f"type=expense&{ranged}"),
        ("recent-transactions", ""),
        ("recent-transactions", f"limit=100&{ranged}"),
        ("monthly-trends", ""),
        ("monthly-trends", ranged),
    ]


@dataclass
class Row:
    endpoint: str
    query: str
    scope: str
    median_ms: float


@dataclass
class Result:
    target: str
    raw_ms: float
    rows: list[Row]
    naive_ms: dict[str, float]
    drift: int
    fill_note: str


def naive_queries(target: Target) -> dict[str, Any]:
    live = records.c.is_deleted.is_(False)
    month = month_start(records.c.date, target.engine.dialect.name)
    return {
        "summary (GROUP BY type)": select(
            records.c.type, func.sum(records.c.amount_cents), func.count()
        )
        .where(live)
        .group_by(records.c.type),
        "category-totals (GROUP BY type, category)": select(
            records.c.type,
            records.c.category_key,
            func.min(records.c.category),
            func.sum(records.c.amount_cents),
            func.count(),
        )
        .where(live)
        .group_by(records.c.type, records.c.category_key),
        "monthly-trends (GROUP BY month, type; all months)": select(
            month, records.c.type, func.sum(records.c.amount_cents), func.count()
        )
        .where(live)
        .group_by(month, records.c.type),
    }


def measure(target: Target, count: int, repeat: int, log: Callable[[str], None]) -> Result:
    note = "reused"
    if not filled(target, count):
        log(f"{target.name}: filling {count:,} records…")
        started = time.perf_counter()
        fill(target, count, log)
        note = f"filled in {time.perf_counter() - started:.0f} s"
    container = container_for(target)
    os.environ.setdefault("FINANCE_ADMIN_PASSWORD", PASSWORD)
    app = create_app(settings_for(target), container)
    client = app.test_client()
    callers = {
        "admin, all owners": token(client, "admin@bench.example"),
        "analyst, own": token(client, "analyst1@bench.example"),
    }
    with target.engine.connect() as conn:
        raw_ms = median_ms(
            lambda: conn.exec_driver_sql(RAW_SCAN.format(false=target.false)).all(), repeat
        )
        naive = {
            name: median_ms(lambda q=query: conn.execute(q).all(), 3, warmup=1)
            for name, query in naive_queries(target).items()
        }
    log(f"{target.name}: raw scan {raw_ms:.1f} ms")
    rows = []
    for endpoint, query in requests_to_time(datetime.now(UTC).date()):
        for scope, access in callers.items():
            url = f"/api/dashboard/{endpoint}/" + (f"?{query}" if query else "")
            headers = {"Authorization": f"Bearer {access}"}

            def call(u: str = url, h: dict[str, str] = headers) -> None:
                response = client.get(u, headers=h)
                assert response.status_code == 200, response.json

            ms = median_ms(call, repeat)
            rows.append(Row(endpoint, query, scope, ms))
            log(f"  {endpoint:<20} {scope:<18} {ms:8.2f} ms  ratio {ms / raw_ms:.3f}  {query}")
    report = container.verify_statistics().execute(VerifyStatisticsRequest())
    log(f"{target.name}: stats verify: {len(report.differences)} differences")
    return Result(target.name, raw_ms, rows, naive, len(report.differences), note)


def render(results: list[Result], count: int, repeat: int) -> str:
    lines = [
        "# Dashboard benchmark",
        "",
        f"Generated by `.venv/bin/python -m bench.dashboard --records {count}` on"
        f" {datetime.now(UTC):%Y-%m-%d %H:%M} UTC: {count:,} records, {OWNERS} owners,"
        f" {len(CATEGORIES)} categories, {YEARS} years up to this month, about 1% soft-deleted;"
        f" {os.cpu_count()} CPUs, Python {platform.python_version()},"
        f" SQLAlchemy {sqlalchemy.__version__}.",
        "",
        "Each figure is the median of "
        f"{repeat} single requests through the app (Flask test client: routing, JWT,"
        " validation, use case, SQL, JSON). *Raw scan* is the median of the one-pass aggregate"
        " `SELECT SUM(CASE WHEN type='income' …), SUM(CASE WHEN type='expense' …), COUNT(*)"
        " FROM records WHERE is_deleted = false` on the same database in the same run;"
        " ratio = request / raw scan. *Ranged* requests use a date range with partial months at"
        " both ends, which the daily totals cover.",
        "",
    ]
    for result in results:
        lines += [
            f"## {result.target}",
            "",
            f"Raw scan: **{result.raw_ms:.1f} ms**. Data: {result.fill_note}."
            f" `finance stats verify` after the run: {result.drift} differences.",
            "",
            "| endpoint | query | scope | median ms | ratio to raw scan |",
            "| --- | --- | --- | ---: | ---: |",
        ]
        for row in result.rows:
            query = f"`{row.query}`" if row.query else "(defaults)"
            lines.append(
                f"| {row.endpoint} | {query} | {row.scope} | {row.median_ms:.2f}"
                f" | {row.median_ms / result.raw_ms:.3f} |"
            )
        worst = max(row.median_ms / result.raw_ms for row in result.rows)
        lines += ["", f"Highest ratio: **{worst:.3f}**.", ""]
        lines += ["For comparison, naive GROUP BY over the records (median of 3):", ""]
        for name, ms in result.naive_ms.items():
            lines.append(f"- {name}: {ms:.1f} ms")
        lines.append("")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get(
            "FINANCE_BENCH_POSTGRES_URL",
            "postgresql+psycopg://finance:finance@127.0.0.1:5432/finance_bench_dash",
        ),
        help="an existing database the benchmark may wipe; empty to skip PostgreSQL",
    )
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument("--output", type=Path, default=HERE / "DASHBOARD.md")
    args = parser.parse_args()
    (HERE / "data").mkdir(exist_ok=True)
    targets = []
    if not args.no_sqlite:
        path = HERE / "data" / f"dashboard-{args.records}.db"
        targets.append(Target("SQLite", f"sqlite:///{path}"))
    if args.postgres_url:
        targets.append(Target("PostgreSQL", args.postgres_url))
    results = [measure(t, args.records, args.repeat, print) for t in targets]
    args.output.write_text(render(results, args.records, args.repeat))
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
