"""Cursor pagination at depth: a cursor page 500,000 rows deep against one near the start, and
page mode (OFFSET) the same way, for comparison. Not a timed test: run it by hand or through
`make bench`, which puts its table in bench/RESULTS.md.

    .venv/bin/python -m bench.cursor_depth                   # 1,000,000 demo records
    .venv/bin/python -m bench.cursor_depth --records 100000  # quick
    .venv/bin/python -m bench.cursor_depth --db instance/finance.db
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from finance.application.authorization import Actor
from finance.application.pagination import PageRequest
from finance.application.records.filters import Ordering, RecordFilter
from finance.application.records.list_records import ListRecordsRequest
from finance.entrypoints.demo_data import DemoDataRequest
from finance.main import Container, build_container, prepare_storage
from finance.settings import Settings

PAGE_SIZE = 20
LIMIT = 2.0


@dataclass(frozen=True)
class DepthRow:
    scope: str
    depth: int
    page_first_ms: float
    page_deep_ms: float
    cursor_first_ms: float
    cursor_deep_ms: float

    @property
    def cursor_ratio(self) -> float:
        return self.cursor_deep_ms / self.cursor_first_ms

    @property
    def page_ratio(self) -> float:
        return self.page_deep_ms / self.page_first_ms

    @property
    def verdict(self) -> str:
        return "PASS" if self.cursor_ratio <= LIMIT else "FAIL"


def container_for(database: Path) -> Container:
    settings = Settings(
        storage="sql",
        database_url=f"sqlite:///{database}",
        instance_path=database.parent,
        secret_key="bench-cursor-depth-secret-key-long-enough",
        log_level="WARNING",
    )
    container = build_container(settings)
    prepare_storage(container, settings)
    return container


def fill(container: Container, records: int, seed: int = 42) -> None:
    until = datetime.now(UTC).date()
    container.demo_data().execute(DemoDataRequest(records, 5, seed, "demo-password", until))


def _median_ms(call: Callable[[], object], repeat: int) -> float:
    call()
    laps = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        laps.append(time.perf_counter() - start)
    return statistics.median(laps) * 1000


def measure(
    container: Container, actor: Actor, scope: str, ordering: Ordering, depth: int, repeat: int
) -> DepthRow:
    filter = RecordFilter(ordering=ordering)

    def listing(page: PageRequest, cursor: str | None = None) -> Callable[[], object]:
        request = ListRecordsRequest(actor, filter, page, cursor)
        return lambda: container.list_records().execute(request)

    first = container.list_records().execute(ListRecordsRequest(actor, filter, PageRequest()))
    total = first.total or 0
    depth = min(depth, total // 2 // PAGE_SIZE * PAGE_SIZE)
    ending_at_depth = container.list_records().execute(
        ListRecordsRequest(actor, filter, PageRequest(depth // PAGE_SIZE, PAGE_SIZE))
    )
    assert first.next_cursor and ending_at_depth.next_cursor
    return DepthRow(
        scope=f"{scope}, ordering {ordering.value}",
        depth=depth,
        page_first_ms=_median_ms(listing(PageRequest(1, PAGE_SIZE)), repeat),
        page_deep_ms=_median_ms(listing(PageRequest(depth // PAGE_SIZE + 1, PAGE_SIZE)), repeat),
        cursor_first_ms=_median_ms(listing(PageRequest(), first.next_cursor), repeat),
        cursor_deep_ms=_median_ms(listing(PageRequest(), ending_at_depth.next_cursor), repeat),
    )


def run(database: Path, depth: int = 500_000, repeat: int = 15) -> list[DepthRow]:
    container = container_for(database)
    with container.read_uow() as uow:
        admin = uow.users.get_by_email("admin1@demo.example")
        analyst = uow.users.get_by_email("analyst1@demo.example")
    assert admin and admin.id and analyst and analyst.id, "no demo users: run finance demo-data"
    admin_actor = Actor(admin.id, admin.role)
    analyst_actor = Actor(analyst.id, analyst.role)
    return [
        measure(container, admin_actor, "admin, all owners", Ordering.DATE_DESC, depth, repeat),
        measure(container, admin_actor, "admin, all owners", Ordering.AMOUNT, depth, repeat),
        measure(
            container, admin_actor, "admin, all owners", Ordering.CREATED_AT_DESC, depth, repeat
        ),
        measure(container, analyst_actor, "analyst, own", Ordering.DATE_DESC, depth, repeat),
    ]


def table(rows: list[DepthRow]) -> str:
    lines = [
        "| query | depth (rows) | cursor: near start | cursor: deep | ratio | page mode: page 1 "
        "| page mode: deep | ratio | cursor within 2x |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for r in rows:
        lines.append(
            f"| {r.scope} | {r.depth:,} | {r.cursor_first_ms:.2f} ms | {r.cursor_deep_ms:.2f} ms "
            f"| {r.cursor_ratio:.2f}x | {r.page_first_ms:.2f} ms | {r.page_deep_ms:.2f} ms "
            f"| {r.page_ratio:.1f}x | {r.verdict} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--db", type=Path, help="an existing database with the demo users")
    parser.add_argument("--depth", type=int, default=500_000)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="finance-cursor-") as folder:
        database = args.db
        if database is None:
            database = Path(folder) / "finance.db"
            print(f"Filling {database} with {args.records:,} demo records…")
            fill(container_for(database), args.records)
        rows = run(database, args.depth, args.repeat)
    print(table(rows))
    failed = [r for r in rows if r.verdict != "PASS"]
    raise SystemExit(1 if failed else 0)


if __name__ == "__main__":
    main()
