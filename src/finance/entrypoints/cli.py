"""The ``finance`` command line: database upgrades, the first admin, serving the API."""

from __future__ import annotations

import os
import secrets
import shutil
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import click
from dependency_injector.wiring import Provide, inject

from finance.application.errors import ApplicationError
from finance.application.users.create_admin import CreateAdmin, CreateAdminRequest
from finance.domain.errors import DomainError

if TYPE_CHECKING:
    from finance.settings import Settings


class _Context:
    def __init__(
        self,
        settings: Settings,
        container: Any,
        app_factory: Callable[..., Any],
        prepare_storage: Callable[[Any, Settings], None],
    ) -> None:
        self.settings = settings
        self.container = container
        self.app_factory = app_factory
        self.prepare_storage = prepare_storage


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
@click.option(
    "--email",
    default=lambda: os.environ.get("FINANCE_ADMIN_EMAIL", "admin@example.com"),
    show_default="FINANCE_ADMIN_EMAIL or admin@example.com",
)
@click.option("--name", default="Administrator", show_default=True)
@click.option(
    "--if-none",
    is_flag=True,
    help="Do nothing when an admin exists; with no password given, generate one.",
)
@click.pass_obj
def create_admin(obj: _Context, email: str, name: str, if_none: bool) -> None:
    """Create an admin user (password from FINANCE_ADMIN_PASSWORD, or prompted)."""
    obj.prepare_storage(obj.container, obj.settings)
    password = os.environ.get("FINANCE_ADMIN_PASSWORD")
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
        "gthread",
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
    app_factory: Callable[..., Any],
    prepare_storage: Callable[[Any, Settings], None],
) -> None:
    settings = settings_factory()
    container = container_factory(settings)
    finance(obj=_Context(settings, container, app_factory, prepare_storage))
