"""The ``finance`` command line: database upgrades, the first admin, serving the API."""

from __future__ import annotations

import os
import secrets
import shutil
import sys
from collections.abc import Callable
from functools import cached_property
from typing import TYPE_CHECKING, Any

import click
from dependency_injector.wiring import Provide, inject

from finance.application.errors import ApplicationError
from finance.application.users.create_admin import CreateAdmin, CreateAdminRequest
from finance.domain.errors import DomainError
from finance.entrypoints import cli_data
from finance.entrypoints.garbage_collection import collect_less_often
from finance.entrypoints.http.gunicorn_worker import WORKER_CLASS

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
    click.echo(
        f"Serving on http://{bind}/ (open it in a browser to sign in; "
        f"Swagger UI at http://{bind}/api/docs/)"
    )
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


cli_data.register(finance)


def main(
    settings_factory: Callable[[], Settings],
    container_factory: Callable[[Settings], Any],
    prepare_storage: Callable[[Any, Settings], None],
) -> None:
    collect_less_often()
    finance(obj=_Context(settings_factory, container_factory, prepare_storage))
