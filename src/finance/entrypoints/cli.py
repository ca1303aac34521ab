"""The ``finance`` command line: database upgrades, the first admin, serving the API."""

from __future__ import annotations

import os
import secrets
import shutil
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from functools import cached_property
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
from finance.application.users.create_admin import CreateAdmin, CreateAdminRequest
from finance.domain.errors import DomainError
from finance.entrypoints.csv_io import read_csv
from finance.entrypoints.demo_data import DemoDataRequest, GenerateDemoData
from finance.entrypoints.garbage_collection import collect_less_often
from finance.entrypoints.http.gunicorn_worker import WORKER_CLASS
from finance.entrypoints.progress import CommandLineProgress, count_lines

if TYPE_CHECKING:
    from finance.settings import Settings


class _Context:
    """What the commands share. The settings (reading them may create the instance folder and
    its key) and the container are made when a command first needs them, so ``finance --help``
    writes nothing."""

    def __init__(
        self,
        settings_factory: Callable[[], Settings],
        container_factory: Callable[[Settings], Any],
        prepare_storage: Callable[[Any, Settings], None],
    ) -> None:
        self._settings_factory = settings_factory
        self._container_factory = container_factory
        self.prepare_storage = prepare_storage

    @classmethod
    def of(
        cls,
        settings: Settings,
        container: Any,
        prepare_storage: Callable[[Any, Settings], None],
    ) -> _Context:
        """A context over settings and a container already made (tests use it)."""
        return cls(lambda: settings, lambda _: container, prepare_storage)

    @cached_property
    def settings(self) -> Settings:
        return self._settings_factory()

    @cached_property
    def container(self) -> Any:
        return self._container_factory(self.settings)


@click.group()
@click.pass_context
def finance(ctx: click.Context) -> None:
    """Financial records and analytics API."""


@finance.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
@click.pass_obj
def db_upgrade(obj: _Context) -> None:
    """Apply every pending migration."""
    if obj.settings.storage != "sql":
        click.echo("FINANCE_STORAGE=memory: there is no database to migrate.")
        return
    obj.prepare_storage(obj.container, obj.settings)
    click.echo("Database is up to date.")


@finance.command("create-admin")
@click.option("--email", default=None, show_default="FINANCE_ADMIN_EMAIL or admin@example.com")
@click.option("--name", default="Administrator", show_default=True)
@click.option(
    "--if-none",
    is_flag=True,
    help="Do nothing when an admin exists; with no password given, generate one.",
)
@click.pass_obj
def create_admin(obj: _Context, email: str | None, name: str, if_none: bool) -> None:
    """Create an admin user (password from FINANCE_ADMIN_PASSWORD, or prompted)."""
    if obj.settings.storage == "memory":
        click.echo(
            "FINANCE_STORAGE=memory: the server creates the first admin when it starts "
            "(FINANCE_ADMIN_EMAIL / FINANCE_ADMIN_PASSWORD, or a generated password it prints)."
        )
        return
    obj.prepare_storage(obj.container, obj.settings)
    email = email or obj.settings.admin_email
    password = obj.settings.admin_password
    generated = False
    if not password:
        if if_none or not sys.stdin.isatty():
            password, generated = secrets.token_urlsafe(12), True
        else:
            password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = _create_admin(CreateAdminRequest(email, name, password, only_if_none=if_none))
    except (ApplicationError, DomainError) as error:
        raise click.ClickException(str(error)) from error
    if user is None:
        click.echo("An admin already exists; none created.")
        return
    click.echo(f"Created admin {user.email}.")
    if generated:
        click.echo(f"Generated password (shown once): {password}")


@inject
def _create_admin(
    request: CreateAdminRequest, create_admin: CreateAdmin = Provide["create_admin"]
) -> Any:
    return create_admin.execute(request)


@finance.command("import")
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


@finance.command("demo-data")
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
        f" from {months} months up to {last_day}."
    )
    for user in result.users:
        click.echo(f"  {user.role.value:<8} {user.email}")
    if result.created_users:
        click.echo(f"Their password: {password}")


@inject
def _demo_data(request: DemoDataRequest, demo_data: GenerateDemoData = Provide["demo_data"]) -> Any:
    return demo_data.execute(request)


@finance.group()
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


@finance.command()
@click.option("--host", default=None, help="Default FINANCE_HOST or 127.0.0.1.")
@click.option("--port", type=int, default=None, help="Default FINANCE_PORT or 8000.")
@click.option("--workers", type=int, default=None, help="Default FINANCE_WORKERS or 2.")
@click.pass_obj
def serve(obj: _Context, host: str | None, port: int | None, workers: int | None) -> None:
    """Serve the API with gunicorn."""
    settings = obj.settings
    obj.prepare_storage(obj.container, settings)
    workers = workers or settings.workers
    if settings.storage == "memory" and workers != 1:
        click.echo("FINANCE_STORAGE=memory keeps state in one process: serving with 1 worker.")
        workers = 1
    bind = f"{host or settings.host}:{port or settings.port}"
    click.echo(f"Serving on http://{bind}/ (Swagger UI at http://{bind}/api/docs/)")
    gunicorn = shutil.which("gunicorn", path=os.path.dirname(sys.executable)) or "gunicorn"
    args = [
        gunicorn,
        "--bind",
        bind,
        "--workers",
        str(workers),
        "--threads",
        str(settings.threads),
        "--worker-class",
        WORKER_CLASS,
        "--no-control-socket",
        "--error-logfile",
        "-",
        "--log-level",
        settings.log_level.lower(),
        "finance.main:create_app()",
    ]
    os.execv(args[0], args)


def main(
    settings_factory: Callable[[], Settings],
    container_factory: Callable[[Settings], Any],
    prepare_storage: Callable[[Any, Settings], None],
) -> None:
    collect_less_often()
    finance(obj=_Context(settings_factory, container_factory, prepare_storage))
