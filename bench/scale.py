"""`make bench BENCH_ARGS=--scale`: how each endpoint grows with the data, on SQLite and
PostgreSQL.

    python -m bench.scale                                   # 100k, 1M, 10M on both databases
    python -m bench.scale --sizes 100000,1000000 --databases sqlite

For each database and size: `finance demo-data` into a fresh database (5 users a role, seed 42,
24 months), ten records with a word found nowhere else (the selective search term), then
`finance serve` (2 workers x 4 threads) and, for each endpoint, the median of 60 single requests
and wrk at 16 connections. The table gives both at every size and the growth factor of the
single-request median from the smallest size to the largest. Then a CSV of as many rows goes
into an empty database with `finance import` and (up to 1M rows) `POST /api/records/import/`,
with the peak RSS of the process or of the serving worker. PostgreSQL comes from
FINANCE_BENCH_POSTGRES_URL, or `.ci/postgres finance_bench` (as root); its `public` schema is
dropped and recreated for each size. Writes bench/SCALE.md (and bench/SCALE.json, which keeps
each database and size's figures for later runs of other sizes) and puts its tables into
bench/RESULTS.md as its last section.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import shutil
import statistics
import subprocess
import tempfile
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sqlalchemy import Engine, create_engine, text

from bench import latency, load
from bench.server import (
    BIN,
    HOST,
    children,
    cpu_seconds,
    finance_server,
    free_port,
    memory_kb,
    request_json,
)

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PASSWORD = "demo-password"
SECRET = "bench-secret-key-that-is-long-enough-for-hs256"
UNTIL = date(2026, 11, 29)
SELECTIVE = "Zanzibar"
WORKERS, THREADS, CONNECTIONS = 2, 4, 16
#: The largest import sent over HTTP (a larger one is the CLI's job; see FINANCE_MAX_IMPORT_MB).
MAX_HTTP_IMPORT = 1_000_000


@dataclass
class Figure:
    single_ms: float
    requests_per_s: float


@dataclass
class Run:
    database: str
    size: int
    build_s: float = 0
    build_mb: float = 0
    verify_s: float = 0
    verify_mb: float = 0
    import_s: float = 0
    import_mb: float = 0
    http_import_s: float = 0
    http_import_mb: float = 0
    figures: dict[str, Figure] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Run:
        figures = {name: Figure(**f) for name, f in data.pop("figures").items()}
        return cls(**data, figures=figures)


def finance(env: dict[str, str], *args: str) -> tuple[float, float]:
    """Run a `finance` command; its wall time (s) and its own peak RSS (MB)."""
    started = time.perf_counter()
    process = subprocess.Popen(
        [str(BIN / "finance"), *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise RuntimeError(f"finance {' '.join(args)} failed ({process.returncode})")
    return time.perf_counter() - started, usage.ru_maxrss / 1024


def postgres_url() -> str:
    found = os.environ.get("FINANCE_BENCH_POSTGRES_URL")
    if found:
        return found
    made = subprocess.run(
        [str(ROOT / ".ci" / "postgres"), "finance_bench"],
        capture_output=True,
        text=True,
        check=True,
    )
    return made.stdout.strip()


def empty_postgres(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def vacuum_analyze(url: str) -> None:
    engine = create_engine(url)
    with engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM (ANALYZE)"))
    engine.dispose()


def token(base: str, email: str) -> str:
    status, body = request_json(
        "POST", f"{base}/api/auth/login/", {"email": email, "password": PASSWORD}
    )
    if status != 200:
        raise RuntimeError(f"login of {email}: {status}")
    return str(body["access"])


def endpoints(base: str, admin: str, analyst: str) -> dict[str, tuple[str, str]]:
    """Name: (path, role). The deep cursor is taken 40% of the way into the newest-first list."""
    for n in range(10):
        status, _ = request_json(
            "POST",
            f"{base}/api/records/",
            {
                "amount": f"{10 + n}.00",
                "type": "expense",
                "category": "Travel",
                "date": f"2025-0{1 + n % 9}-1{n}",
                "description": f"{SELECTIVE} trip #{n}",
            },
            token=admin,
        )
        assert status == 201, status
    _, first = request_json("GET", f"{base}/api/records/?page_size=1", token=admin)
    record_id = first["results"][0]["id"]
    total = int(first["count"])
    _, deep = request_json(
        "GET",
        f"{base}/api/records/?page={max(1, total * 2 // 5 // 100)}&page_size=100",
        token=admin,
        timeout=600,
    )
    cursor = quote(deep["next_cursor"])
    _, common = request_json("GET", f"{base}/api/records/?q=bakery", token=admin, timeout=600)
    common_cursor = quote(common["next_cursor"])
    return {
        "list, page 1": ("/api/records/", "admin"),
        "list, filtered": (
            "/api/records/?type=expense&category=groceries&date_from=2025-01-01&date_to=2025-12-31",
            "admin",
        ),
        f"search, selective (q={SELECTIVE.lower()}, 10 records)": (
            f"/api/records/?q={SELECTIVE.lower()}",
            "admin",
        ),
        "search, selective (analyst, own records)": (
            f"/api/records/?q={SELECTIVE.lower()}",
            "analyst",
        ),
        "search, common word (q=bakery)": ("/api/records/?q=bakery", "admin"),
        "search, common word, its next page by cursor": (
            f"/api/records/?q=bakery&cursor={common_cursor}",
            "admin",
        ),
        "search, 2 characters (q=zq, no match)": ("/api/records/?q=zq", "admin"),
        "list, cursor 40% deep": (f"/api/records/?page_size=100&cursor={cursor}", "admin"),
        "record detail": (f"/api/records/{record_id}/", "admin"),
        "dashboard summary (admin)": ("/api/dashboard/summary/", "admin"),
        "dashboard category-totals (admin)": ("/api/dashboard/category-totals/", "admin"),
        "dashboard monthly-trends (admin)": ("/api/dashboard/monthly-trends/", "admin"),
        "dashboard recent-transactions (admin)": (
            "/api/dashboard/recent-transactions/",
            "admin",
        ),
        "dashboard summary (analyst)": ("/api/dashboard/summary/", "analyst"),
        "dashboard monthly-trends (analyst)": ("/api/dashboard/monthly-trends/", "analyst"),
    }


def single_request_ms(base: str, path: str, token: str) -> float:
    """The median of up to 60 requests one after another, after 3 to warm up (the first read of
    a cold 10M-row file can take long); a slow endpoint stops after 30 s of samples (at least 5)."""
    status, _ = request_json("GET", base + path, token=token, timeout=900)
    if status != 200:
        raise RuntimeError(f"GET {path}: {status}")
    client = latency.Client(base, timeout=900)
    try:
        for _ in range(2):
            client.send("GET", path, None, token)
        samples: list[float] = []
        spent = 0.0
        while len(samples) < 60 and (len(samples) < 5 or spent < 30):
            started = time.perf_counter()
            client.send("GET", path, None, token)
            samples.append(time.perf_counter() - started)
            spent += samples[-1]
    finally:
        client.close()
    return statistics.median(samples) * 1000


def wait_until_idle(server_pid: int, pg_url: str | None) -> None:
    """Until the server's workers use under 5% of a core for half a second, three times in a
    row, and PostgreSQL runs no other query (at most 15 min: wrk leaves up to 16 slow requests
    queued behind the workers' 8 threads when it stops, and they run on after it)."""
    workers = children(server_pid)
    postgres = create_engine(pg_url) if pg_url else None
    try:
        quiet, deadline = 0, time.monotonic() + 900
        used = sum(cpu_seconds(pid) for pid in workers)
        while (quiet < 3 or _postgres_busy(postgres)) and time.monotonic() < deadline:
            time.sleep(0.5)
            now = sum(cpu_seconds(pid) for pid in workers)
            quiet = quiet + 1 if now - used < 0.025 else 0
            used = now
    finally:
        if postgres is not None:
            postgres.dispose()


_OTHER_QUERIES = text(
    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
    "AND state = 'active' AND pid <> pg_backend_pid()"
)


def _postgres_busy(engine: Engine | None) -> bool:
    if engine is None:
        return False
    with engine.connect() as conn:
        return bool(conn.execute(_OTHER_QUERIES).scalar_one())


def measure(run: Run, wrk: str, work: Path, seconds: int, pg_url: str | None) -> None:
    instance = work / f"{run.database}-{run.size}"
    env = {
        **os.environ,
        "FINANCE_INSTANCE_PATH": str(instance),
        "FINANCE_SECRET_KEY": SECRET,
        "FINANCE_LOG_LEVEL": "WARNING",
    }
    if pg_url:
        empty_postgres(pg_url)
        env["FINANCE_DATABASE_URL"] = pg_url
    finance(env, "db", "upgrade")
    run.build_s, run.build_mb = finance(
        env,
        "demo-data",
        "--records",
        str(run.size),
        "--users",
        "5",
        "--seed",
        "42",
        "--until",
        UNTIL.isoformat(),
    )
    if pg_url:
        # What autovacuum does after a large load (the planner's statistics, the visibility
        # map), done before measuring: run during the measurements, it shares their two cores.
        vacuum_analyze(pg_url)
    run.verify_s, run.verify_mb = finance(env, "stats", "verify")
    print(
        f"  built {run.size:,} records in {run.build_s:.0f} s ({run.build_mb:.0f} MB), "
        f"stats verify {run.verify_s:.1f} s ({run.verify_mb:.0f} MB)",
        flush=True,
    )
    port = free_port()
    base = f"http://{HOST}:{port}"
    try:
        with finance_server(instance, port, WORKERS, THREADS, work / "server.log", env) as server:
            tokens = {
                "admin": token(base, "admin1@demo.example"),
                "analyst": token(base, "analyst1@demo.example"),
            }
            for name, (path, role) in endpoints(base, tokens["admin"], tokens["analyst"]).items():
                single_ms = single_request_ms(base, path, tokens[role])
                lua = load.script(
                    work, "scale", "GET", None, {"Authorization": f"Bearer {tokens[role]}"}
                )
                loaded = load.run(wrk, base + path, lua, seconds, CONNECTIONS)
                run.figures[name] = Figure(single_ms, loaded.requests_per_s)
                # Requests still running when wrk stops must not meet the next single ones.
                wait_until_idle(server.pid, pg_url)
                print(
                    f"  {name}: {single_ms:.2f} ms, {loaded.requests_per_s:,.0f} req/s",
                    flush=True,
                )
    finally:
        if not pg_url:
            shutil.rmtree(instance, ignore_errors=True)
    measure_imports(run, work, env, pg_url)


def import_file(path: Path, rows: int) -> None:
    """``rows`` records in the contract's import columns, of 40 categories with descriptions
    of a few words (so the search index has real work), over 2025."""
    words = ["bakery", "rent", "coffee", "fuel", "salary", "books", "train", "gift", "repair"]
    with path.open("w", encoding="utf-8") as out:
        out.write("date,type,category,amount,description\n")
        for n in range(rows):
            kind = "income" if n % 7 == 0 else "expense"
            out.write(
                f"2025-{1 + n % 12:02d}-{1 + n % 28:02d},{kind},Category {n % 40},"
                f"{1 + n % 9973}.{n % 100:02d},{words[n % 9]} {words[n // 9 % 9]} #{n}\n"
            )


def empty_instance(work: Path, env: dict[str, str], pg_url: str | None) -> dict[str, str]:
    """An empty database with the demo users, for an import to fill."""
    instance = work / "import"
    shutil.rmtree(instance, ignore_errors=True)
    if pg_url:
        empty_postgres(pg_url)
    env = {**env, "FINANCE_INSTANCE_PATH": str(instance)}
    finance(env, "db", "upgrade")
    finance(env, "demo-data", "--records", "0", "--users", "5")
    return env


def measure_imports(run: Run, work: Path, env: dict[str, str], pg_url: str | None) -> None:
    csv_path = work / "import.csv"
    import_file(csv_path, run.size)
    try:
        mine = empty_instance(work, env, pg_url)
        run.import_s, run.import_mb = finance(
            mine,
            "import",
            str(csv_path),
            "--owner",
            "viewer1@demo.example",
            "--actor",
            "admin1@demo.example",
        )
        print(f"  finance import: {run.import_s:.1f} s ({run.import_mb:.0f} MB)", flush=True)
        if run.size <= MAX_HTTP_IMPORT:
            mine = empty_instance(work, env, pg_url)
            run.http_import_s, run.http_import_mb = http_import(work, mine, csv_path)
            print(
                f"  HTTP import: {run.http_import_s:.1f} s "
                f"(worker peak {run.http_import_mb:.0f} MB)",
                flush=True,
            )
    finally:
        csv_path.unlink(missing_ok=True)
        shutil.rmtree(work / "import", ignore_errors=True)


def http_import(work: Path, env: dict[str, str], csv_path: Path) -> tuple[float, float]:
    """POST the file to a fresh server; the time and the largest peak RSS (VmHWM) of its
    workers."""
    port = free_port()
    size = csv_path.stat().st_size
    serving = {**env, "FINANCE_MAX_IMPORT_MB": str(size // 2**20 + 1)}
    instance = Path(env["FINANCE_INSTANCE_PATH"])
    log = work / "server.log"
    with finance_server(instance, port, WORKERS, THREADS, log, serving) as server:
        admin = token(f"http://{HOST}:{port}", "admin1@demo.example")
        connection = http.client.HTTPConnection(HOST, port, timeout=3600)
        started = time.perf_counter()
        with csv_path.open("rb") as body:
            connection.request(
                "POST",
                "/api/records/import/",
                body=body,
                headers={
                    "Authorization": f"Bearer {admin}",
                    "Content-Type": "text/csv",
                    "Content-Length": str(size),
                },
            )
            response = connection.getresponse()
            answer = response.read()
        elapsed = time.perf_counter() - started
        connection.close()
        if response.status != 201:
            raise RuntimeError(f"HTTP import: {response.status} {answer[:300]!r}")
        peak = max(memory_kb(pid)["VmHWM"] for pid in children(server.pid))
    return elapsed, peak / 1024


def report(runs: list[Run], seconds: int) -> str:
    out = [
        "# Scaling benchmark",
        "",
        f"Produced by `python -m bench.scale` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC: "
        f"`finance demo-data --users 5 --seed 42 --until {UNTIL}` at each size, 10 records with "
        f"the word {SELECTIVE!r} added, `finance serve` ({WORKERS} workers x {THREADS} threads); "
        "each figure: the median of up to 60 single requests one after another (after 3 to warm "
        "up; at least 5, or 30 s of them for a slow one), and wrk at "
        f"{CONNECTIONS} connections for {seconds} s. Growth: the single-request median at the "
        "largest size over the smallest. PostgreSQL is vacuumed and analysed after each load (as "
        "autovacuum does after one), before the measurements.",
        "",
        f"- Machine: {os.cpu_count()} cores, {platform.platform()}, Python "
        f"{platform.python_version()}",
        "",
    ]
    for database in dict.fromkeys(r.database for r in runs):
        mine = sorted((r for r in runs if r.database == database), key=lambda r: r.size)
        sizes = [f"{r.size:,}" for r in mine]
        out += [
            f"## {database}",
            "",
            "| size | `finance demo-data` | its peak RSS | `finance stats verify` | its peak RSS "
            "| `finance import` into an empty database | its peak RSS "
            "| HTTP import into an empty database | serving worker's peak RSS |",
            "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
            *(
                f"| {r.size:,} | {r.build_s:.0f} s | {r.build_mb:.0f} MB | {r.verify_s:.1f} s "
                f"| {r.verify_mb:.0f} MB | {_seconds(r.import_s)} | {_mb(r.import_mb)} "
                f"| {_seconds(r.http_import_s)} | {_mb(r.http_import_mb)} |"
                for r in mine
            ),
            "",
            "| endpoint | "
            + " | ".join(f"{s}: ms | {s}: req/s" for s in sizes)
            + " | growth (ms) |",
            "| --- | " + " | ".join("---: | ---:" for _ in mine) + " | ---: |",
        ]
        for name in mine[0].figures:
            cells = []
            for r in mine:
                f = r.figures.get(name)
                cells += [f"{f.single_ms:.2f}", f"{f.requests_per_s:,.0f}"] if f else ["-", "-"]
            first, last = mine[0].figures.get(name), mine[-1].figures.get(name)
            growth = f"{last.single_ms / first.single_ms:.1f}x" if first and last else "-"
            out.append(f"| {name} | " + " | ".join(cells) + f" | {growth} |")
        out.append("")
    return "\n".join(out)


def _seconds(value: float) -> str:
    return f"{value:.1f} s" if value else "-"


def _mb(value: float) -> str:
    return f"{value:.0f} MB" if value else "-"


#: Where bench/RESULTS.md carries the scaling tables (its last section).
RESULTS_SECTION = "## Growth with the data"


def results_section(scale_report: str) -> str:
    """The scaling report as bench/RESULTS.md's last section, its headings one level down."""
    lines = scale_report.strip().splitlines()[1:]
    body = [f"#{line}" if line.startswith("#") else line for line in lines]
    return "\n".join([RESULTS_SECTION, "", "From `bench/SCALE.md`:", *body, ""])


def put_into_results(results: Path, scale_report: str) -> None:
    """Replace (or add) the scaling section of bench/RESULTS.md."""
    text = results.read_text() if results.exists() else "# Benchmark results\n"
    kept = text.split(f"\n{RESULTS_SECTION}\n", 1)[0].rstrip("\n")
    results.write_text(f"{kept}\n\n{results_section(scale_report)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100000,1000000,10000000")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--seconds", type=int, default=5, help="wrk duration per figure")
    parser.add_argument("--output", type=Path, default=HERE / "SCALE.md")
    args = parser.parse_args()
    wrk = load.require_wrk()
    sizes = [int(s) for s in args.sizes.split(",")]
    databases = args.databases.split(",")
    pg_url = postgres_url() if "postgresql" in databases else None
    work = Path(tempfile.mkdtemp(prefix="finance-scale-"))
    # Runs at other sizes or on the other database, from earlier invocations, stay in the table.
    kept = args.output.with_suffix(".json")
    runs = [Run.from_json(r) for r in json.loads(kept.read_text())] if kept.exists() else []
    try:
        for size in sizes:
            for database in databases:
                print(f"[{datetime.now():%H:%M:%S}] {database}, {size:,} records", flush=True)
                run = Run(database, size)
                measure(run, wrk, work, args.seconds, pg_url if database == "postgresql" else None)
                runs = [r for r in runs if (r.database, r.size) != (database, size)] + [run]
                kept.write_text(json.dumps([r.as_json() for r in runs], indent=1))
                args.output.write_text(report(runs, args.seconds))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(report(runs, args.seconds))
    print(f"Wrote {args.output}")
    if args.output == HERE / "SCALE.md":
        put_into_results(HERE / "RESULTS.md", report(runs, args.seconds))
        print(f"Wrote its tables into {HERE / 'RESULTS.md'}")


if __name__ == "__main__":
    main()
