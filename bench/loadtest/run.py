"""The run: database, instances, population, load, reconciliation, report. Exit code 0 when
every check passed, 1 when one failed, 2 when the run could not start."""

from __future__ import annotations

import os
import random
import secrets
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bench.loadtest.account_changes import AccountChangeWorker
from bench.loadtest.accounts import Account, Population, SetupError, populate
from bench.loadtest.admin import AdminWorker
from bench.loadtest.attack import Attacker, AttackPlan
from bench.loadtest.checks import Check
from bench.loadtest.cluster import Cluster, environment, error_lines, serving
from bench.loadtest.cpu import CpuSnapshot, CpuUse
from bench.loadtest.ledger import Ledger
from bench.loadtest.postgres import ROOT, DatabaseError, database_url, empty_schema, finance, shown
from bench.loadtest.readers import AnalystWorker, ViewerWorker
from bench.loadtest.reconcile import reconcile
from bench.loadtest.report import RunFacts, render
from bench.loadtest.sessions import SessionWorker
from bench.loadtest.settings import Settings, parse
from bench.loadtest.transport import Budget, Client, Recorder
from bench.loadtest.workers import MixWorker, Worker

ADMIN_EMAIL = "root@load.example"
PROGRESS_EVERY = 10.0
ROLE_WORKERS: dict[str, type[MixWorker]] = {
    "admin": AdminWorker,
    "analyst": AnalystWorker,
    "viewer": ViewerWorker,
}


def _prepare_database(env: dict[str, str]) -> None:
    """An empty schema, migrated, with the bootstrap admin."""
    empty_schema(env["FINANCE_DATABASE_URL"])
    for command in (("db", "upgrade"), ("create-admin", "--if-none")):
        result = finance(env, *command)
        if result.returncode != 0:
            raise SetupError(f"finance {' '.join(command)}: {result.stderr[-1000:]}")


def _workers(
    settings: Settings,
    population: Population,
    ledger: Ledger,
    plan: AttackPlan,
    ports: list[int],
    recorder: Recorder,
    budget: Budget,
) -> list[Worker]:
    owners = population.owner_ids()
    workers: list[Worker] = []
    for role, accounts in population.by_role.items():
        for number, account in enumerate(accounts, start=1):
            for thread in range(settings.threads_per_user):
                name = f"{role}{number}t{thread}"
                worker = ROLE_WORKERS[role]
                workers.append(
                    worker(name, account, owners, ledger, ports, recorder, budget, settings.seed)
                )
    workers += [
        Attacker(index, plan, ports, recorder, budget, settings.seed)
        for index in range(settings.attackers)
    ]
    workers.append(
        SessionWorker(population.sessions, ledger, ports, recorder, budget, settings.seed)
    )
    workers.append(
        AccountChangeWorker(
            population.admin, population.changing, ledger, ports, recorder, budget, settings.seed
        )
    )
    return workers


def _run_load(workers: list[Worker], budget: Budget) -> float:
    """Start every worker and wait for all; Ctrl-C stops them early. The seconds it took."""
    for worker in workers:
        worker.start()
    next_progress = PROGRESS_EVERY
    try:
        while any(worker.is_alive() for worker in workers):
            time.sleep(0.2)
            if budget.elapsed() >= next_progress:
                print(f"  {budget.elapsed():4.0f} s: {budget.sent:,} requests", flush=True)
                next_progress += PROGRESS_EVERY
    except KeyboardInterrupt:
        budget.stopped.set()
        for worker in workers:
            worker.join(timeout=15)
        raise
    return budget.elapsed()


def _commit() -> str:
    result = subprocess.run(
        ["git", "-C", str(ROOT), "describe", "--always", "--dirty"],
        capture_output=True,
        text=True,
        check=False,
    )
    return result.stdout.strip() or "unknown"


@dataclass(frozen=True)
class Outcome:
    verdicts: list[Check]
    load: Recorder
    seconds: float
    threads: int
    cpu: CpuUse
    log_errors: list[str]


def _exercise(settings: Settings, cluster: Cluster, env: dict[str, str]) -> Outcome:
    """Populate, load, reconcile, while the instances run."""
    ledger = Ledger()
    recorders = {name: Recorder() for name in ("setup", "load", "reconciliation")}
    admin = Account(ADMIN_EMAIL, env["FINANCE_ADMIN_PASSWORD"], "admin")
    setup_client = Client(cluster.ports, recorders["setup"])
    try:
        population = populate(setup_client, admin, settings, ledger, random.Random(settings.seed))
    finally:
        setup_client.close()
    budget = Budget(settings.duration, settings.max_requests)
    plan = AttackPlan(population.victims, settings.attackers, settings.duration)
    workers = _workers(settings, population, ledger, plan, cluster.ports, recorders["load"], budget)
    print(f"Load: {len(workers)} client threads for {settings.duration:g} s", flush=True)
    before = CpuSnapshot.take(cluster.masters)
    seconds = _run_load(workers, budget)
    cpu = CpuUse.between(before, CpuSnapshot.take(cluster.masters))
    print("Reconciling", flush=True)
    verdicts = reconcile(
        cluster.ports,
        population,
        ledger,
        recorders,
        workers,
        plan.tally,
        env,
        lambda: error_lines(cluster.logs),
    )
    return Outcome(
        verdicts, recorders["load"], seconds, len(workers), cpu, error_lines(cluster.logs)
    )


def main(argv: list[str] | None = None) -> int:
    settings = parse(argv)
    started = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    load_average = os.getloadavg()[0]
    try:
        url = database_url(settings.postgres_url)
        print(f"PostgreSQL: {shown(url)}", flush=True)
        env = environment(url, secrets.token_urlsafe(48), ADMIN_EMAIL, secrets.token_urlsafe(16))
        _prepare_database(env)
        with (
            tempfile.TemporaryDirectory(prefix="finance-loadtest-") as workdir,
            serving(settings, env, Path(workdir)) as cluster,
        ):
            print(f"Instances on 127.0.0.1 ports {cluster.ports}", flush=True)
            outcome = _exercise(settings, cluster, env)
    except (DatabaseError, SetupError, RuntimeError) as error:
        print(f"The load test could not run: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("Interrupted: servers stopped, no report written.", file=sys.stderr)
        return 130
    facts = RunFacts(
        started=started,
        commit=_commit(),
        database=shown(url),
        ports=cluster.ports,
        threads=outcome.threads,
        cpus=os.cpu_count() or 1,
        load_average=load_average,
        load_seconds=outcome.seconds,
        cpu=outcome.cpu,
    )
    text = render(settings, facts, outcome.load.samples, outcome.verdicts, outcome.log_errors)
    print(text)
    settings.output.write_text(text)
    print(f"Written to {settings.output}")
    return 0 if all(check.passed for check in outcome.verdicts) else 1
