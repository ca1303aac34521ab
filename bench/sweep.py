"""`python -m bench.sweep [--runs N] [2x1 2x2 2x4 …]`: gunicorn workers x threads, measured, to
choose the defaults of `finance serve`. For each setting, on one 100,000-record SQLite database:
wrk at 16 connections on a record detail, list page 1, an analyst's summary and creates;
creates alone and beside 4 connections signing in; single-request detail; the workers' memory;
and the minimal Flask endpoint under the same setting. With `--runs`, all of it again on a
fresh database, each run its own table. Writes bench/SWEEP.md.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import tempfile
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bench import latency, load
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
SECONDS = 5
CREATE = {"amount": "1.00", "type": "expense", "category": "Sweep", "date": "2026-01-01"}


@dataclass(frozen=True)
class Row:
    setting: str
    ceiling: float
    reads: dict[str, float]
    creates: float
    creates_beside_logins: float
    logins: latency.Latency
    single_detail_ms: float
    worker_mb: float


def build(folder: Path) -> None:
    env = {**os.environ, "FINANCE_INSTANCE_PATH": str(folder), "FINANCE_LOG_LEVEL": "WARNING"}
    for args in (
        ["db", "upgrade"],
        ["demo-data", "--records", "100000", "--users", "5", "--seed", "42"],
    ):
        subprocess.run([str(BIN / "finance"), *args], env=env, check=True, capture_output=True)


def measure(wrk: str, work: Path, base_db: Path, workers: int, threads: int) -> Row:
    instance = work / f"{workers}x{threads}"
    shutil.copytree(base_db, instance)
    port = free_port()
    base = f"http://{HOST}:{port}"
    with finance_server(instance, port, workers, threads, work / "server.log") as server:

        def token(email: str) -> str:
            body = {"email": email, "password": "demo-password"}
            access: str = request_json("POST", base + "/api/auth/login/", body)[1]["access"]
            return access

        admin, analyst = token("admin1@demo.example"), token("analyst1@demo.example")
        _, first = request_json("GET", base + "/api/records/?page_size=1", token=admin)
        detail = f"/api/records/{first['results'][0]['id']}/"
        reads = {}
        for name, path, bearer in (
            ("detail", detail, admin),
            ("list", "/api/records/", admin),
            ("summary", "/api/dashboard/summary/", analyst),
        ):
            lua = load.script(work, name, "GET", None, {"Authorization": f"Bearer {bearer}"})
            reads[name] = load.run(wrk, base + path, lua, SECONDS).requests_per_s
        lua = load.script(work, "create", "POST", CREATE, {"Authorization": f"Bearer {admin}"})
        alone = load.run(wrk, base + "/api/records/", lua, SECONDS).requests_per_s
        stop = threading.Event()
        samples: list[float] = []
        signing_in = [
            threading.Thread(
                target=latency._login_loop,
                args=(base, f"viewer{n}@demo.example", "demo-password", stop, samples),
                daemon=True,
            )
            for n in range(1, 5)
        ]
        for thread in signing_in:
            thread.start()
        try:
            beside = load.run(wrk, base + "/api/records/", lua, SECONDS).requests_per_s
        finally:
            stop.set()
            for thread in signing_in:
                thread.join(timeout=30)
        single = latency.single_request(base, "GET", detail, None, admin)
        worker_mb = max(memory_kb(pid)["VmHWM"] for pid in children(server.pid)) / 1024
    port = free_port()
    with ceiling_server(port, workers, threads, work / "ceiling.log"):
        ceiling_lua = load.script(work, "ceiling", "GET", None, {})
        ceiling = load.run(wrk, f"http://{HOST}:{port}/ping/", ceiling_lua, SECONDS)
    return Row(
        f"{workers} x {threads}",
        ceiling.requests_per_s,
        reads,
        alone,
        beside,
        latency.percentiles(samples),
        single.p50_ms,
        worker_mb,
    )


def table(rows: list[Row]) -> str:
    lines = [
        "| workers x threads | ceiling req/s | detail | list page 1 | summary | creates "
        "| creates beside 4 sign-ins | sign-in p50 / p99 ms | single detail ms | worker peak MB |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in rows:
        shares = " | ".join(
            f"{r.reads[n]:,.0f} ({r.reads[n] / r.ceiling:.0%})"
            for n in ("detail", "list", "summary")
        )
        lines.append(
            f"| {r.setting} | {r.ceiling:,.0f} | {shares} | {r.creates:,.0f} "
            f"({r.creates / r.ceiling:.0%}) | {r.creates_beside_logins / r.creates:.0%} "
            f"| {r.logins.p50_ms:.0f} / {r.logins.p99_ms:.0f} | {r.single_detail_ms:.2f} "
            f"| {r.worker_mb:.0f} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("settings", nargs="*", default=["2x1", "2x2", "2x4", "4x1"])
    parser.add_argument("--runs", type=int, default=1, help="each setting this many times")
    parser.add_argument("--output", type=Path, default=HERE / "SWEEP.md")
    args = parser.parse_args()
    settings = [tuple(int(n) for n in arg.split("x")) for arg in args.settings]
    wrk = load.require_wrk()
    os.environ["FINANCE_SECRET_KEY"] = "sweep-secret-key-that-is-long-enough-for-hs256"
    tables = []
    for run in range(1, args.runs + 1):
        work = Path(tempfile.mkdtemp(prefix="finance-sweep-"))
        try:
            build(work / "base")
            rows = [measure(wrk, work, work / "base", w, t) for w, t in settings]
        finally:
            shutil.rmtree(work, ignore_errors=True)
        heading = [f"## Run {run}", ""] if args.runs > 1 else []
        tables += [*heading, table(rows), ""]
    text = "\n".join(
        [
            "# gunicorn settings, measured",
            "",
            f"`python -m bench.sweep --runs {args.runs} {' '.join(args.settings)}` on "
            f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores shared by wrk, "
            "the server and the sign-in clients; each run on a fresh 100,000-record SQLite "
            f"database; wrk at 16 connections for {SECONDS} s a figure; shares are of the "
            "minimal Flask endpoint served under the same setting. Runs one after the other "
            "can disagree by 2x on a single cell: read a setting across them.",
            "",
            *tables,
        ]
    )
    args.output.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
