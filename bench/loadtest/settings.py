"""What one load test run does: its duration, its caps and how many of each kind of client."""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass
from pathlib import Path

RESULTS = Path(__file__).resolve().parent.parent / "LOADTEST.md"
POSTGRES_URL_VARIABLE = "FINANCE_LOADTEST_POSTGRES_URL"
MAX_DURATION = 120


@dataclass(frozen=True)
class Settings:
    duration: float
    max_requests: int
    instances: int
    workers: int
    server_threads: int
    admins: int
    analysts: int
    viewers: int
    threads_per_user: int
    attackers: int
    victims: int
    seed: int
    output: Path
    postgres_url: str | None

    @property
    def users_per_role(self) -> dict[str, int]:
        return {"admin": self.admins, "analyst": self.analysts, "viewer": self.viewers}


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bench.loadtest",
        description="Mixed load on two instances sharing PostgreSQL, then a reconciliation.",
    )
    parser.add_argument("--duration", type=float, default=60, help="seconds of load (60)")
    parser.add_argument(
        "--max-requests", type=_positive, default=60_000, help="no new work after this many"
    )
    parser.add_argument("--instances", type=int, default=2, choices=range(2, 5), metavar="2-4")
    parser.add_argument("--workers", type=_positive, default=2, help="gunicorn workers each")
    parser.add_argument("--server-threads", type=_positive, default=4, help="threads per worker")
    parser.add_argument("--admins", type=_positive, default=2)
    parser.add_argument("--analysts", type=_positive, default=2)
    parser.add_argument("--viewers", type=_positive, default=2)
    parser.add_argument("--threads-per-user", type=_positive, default=1)
    parser.add_argument("--attackers", type=_positive, default=4, help="wrong-password threads")
    parser.add_argument("--victims", type=_positive, default=3, help="emails attacked in turn")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--output", type=Path, default=RESULTS, help="the Markdown report")
    return parser


def parse(argv: list[str] | None = None) -> Settings:
    args = _parser().parse_args(argv)
    if not 1 <= args.duration <= MAX_DURATION:
        raise SystemExit(f"--duration must be between 1 and {MAX_DURATION} seconds")
    return Settings(
        duration=args.duration,
        max_requests=args.max_requests,
        instances=args.instances,
        workers=args.workers,
        server_threads=args.server_threads,
        admins=args.admins,
        analysts=args.analysts,
        viewers=args.viewers,
        threads_per_user=args.threads_per_user,
        attackers=args.attackers,
        victims=args.victims,
        seed=args.seed,
        output=args.output,
        postgres_url=os.environ.get(POSTGRES_URL_VARIABLE) or None,
    )
