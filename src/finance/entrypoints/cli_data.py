"""The ``finance`` commands that work on the data: import, demo data, the dashboard's totals,
recurring runs."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import click
from dependency_injector.wiring import Provide, inject

from finance.application.analytics.verify_statistics import (
    StatisticsReport,
    VerifyStatistics,
    VerifyStatisticsRequest,
)
from finance.application.errors import ApplicationError, ImportRejected
from finance.application.records.import_records_by_email import (
    ImportRecordsByEmail,
    ImportRecordsByEmailRequest,
)
from finance.application.recurring.run_schedules import (
    RunSchedules,
    RunSchedulesRequest,
    ScheduleRun,
)
from finance.domain.errors import DomainError
from finance.entrypoints.csv_io import read_csv
from finance.entrypoints.demo_data import DemoDataRequest, GenerateDemoData
from finance.entrypoints.progress import CommandLineProgress, count_lines

if TYPE_CHECKING:
    from finance.entrypoints.cli import _Context


def register(finance: click.Group) -> None:
    for command in (import_command, demo_data, stats, recurring):
        finance.add_command(command)


@click.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--owner", "owner_email", default=None, help="Email of the owner of rows without owner_id."
)
@click.option(
    "--actor",
    "actor_email",
    default=None,
    show_default="FINANCE_ADMIN_EMAIL or admin@example.com",
    help="Email of the active admin the import is recorded as.",
)
@click.pass_obj
def import_command(
    obj: _Context, file: str, owner_email: str | None, actor_email: str | None
) -> None:
    """Import a CSV of records (date,type,category,amount[,description,owner_id]): all rows,
    or none when any row is invalid (the first 100 problems are listed)."""
    obj.prepare_storage(obj.container, obj.settings)
    rows = max(count_lines(file) - 1, 0)
    with (
        open(file, encoding="utf-8-sig", newline="") as stream,
        CommandLineProgress(expected=rows) as progress,
    ):
        actor = actor_email or obj.settings.admin_email
        request = ImportRecordsByEmailRequest(
            actor, lambda: read_csv(stream), owner_email, progress=progress
        )
        try:
            imported = _import_records(request)
        except ImportRejected as error:
            for row in error.errors:
                click.echo(f"line {row.line}, {row.field}: {row.message}", err=True)
            raise click.ClickException(error.message) from error
        except UnicodeDecodeError as error:
            raise click.ClickException(
                f"{file} is not UTF-8 text; nothing was imported."
            ) from error
        except (ApplicationError, DomainError) as error:
            raise click.ClickException(str(error)) from error
    click.echo(f"Imported {imported} records.")


@inject
def _import_records(
    request: ImportRecordsByEmailRequest,
    import_records: ImportRecordsByEmail = Provide["import_records_by_email"],
) -> int:
    return import_records.execute(request)


@click.command("demo-data")
@click.option("--records", type=click.IntRange(min=0), default=10_000, show_default=True)
@click.option(
    "--users", type=click.IntRange(min=1), default=2, show_default=True, help="Users per role."
)
@click.option("--seed", type=int, default=1, show_default=True)
@click.option(
    "--until",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Last day of the data (default: today, UTC); fix it to reproduce a data set exactly.",
)
@click.option("--months", type=click.IntRange(min=1, max=120), default=24, show_default=True)
@click.option(
    "--password",
    default=None,
    show_default="FINANCE_DEMO_PASSWORD or demo-password",
    help="Password of every demo user.",
)
@click.pass_obj
def demo_data(
    obj: _Context,
    records: int,
    users: int,
    seed: int,
    until: datetime | None,
    months: int,
    password: str | None,
) -> None:
    """Create demo users (viewer1@demo.example, analyst1@…, admin1@…) and realistic records."""
    obj.prepare_storage(obj.container, obj.settings)
    password = password or obj.settings.demo_password
    last_day = until.date() if until else datetime.now(UTC).date()
    try:
        with CommandLineProgress() as progress:
            request = DemoDataRequest(records, users, seed, password, last_day, months, progress)
            result = _demo_data(request)
    except (ApplicationError, DomainError) as error:
        raise click.ClickException(str(error)) from error
    click.echo(
        f"{result.created_users} demo users created, {len(result.users) - result.created_users}"
        f" reused; {result.records} records ({result.deleted} soft-deleted)"
        f" from {months} months up to {last_day}; {result.budgets} budgets and"
        f" {result.schedules} recurring schedules."
    )
    for user in result.users:
        click.echo(f"  {user.role.value:<8} {user.email}")
    if result.created_users:
        click.echo(f"Their password: {password}")


@inject
def _demo_data(request: DemoDataRequest, demo_data: GenerateDemoData = Provide["demo_data"]) -> Any:
    return demo_data.execute(request)


@click.group()
def stats() -> None:
    """The dashboard's stored totals."""


@stats.command("verify")
@click.option("--repair", is_flag=True, help="Rebuild the totals from the records on drift.")
@click.pass_obj
def stats_verify(obj: _Context, repair: bool) -> None:
    """Recompute the dashboard totals from the records and list any difference (exit code 1
    on drift, unless --repair rebuilt them)."""
    obj.prepare_storage(obj.container, obj.settings)
    with CommandLineProgress() as progress:
        report = _verify_statistics(VerifyStatisticsRequest(repair=repair, progress=progress))
    listed = 20
    for line in report.differences[:listed]:
        click.echo(line)
    if len(report.differences) > listed:
        click.echo(f"… and {len(report.differences) - listed} more.")
    if not report.differences:
        click.echo("The dashboard totals match the records.")
    elif report.repaired:
        click.echo(f"{len(report.differences)} differences; rebuilt the totals from the records.")
    else:
        click.echo(f"{len(report.differences)} differences; run with --repair to rebuild.")
        sys.exit(1)


@inject
def _verify_statistics(
    request: VerifyStatisticsRequest, verify: VerifyStatistics = Provide["verify_statistics"]
) -> StatisticsReport:
    return verify.execute(request)


@click.group()
def recurring() -> None:
    """Recurring schedules."""


@recurring.command("run")
@click.option(
    "--until",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Last day to make occurrences for (default: today, UTC; never in the future).",
)
@click.pass_obj
def recurring_run(obj: _Context, until: datetime | None) -> None:
    """Make every due occurrence of every active schedule, each exactly once (for cron)."""
    obj.prepare_storage(obj.container, obj.settings)
    try:
        runs = _run_schedules(RunSchedulesRequest(until.date() if until else None))
    except (ApplicationError, DomainError) as error:
        raise click.ClickException(str(error)) from error
    made = sum(run.created for run in runs)
    for run in runs:
        if run.created:
            click.echo(f"schedule {run.schedule_id}: {run.created} records")
    click.echo(f"Made {made} records from {len(runs)} active schedules.")


@inject
def _run_schedules(
    request: RunSchedulesRequest, run: RunSchedules = Provide["run_schedules"]
) -> list[ScheduleRun]:
    return run.execute(request)
