"""`make bench`: the API under gunicorn on a 1,000,000-record SQLite database, measured with wrk.

    make bench                          # 1,000,000 records, writes bench/RESULTS.md
    make bench BENCH_ARGS=--quick       # 100,000 records, a few seconds per figure
    make bench BENCH_ARGS=--scale       # bench/scale.py: 100k, 1M and 10M on SQLite and PostgreSQL

Steps: demo data into a fresh SQLite file (`finance demo-data`), `finance serve` as `make run`
starts it (2 workers x 4 threads), a streamed export of every record while the workers' memory
is sampled, wrk at 16 connections against each endpoint, the same queries as plain SQL on the
same file, a minimal Flask endpoint under the same gunicorn settings (the framework's ceiling),
`finance import` of the exported rows into an empty database, and cursor pagination at depth.
Traffic goes to 127.0.0.1 only; every loop is bounded; servers are always stopped.
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from importlib import metadata
from pathlib import Path
from typing import Any

from bench import browser_dashboard, cursor_depth, latency, load, rawsql, scale
from bench.server import (
    BIN,
    HOST,
    ceiling_server,
    children,
    finance_server,
    free_port,
    memory_kb,
    request_json,
)

HERE = Path(__file__).resolve().parent
PASSWORD = "demo-password"
SECRET = "bench-secret-key-that-is-long-enough-for-hs256"
USERS_PER_ROLE = 5
SEED = 42
WORKERS, THREADS, CONNECTIONS = 2, 4, 16
BUDGETS = 20
OLD_BUDGETS_START = "2016-01"


@dataclass
class Endpoint:
    name: str
    method: str
    path: str
    role: str
    body: Any = None
    raw: rawsql.Query | None = None
    note: str = ""
    load: load.LoadResult | None = None
    sql: rawsql.Timing | None = None
    single: latency.Latency | None = None


@dataclass
class Results:
    records: int
    seconds: int
    until: date
    demo_seconds: float = 0
    endpoints: list[Endpoint] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    ceiling: load.LoadResult | None = None
    export: dict[str, Any] = field(default_factory=dict)
    imported: dict[str, Any] = field(default_factory=dict)
    depth: list[cursor_depth.DepthRow] = field(default_factory=list)
    logins: latency.LoginResults | None = None
    dashboard_draws: list[browser_dashboard.DrawTimes] = field(default_factory=list)


def finance(instance: Path, *args: str, timeout: float = 3600) -> tuple[float, int, str]:
    """Run a `finance` command on ``instance``; its wall time, peak RSS (KiB) and output."""
    env = {
        **os.environ,
        "FINANCE_INSTANCE_PATH": str(instance),
        "FINANCE_SECRET_KEY": SECRET,
        "FINANCE_LOG_LEVEL": "WARNING",
    }
    start = time.perf_counter()
    process = subprocess.Popen(
        [str(BIN / "finance"), *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        output, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        raise
    elapsed = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if process.returncode != 0:
        raise RuntimeError(f"finance {' '.join(args)} failed:\n{output}")
    return elapsed, peak, output


def child_peak_rss(instance: Path, *args: str) -> tuple[float, int, str]:
    """Like ``finance`` but with this one child's own peak RSS (wait4), not all children's."""
    env = {
        **os.environ,
        "FINANCE_INSTANCE_PATH": str(instance),
        "FINANCE_SECRET_KEY": SECRET,
        "FINANCE_LOG_LEVEL": "WARNING",
    }
    log = instance / "command.log"
    start = time.perf_counter()
    with log.open("w") as output:
        process = subprocess.Popen(
            [str(BIN / "finance"), *args], env=env, stdout=output, stderr=output
        )
        _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    text = log.read_text()
    if process.returncode != 0:
        raise RuntimeError(f"finance {' '.join(args)} failed:\n{text}")
    return elapsed, usage.ru_maxrss, text


def login(base: str, email: str) -> str:
    status, body = request_json(
        "POST", f"{base}/api/auth/login/", {"email": email, "password": PASSWORD}
    )
    if status != 200:
        raise RuntimeError(f"login as {email} answered {status}")
    return str(body["access"])


class RssSampler(threading.Thread):
    """Samples VmRSS of some processes every 10 ms until stopped; keeps each one's maximum."""

    def __init__(self, pids: list[int]) -> None:
        super().__init__(daemon=True)
        self.pids = pids
        self.peak = {pid: 0 for pid in pids}
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.wait(0.01):
            for pid in self.pids:
                try:
                    rss = memory_kb(pid)["VmRSS"]
                except (OSError, KeyError):
                    continue
                self.peak[pid] = max(self.peak[pid], rss)

    def stop(self) -> None:
        self._stop_event.set()
        self.join(timeout=5)


def measure_export(base: str, token: str, master: int, target: Path) -> dict[str, Any]:
    workers = children(master)
    for _ in range(3 * WORKERS):
        request_json("GET", f"{base}/api/records/?page_size=100", token=token)
    idle = {pid: memory_kb(pid)["VmRSS"] for pid in workers}
    sampler = RssSampler(workers)
    sampler.start()
    request = urllib.request.Request(  # noqa: S310
        f"{base}/api/records/export/", headers={"Authorization": f"Bearer {token}"}
    )
    start = time.perf_counter()
    size = lines = 0
    try:
        with urllib.request.urlopen(request, timeout=600) as response, target.open("wb") as out:  # noqa: S310
            while chunk := response.read(1 << 16):
                out.write(chunk)
                size += len(chunk)
                lines += chunk.count(b"\n")
    finally:
        elapsed = time.perf_counter() - start
        time.sleep(0.1)
        sampler.stop()
    growth = {pid: sampler.peak[pid] - idle[pid] for pid in workers}
    busiest = max(growth, key=lambda pid: growth[pid])
    return {
        "seconds": elapsed,
        "rows": lines - 1,
        "megabytes": size / 1e6,
        "idle_mb": idle[busiest] / 1024,
        "peak_mb": sampler.peak[busiest] / 1024,
        "growth_mb": growth[busiest] / 1024,
        "hwm_mb": memory_kb(busiest)["VmHWM"] / 1024,
    }


def endpoints(base: str, tokens: dict[str, str], since: str) -> list[Endpoint]:
    """Every figure of the table, with the plain SQL that does the same work."""
    admin, analyst = tokens["admin"], tokens["analyst"]
    _, first = request_json("GET", f"{base}/api/records/?page_size=20", token=admin)
    record_id = first["results"][0]["id"]
    _, me = request_json("GET", f"{base}/api/auth/me/", token=analyst)
    analyst_id = int(me["id"])
    total = int(first["count"])
    deep_page = max(1, total // 2 // 100)
    _, deep = request_json(
        "GET", f"{base}/api/records/?page={deep_page}&page_size=100", token=admin
    )
    cursor = deep["next_cursor"]
    last = deep["results"][-1]
    live = "is_deleted = 0"
    filtered = "is_deleted = 0 AND type = ? AND category_key = ? AND date >= ? AND date <= ?"
    filters = ("expense", "groceries", f"{since[:4]}-01-01", f"{since[:4]}-12-31")
    scope_all: tuple[str, tuple[object, ...]] = ("", ())
    scope_own: tuple[str, tuple[object, ...]] = (" AND owner_id = ?", (analyst_id,))
    found = [
        Endpoint(
            "login",
            "POST",
            "/api/auth/login/",
            "anonymous",
            {"email": "viewer1@demo.example", "password": PASSWORD},
            rawsql.fetch("SELECT * FROM users WHERE email = ?", "viewer1@demo.example"),
            "includes one argon2id verification; the SQL column is the user lookup only",
        ),
        Endpoint(
            "list, page 1",
            "GET",
            "/api/records/",
            "admin",
            raw=rawsql.page(live, (), 20, 0),
        ),
        Endpoint(
            "list, filtered",
            "GET",
            f"/api/records/?type=expense&category=groceries&date_from={filters[2]}"
            f"&date_to={filters[3]}",
            "admin",
            raw=rawsql.page(filtered, filters, 20, 0),
        ),
        Endpoint(
            f"list, page mode {deep_page:,} x 100 (offset {100 * (deep_page - 1):,})",
            "GET",
            f"/api/records/?page={deep_page}&page_size=100",
            "admin",
            raw=rawsql.page(live, (), 100, 100 * (deep_page - 1)),
        ),
        Endpoint(
            f"list, cursor mode after row {100 * deep_page:,}",
            "GET",
            f"/api/records/?page_size=100&cursor={cursor}",
            "admin",
            raw=rawsql.fetch(
                f"SELECT {rawsql.COLUMNS} FROM records WHERE is_deleted = 0 "
                "AND (date, id) < (?, ?) ORDER BY date DESC, id DESC LIMIT 101",
                last["date"],
                last["id"],
            ),
        ),
        Endpoint(
            "record detail",
            "GET",
            f"/api/records/{record_id}/",
            "admin",
            raw=rawsql.fetch(f"SELECT {rawsql.COLUMNS} FROM records WHERE id = ?", record_id),
        ),
        Endpoint(
            "create record",
            "POST",
            "/api/records/",
            "admin",
            {"amount": "12.50", "type": "expense", "category": "Bench", "date": "2026-01-15"},
            rawsql.create(analyst_id),
            "a write: one record and its audit entry per request",
        ),
    ]
    month = date.fromisoformat(since).replace(year=date.fromisoformat(since).year + 1)
    next_month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    found.append(
        Endpoint(
            f"dashboard budgets ({BUDGETS} budgets, analyst)",
            "GET",
            f"/api/dashboard/budgets/?month={month:%Y-%m}",
            "analyst",
            raw=rawsql.budgets(analyst_id, month.isoformat(), next_month.isoformat()),
            note=f"{BUDGETS} budgets of one owner, half of them rollover budgets begun in "
            f"{OLD_BUDGETS_START[:4]}; the SQL joins them to the records of their months",
        )
    )
    for role, (scope, params) in (("admin", scope_all), ("analyst", scope_own)):
        found += [
            Endpoint(
                f"dashboard summary ({role})",
                "GET",
                "/api/dashboard/summary/",
                role,
                raw=rawsql.summary(scope, params),
            ),
            Endpoint(
                f"dashboard category-totals ({role})",
                "GET",
                "/api/dashboard/category-totals/",
                role,
                raw=rawsql.category_totals(scope, params),
            ),
            Endpoint(
                f"dashboard recent-transactions ({role})",
                "GET",
                "/api/dashboard/recent-transactions/",
                role,
                raw=rawsql.recent(scope, params),
            ),
            Endpoint(
                f"dashboard monthly-trends ({role})",
                "GET",
                "/api/dashboard/monthly-trends/",
                role,
                raw=rawsql.monthly(scope, params, since),
            ),
        ]
    return found


def add_budgets(base: str, tokens: dict[str, str]) -> None:
    """Up to BUDGETS budgets for the analyst: besides the demo's own, every other expense
    category and a few without records, half of them rollover budgets begun years ago."""
    _, me = request_json("GET", f"{base}/api/auth/me/", token=tokens["analyst"])
    _, page = request_json("GET", f"{base}/api/budgets/?page_size=100", token=tokens["analyst"])
    have = {b["category"].lower() for b in page["results"]}
    extra = [
        "Rent", "Utilities", "Shopping", "Healthcare", "Travel", "Gifts", "Insurance",
        "Education", "Pets", "Garden", "Charity", "Childcare", "Hobbies", "Repairs",
        "Subscriptions", "Taxes", "Parking", "Laundry", "Sports", "Beauty",
    ]  # fmt: skip
    wanted = [c for c in extra if c.lower() not in have][: BUDGETS - len(have)]
    for n, category in enumerate(wanted):
        body = {
            "owner_id": me["id"],
            "category": category,
            "amount": f"{100 + 25 * n}.00",
            "start_month": OLD_BUDGETS_START,
            "rollover": n % 2 == 0,
        }
        status, answer = request_json("POST", f"{base}/api/budgets/", body, token=tokens["admin"])
        assert status == 201, answer


def check_budget_report(base: str, tokens: dict[str, str], database: Path, since: str) -> None:
    """The endpoint and the plain SQL agree on every number before either is timed."""
    budgets = next(e for e in endpoints(base, tokens, since) if e.name.startswith("dashboard bu"))
    _, report = request_json("GET", base + budgets.path, token=tokens["analyst"])
    names = ("budgeted", "carried", "available", "spent", "remaining")
    cents = [
        (*(_cents(line[name]) for name in names), _tenths(line["percent_used"]))
        for line in report["results"]
    ]
    connection = sqlite3.connect(database)
    try:
        assert budgets.raw is not None
        assert cents == budgets.raw(connection), (cents, budgets.raw(connection))
    finally:
        connection.close()
    assert len(cents) == BUDGETS, len(cents)


def _cents(money: str) -> int:
    return int(Decimal(money) * 100)


def _tenths(percent: str | None) -> int | None:
    return None if percent is None else int(Decimal(percent) * 10)


def to_import_csv(exported: Path, target: Path) -> int:
    """The export's rows as an import file: date,type,category,amount,description,owner_id."""
    columns = ["date", "type", "category", "amount", "description", "owner_id"]
    count = 0
    with (
        exported.open(newline="", encoding="utf-8") as source,
        target.open("w", newline="", encoding="utf-8") as out,
    ):
        writer = csv.writer(out)
        writer.writerow(columns)
        for row in csv.DictReader(source):
            writer.writerow([row[c] for c in columns])
            count += 1
    return count


def machine() -> list[str]:
    model = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    memory = 0
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal"):
            memory = int(line.split()[1]) // 1024 // 1024
    wrk_version = subprocess.run(
        [load.require_wrk(), "-v"], capture_output=True, text=True, check=False
    ).stdout.splitlines()[0]
    versions = ", ".join(
        f"{name} {metadata.version(name)}"
        for name in ("flask", "flask-smorest", "sqlalchemy", "gunicorn", "werkzeug")
    )
    return [
        f"- Machine: {os.cpu_count()} cores ({model}), {memory} GiB RAM, {platform.platform()}",
        f"- Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, {versions}",
        f"- Load generator: {wrk_version.strip()}; {CONNECTIONS} connections, 2 wrk threads",
        f"- Server: `finance serve` (gunicorn gthread, {WORKERS} workers x {THREADS} threads), "
        "log level WARNING; wrk, the server and the SQL runs share the same cores",
    ]


def ms(value: float) -> str:
    return f"{value:.1f}"


def report(results: Results) -> str:
    ceiling = results.ceiling
    out = [
        "# Benchmark results",
        "",
        f"Produced by `make bench` ({'quick' if results.records < 1_000_000 else 'full'} run) "
        f"on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC. Regenerate with `make bench`; "
        "`make bench BENCH_ARGS=--quick` for a 100,000-record run.",
        "",
        *machine(),
        f"- Data: `finance demo-data --records {results.records} --users {USERS_PER_ROLE} "
        f"--seed {SEED} --until {results.until}` ({USERS_PER_ROLE} users per role, 24 months), "
        f"built in {results.demo_seconds:.0f} s",
        f"- Each HTTP figure: wrk for {results.seconds} s after the data is warm; each SQL "
        "figure: the same query back to back on one sqlite3 connection to the same file "
        f"for up to {max(1, results.seconds // 3)} s",
        "",
        "## Endpoints at 16 connections",
        "",
        "| endpoint | HTTP req/s | p50 ms | p99 ms | errors | SQL runs/s | SQL p50 ms "
        "| SQL p99 ms | HTTP p50 (16 conn.) / SQL p50 (1 conn.) | req/s as share of the ceiling "
        "| single request p50 ms |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for e in results.endpoints:
        if e.load is None:
            continue
        sql = e.sql.row() if e.sql else ["-", "-", "-"]
        ratio = f"{e.load.p50_ms / e.sql.p50_ms:.1f}x" if e.sql and e.sql.p50_ms else "-"
        share = f"{e.load.requests_per_s / ceiling.requests_per_s:.1%}" if ceiling else "-"
        single = f"{e.single.p50_ms:.2f}" if e.single else "-"
        out.append(
            f"| {e.name} | " + " | ".join([*e.load.row(), *sql, ratio, share, single]) + " |"
        )
    if ceiling:
        out.append(
            "| minimal Flask JSON endpoint (ceiling) | "
            + " | ".join([*ceiling.row(), "-", "-", "-", "-", "100%", "-"])
            + " |"
        )
    notes = [f"- {e.name}: {e.note}" for e in results.endpoints if e.note and e.load]
    notes += [f"- skipped: {s}" for s in results.skipped]
    notes.append(
        "- SQL for the dashboard rows is a one-pass scan of `records` (what the endpoint would "
        "cost without maintained totals); the endpoints read the totals tables, so a ratio "
        "below 1x is possible there."
    )
    notes.append(
        "- SQL for the list rows is COUNT(*) then the page by OFFSET. The endpoints count live "
        "records filtered by owner, type, category and dates from the same totals tables, so "
        "page 1 and the filtered list pay only for their page; a deep page in page mode still "
        "pays for its OFFSET."
    )
    out += ["", "Notes:", *notes, ""]
    if results.logins is not None:
        out += [
            "## Concurrent logins beside a create load",
            "",
            f"wrk sends creates at {CONNECTIONS} connections for {results.seconds} s alone, then "
            "again while 1, 2 and 4 connections sign in back to back (each as another user; "
            "argon2id verifies every password).",
            "",
            latency.login_table(results.logins),
            "",
        ]
    if results.dashboard_draws:
        out += [
            "## The web dashboard in a browser",
            "",
            "Debian's headless Chromium loads `/app/` (signed in) and waits until every card, "
            "chart and table is drawn: six API requests, answered and drawn. Time from the start "
            "of navigation; the first load includes fetching the scripts and Chart.js.",
            "",
            browser_dashboard.table(results.dashboard_draws),
            "",
        ]
    export, imported = results.export, results.imported
    out += [
        "## Export and import",
        "",
        "| figure | value |",
        "| --- | --- |",
        f"| export: rows, size | {export['rows']:,} rows, {export['megabytes']:.0f} MB |",
        f"| export: time, rate | {export['seconds']:.1f} s, "
        f"{export['rows'] / export['seconds']:,.0f} rows/s |",
        f"| export: serving worker RSS idle → peak (growth) | {export['idle_mb']:.0f} MB → "
        f"{export['peak_mb']:.0f} MB (+{export['growth_mb']:.0f} MB; limit +100 MB: "
        f"{'PASS' if export['growth_mb'] <= 100 else 'FAIL'}) |",
        f"| export: worker VmHWM after the export | {export['hwm_mb']:.0f} MB |",
        f"| `finance import` of the exported rows into an empty database | "
        f"{imported['rows']:,} rows in {imported['seconds']:.1f} s "
        f"({imported['rows'] / imported['seconds']:,.0f} rows/s) |",
        f"| `finance import`: peak RSS of the process | {imported['peak_mb']:.0f} MB |",
        "",
        "## Cursor pagination at depth",
        "",
        "In-process through the `ListRecords` use case on the same database (median of "
        f"{'15' if results.records >= 1_000_000 else '5'} runs, page size "
        f"{cursor_depth.PAGE_SIZE}); `python -m bench.cursor_depth` runs it alone.",
        "",
        cursor_depth.table(results.depth),
        "",
    ]
    scaling = HERE / "SCALE.md"
    if scaling.exists():
        out.append(scale.results_section(scaling.read_text()))
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="100,000 records, 3 s per figure")
    parser.add_argument("--records", type=int, help="default 1,000,000 (quick: 100,000)")
    parser.add_argument("--seconds", type=int, help="wrk duration (default 10, quick: 3)")
    parser.add_argument("--output", type=Path, help="default bench/RESULTS.md (quick: stdout)")
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    args = parser.parse_args()
    records = args.records or (100_000 if args.quick else 1_000_000)
    seconds = args.seconds or (3 if args.quick else 10)
    output = args.output or (None if args.quick else HERE / "RESULTS.md")
    wrk = load.require_wrk()
    work = Path(tempfile.mkdtemp(prefix="finance-bench-"))
    print(f"Work folder {work}")
    results = Results(records, seconds, datetime.now(UTC).date())
    try:
        run(results, wrk, work)
    finally:
        if args.keep:
            print(f"Kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    text = report(results)
    if output:
        output.write_text(text)
        print(f"Wrote {output}")
    print(text)


def step(message: str) -> None:
    print(f"[{datetime.now():%H:%M:%S}] {message}", flush=True)


def run(results: Results, wrk: str, work: Path) -> None:
    api = work / "api"
    step(f"demo data: {results.records:,} records")
    finance(api, "db", "upgrade")
    results.demo_seconds, _, _ = finance(
        api,
        "demo-data",
        "--records",
        str(results.records),
        "--users",
        str(USERS_PER_ROLE),
        "--seed",
        str(SEED),
        "--until",
        results.until.isoformat(),
    )
    since = f"{results.until.year - 1}-{results.until.month:02d}-01"
    port = free_port()
    base = f"http://{HOST}:{port}"
    exported = work / "export.csv"
    os.environ["FINANCE_SECRET_KEY"] = SECRET
    step("serving with gunicorn")
    with finance_server(api, port, WORKERS, THREADS, work / "server.log") as server:
        tokens = {
            "admin": login(base, "admin1@demo.example"),
            "analyst": login(base, "analyst1@demo.example"),
        }
        add_budgets(base, tokens)
        check_budget_report(base, tokens, api / "finance.db", since)
        step("export of every record, sampling the workers' memory")
        results.export = measure_export(base, tokens["admin"], server.pid, exported)
        for endpoint in endpoints(base, tokens, since):
            headers = {}
            if endpoint.role != "anonymous":
                headers["Authorization"] = f"Bearer {tokens[endpoint.role]}"
            if endpoint.method == "GET":
                status, _ = request_json("GET", base + endpoint.path, token=tokens[endpoint.role])
                if status == 404:
                    results.skipped.append(f"{endpoint.name}: answered 404 (not built yet)")
                    continue
            step(f"wrk: {endpoint.name}")
            lua = load.script(
                work, f"e{len(results.endpoints)}", endpoint.method, endpoint.body, headers
            )
            endpoint.load = load.run(wrk, base + endpoint.path, lua, results.seconds, CONNECTIONS)
            token = tokens.get(endpoint.role)
            endpoint.single = latency.single_request(
                base, endpoint.method, endpoint.path, endpoint.body, token
            )
            results.endpoints.append(endpoint)
        step("the web dashboard drawn in Chromium")
        results.dashboard_draws = browser_dashboard.measure(
            base,
            {
                "admin, all owners": ("admin1@demo.example", PASSWORD),
                "analyst, own records": ("analyst1@demo.example", PASSWORD),
            },
        )
        if not results.dashboard_draws:
            results.skipped.append("web dashboard: Chromium is not installed (.ci/browser)")
        step("concurrent logins beside a create load")
        create = next(e for e in results.endpoints if e.name == "create record")
        create_lua = load.script(
            work, "creates", "POST", create.body, {"Authorization": f"Bearer {tokens['admin']}"}
        )
        results.logins = latency.concurrent_logins(
            base,
            [f"viewer{n}@demo.example" for n in range(1, USERS_PER_ROLE + 1)],
            PASSWORD,
            lambda secs: load.run(wrk, base + create.path, create_lua, secs, CONNECTIONS),
            results.seconds,
        )
    step("wrk: the minimal Flask endpoint")
    port = free_port()
    with ceiling_server(port, WORKERS, THREADS, work / "ceiling.log"):
        lua = load.script(work, "ceiling", "GET", None, {})
        results.ceiling = load.run(
            wrk, f"http://{HOST}:{port}/ping/", lua, results.seconds, CONNECTIONS
        )
    step("the same queries as plain SQL")
    connection = sqlite3.connect(api / "finance.db", isolation_level=None)
    try:
        for endpoint in results.endpoints:
            if endpoint.raw is not None:
                endpoint.sql = rawsql.measure(
                    connection, endpoint.raw, max(1, results.seconds // 3)
                )
    finally:
        connection.close()
    step("import: the exported rows into an empty database with `finance import`")
    importing = work / "import"
    rows = to_import_csv(exported, work / "import.csv")
    finance(importing, "db", "upgrade")
    finance(importing, "demo-data", "--records", "0", "--users", str(USERS_PER_ROLE))
    elapsed, peak_kb, text = child_peak_rss(
        importing, "import", str(work / "import.csv"), "--actor", "admin1@demo.example"
    )
    print(text.strip())
    results.imported = {"rows": rows, "seconds": elapsed, "peak_mb": peak_kb / 1024}
    step("cursor pagination at depth")
    depth = 500_000 if results.records >= 1_000_000 else results.records // 2
    repeat = 15 if results.records >= 1_000_000 else 5
    results.depth = cursor_depth.run(api / "finance.db", depth, repeat)
    step("done")


if __name__ == "__main__":
    sys.exit(main())
