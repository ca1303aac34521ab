"""The instances under test: `finance serve` (gunicorn) on free loopback ports, all on one
database with one signing key, each with its own instance folder and log."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from bench.loadtest.settings import Settings
from bench.server import BIN, HOST, free_port, running

ERROR_LINE = re.compile(r"Traceback|\bERROR\b|\bCRITICAL\b|Exception|WORKER TIMEOUT")


@dataclass(frozen=True)
class Cluster:
    ports: list[int]
    logs: list[Path]
    masters: list[int]


def environment(
    database_url: str, secret: str, admin_email: str, admin_password: str
) -> dict[str, str]:
    """What every instance and command of the run shares."""
    return {
        "FINANCE_DATABASE_URL": database_url,
        "FINANCE_SECRET_KEY": secret,
        "FINANCE_STORAGE": "sql",
        "FINANCE_LOG_LEVEL": "WARNING",
        "FINANCE_ADMIN_EMAIL": admin_email,
        "FINANCE_ADMIN_PASSWORD": admin_password,
    }


@contextmanager
def serving(settings: Settings, shared: dict[str, str], workdir: Path) -> Iterator[Cluster]:
    """Start every instance, wait until each answers its health check; always stop them."""
    ports, logs, masters = [], [], []
    with ExitStack() as stack:
        for number in range(settings.instances):
            port = free_port()
            folder = workdir / f"instance{number}"
            folder.mkdir()
            env = {
                **os.environ,
                **shared,
                "FINANCE_INSTANCE_PATH": str(folder),
                "FINANCE_HOST": HOST,
                "FINANCE_PORT": str(port),
                "FINANCE_WORKERS": str(settings.workers),
                "FINANCE_THREADS": str(settings.server_threads),
            }
            log = workdir / f"instance{number}.log"
            command = [str(BIN / "finance"), "serve"]
            health = f"http://{HOST}:{port}/api/health/"
            process = stack.enter_context(running(command, env, health, log))
            ports.append(port)
            logs.append(log)
            masters.append(process.pid)
        yield Cluster(ports, logs, masters)


def error_lines(logs: list[Path]) -> list[str]:
    """Lines of the servers' logs that tell of an error (the requests themselves are not
    logged at WARNING)."""
    found = []
    for number, log in enumerate(logs):
        if log.exists():
            for line in log.read_text(errors="replace").splitlines():
                if ERROR_LINE.search(line):
                    found.append(f"instance{number}: {line[:300]}")
    return found
