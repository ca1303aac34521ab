"""The composition root: chooses and wires the adapters, builds the app and the CLI."""

from __future__ import annotations

import logging
import secrets
import sys
from datetime import timedelta
from typing import Any

from dependency_injector import containers, providers
from flask import Flask

from finance.adapters.clock import SystemClock
from finance.adapters.memory.records import MemoryRecordStream
from finance.adapters.memory.sessions import (
    MemoryHealthProbe,
    MemoryLoginThrottle,
    MemorySessionLookup,
    MemoryTokenStore,
)
from finance.adapters.memory.store import MemoryStore
from finance.adapters.memory.unit_of_work import MemoryUnitOfWork
from finance.adapters.security import Argon2PasswordHasher
from finance.adapters.signed_cursors import SignedCursors
from finance.adapters.sqlalchemy.engine import build_engine
from finance.adapters.sqlalchemy.record_stream import SqlRecordStream
from finance.adapters.sqlalchemy.schema import pending_migrations, upgrade_database
from finance.adapters.sqlalchemy.sessions import (
    SqlHealthProbe,
    SqlLoginThrottle,
    SqlSessionLookup,
    SqlTokenStore,
)
from finance.adapters.sqlalchemy.unit_of_work import SqlUnitOfWork
from finance.application.analytics.category_totals import CategoryTotals
from finance.application.analytics.forecast import Forecast
from finance.application.analytics.monthly_trends import MonthlyTrends
from finance.application.analytics.recent_transactions import RecentTransactions
from finance.application.analytics.summary import Summary
from finance.application.analytics.verify_statistics import VerifyStatistics
from finance.application.auth.authenticate_user import AuthenticateUser
from finance.application.auth.change_password import ChangePassword
from finance.application.auth.current_user import GetCurrentUser
from finance.application.auth.sessions import Logout, RefreshSession, ResolveSession
from finance.application.budgets.budget_report import BudgetReport
from finance.application.budgets.create_budget import CreateBudget
from finance.application.budgets.delete_budget import DeleteBudget
from finance.application.budgets.get_budget import GetBudget
from finance.application.budgets.list_budgets import ListBudgets
from finance.application.budgets.update_budget import UpdateBudget
from finance.application.errors import Unavailable
from finance.application.operations.check_health import CheckHealth
from finance.application.records.create_record import CreateRecord
from finance.application.records.delete_record import DeleteRecord
from finance.application.records.export_records import ExportRecords
from finance.application.records.get_record import GetRecord
from finance.application.records.import_records import ImportRecords
from finance.application.records.import_records_by_email import ImportRecordsByEmail
from finance.application.records.list_records import ListDeletedRecords, ListRecords
from finance.application.records.record_history import RecordHistory
from finance.application.records.restore_record import RestoreRecord
from finance.application.records.update_record import UpdateRecord
from finance.application.recurring.create_schedule import CreateSchedule
from finance.application.recurring.deactivate_schedule import DeactivateSchedule
from finance.application.recurring.get_schedule import GetSchedule
from finance.application.recurring.list_schedules import ListSchedules
from finance.application.recurring.run_schedule import RunSchedule
from finance.application.recurring.run_schedules import RunSchedules
from finance.application.recurring.upcoming_occurrences import UpcomingOccurrences
from finance.application.recurring.update_schedule import UpdateSchedule
from finance.application.users.create_admin import CreateAdmin, CreateAdminRequest
from finance.application.users.create_user import CreateUser
from finance.application.users.deactivate_user import DeactivateUser
from finance.application.users.get_user import GetUser
from finance.application.users.list_users import ListUsers
from finance.application.users.update_user import UpdateUser
from finance.entrypoints import cli as cli_module
from finance.entrypoints.demo_data import GenerateDemoData
from finance.entrypoints.http.app import build_app
from finance.settings import Settings


class Container(containers.DeclarativeContainer):
    wiring_config = containers.WiringConfiguration(
        packages=["finance.entrypoints.http"],
        modules=["finance.entrypoints.cli", "finance.entrypoints.cli_data"],
        warn_unresolved=True,
    )

    config = providers.Configuration()

    engine = providers.Singleton(build_engine, config.database_url)
    memory_store = providers.Singleton(MemoryStore)

    uow = providers.Selector(
        config.storage,
        sql=providers.Factory(SqlUnitOfWork, engine, write=True),
        memory=providers.Factory(MemoryUnitOfWork, memory_store),
    )
    read_uow = providers.Selector(
        config.storage,
        sql=providers.Factory(SqlUnitOfWork, engine, write=False),
        memory=providers.Factory(MemoryUnitOfWork, memory_store),
    )
    token_store = providers.Selector(
        config.storage,
        sql=providers.Singleton(SqlTokenStore, engine),
        memory=providers.Singleton(MemoryTokenStore, memory_store),
    )
    login_throttle = providers.Selector(
        config.storage,
        sql=providers.Singleton(SqlLoginThrottle, engine),
        memory=providers.Singleton(MemoryLoginThrottle, memory_store),
    )
    record_stream = providers.Selector(
        config.storage,
        sql=providers.Singleton(SqlRecordStream, engine),
        memory=providers.Singleton(MemoryRecordStream, memory_store),
    )
    health_probe = providers.Selector(
        config.storage,
        sql=providers.Singleton(SqlHealthProbe, engine),
        memory=providers.Singleton(MemoryHealthProbe),
    )
    password_hasher = providers.Singleton(Argon2PasswordHasher)
    clock = providers.Singleton(SystemClock)

    authenticate_user = providers.Factory(
        AuthenticateUser, read_uow, uow, password_hasher, login_throttle, clock
    )
    refresh_session = providers.Factory(RefreshSession, read_uow, token_store, clock)
    session_lookup = providers.Selector(
        config.storage,
        sql=providers.Singleton(SqlSessionLookup, engine),
        memory=providers.Singleton(MemorySessionLookup, memory_store),
    )
    resolve_session = providers.Factory(ResolveSession, session_lookup)
    logout = providers.Factory(Logout, token_store, clock)
    get_current_user = providers.Factory(GetCurrentUser, read_uow)
    change_password = providers.Factory(ChangePassword, read_uow, uow, password_hasher)

    create_user = providers.Factory(CreateUser, uow, password_hasher, clock)
    create_admin = providers.Factory(CreateAdmin, uow, password_hasher, clock)
    get_user = providers.Factory(GetUser, read_uow)
    list_users = providers.Factory(ListUsers, read_uow)
    update_user = providers.Factory(UpdateUser, uow, password_hasher)
    deactivate_user = providers.Factory(DeactivateUser, uow)

    check_health = providers.Factory(CheckHealth, health_probe)

    cursor_codec = providers.Singleton(SignedCursors, config.secret_key)
    create_record = providers.Factory(CreateRecord, uow, clock)
    get_record = providers.Factory(GetRecord, read_uow)
    list_records = providers.Factory(ListRecords, read_uow, cursor_codec)
    list_deleted_records = providers.Factory(ListDeletedRecords, read_uow, cursor_codec)
    update_record = providers.Factory(UpdateRecord, uow, clock)
    delete_record = providers.Factory(DeleteRecord, uow, clock)
    restore_record = providers.Factory(RestoreRecord, uow, clock)
    record_history = providers.Factory(RecordHistory, read_uow)
    export_records = providers.Factory(ExportRecords, record_stream)
    import_records = providers.Factory(ImportRecords, uow, clock)
    import_records_by_email = providers.Factory(ImportRecordsByEmail, uow, clock)

    dashboard_summary = providers.Factory(Summary, read_uow)
    dashboard_category_totals = providers.Factory(CategoryTotals, read_uow)
    dashboard_recent_transactions = providers.Factory(RecentTransactions, read_uow)
    dashboard_monthly_trends = providers.Factory(MonthlyTrends, read_uow, clock)
    verify_statistics = providers.Factory(VerifyStatistics, uow)
    dashboard_forecast = providers.Factory(Forecast, read_uow, clock)
    budget_report = providers.Factory(BudgetReport, read_uow, clock)

    create_budget = providers.Factory(CreateBudget, uow, clock)
    get_budget = providers.Factory(GetBudget, read_uow)
    list_budgets = providers.Factory(ListBudgets, read_uow)
    update_budget = providers.Factory(UpdateBudget, uow, clock)
    delete_budget = providers.Factory(DeleteBudget, uow)

    create_schedule = providers.Factory(CreateSchedule, uow, clock)
    get_schedule = providers.Factory(GetSchedule, read_uow)
    list_schedules = providers.Factory(ListSchedules, read_uow)
    update_schedule = providers.Factory(UpdateSchedule, uow, clock)
    deactivate_schedule = providers.Factory(DeactivateSchedule, uow, clock)
    upcoming_occurrences = providers.Factory(UpcomingOccurrences, read_uow)
    run_schedule = providers.Factory(RunSchedule, uow, clock)
    run_schedules = providers.Factory(RunSchedules, uow, clock)
    demo_data = providers.Factory(GenerateDemoData, uow, password_hasher, clock)


def build_container(settings: Settings) -> Container:
    container = Container()
    container.config.from_dict(
        {
            "storage": settings.storage,
            "database_url": settings.database_url,
            "secret_key": settings.secret_key,
        }
    )
    return container


def prepare_storage(container: Container, settings: Settings) -> None:
    """Bring the SQL schema up to date; the memory store needs nothing."""
    if settings.storage == "sql":
        engine = container.engine()
        if pending_migrations(engine):
            upgrade_database(engine)


def flask_config(settings: Settings) -> dict[str, Any]:
    return {
        "SECRET_KEY": settings.secret_key,
        "JWT_SECRET_KEY": settings.secret_key,
        "JWT_ALGORITHM": "HS256",
        "JWT_DECODE_ALGORITHMS": ["HS256"],
        "JWT_TOKEN_LOCATION": ["headers"],
        "JWT_ENCODE_ISSUER": "finance",
        "JWT_DECODE_ISSUER": "finance",
        "JWT_ENCODE_AUDIENCE": "finance-api",
        "JWT_DECODE_AUDIENCE": "finance-api",
        "JWT_ACCESS_TOKEN_EXPIRES": timedelta(minutes=settings.access_token_minutes),
        "JWT_REFRESH_TOKEN_EXPIRES": timedelta(days=settings.refresh_token_days),
        "MAX_CONTENT_LENGTH": settings.max_import_mb * 1024 * 1024,
    }


def configure_logging(level: str) -> None:
    root = logging.getLogger()
    if not root.handlers:
        logging.basicConfig(level=level, format="%(message)s", stream=sys.stderr)
    logging.getLogger("finance").setLevel(level)
    logging.getLogger("alembic").setLevel(logging.WARNING)


def bootstrap_memory_admin(container: Container, settings: Settings) -> None:
    """A memory store starts empty, so each process creates the first admin itself."""
    password = settings.admin_password or secrets.token_urlsafe(12)
    email = settings.admin_email
    created = container.create_admin().execute(
        CreateAdminRequest(email, "Administrator", password, only_if_none=True)
    )
    if created is not None and settings.admin_password is None:
        print(f"Created admin {email} with password (shown once): {password}", file=sys.stderr)


def create_app(settings: Settings | None = None, container: Container | None = None) -> Flask:
    """The WSGI application; gunicorn calls ``finance.main:create_app()`` in every worker."""
    settings = settings or Settings.from_env()
    configure_logging(settings.log_level)
    container = container or build_container(settings)
    try:
        prepare_storage(container, settings)
    except Unavailable:
        # A worker that gunicorn starts during an outage serves 503s until the database
        # answers again, instead of failing to boot (which stops gunicorn altogether).
        logging.getLogger("finance").warning("The database is unavailable; answering 503.")
    if settings.storage == "memory":
        bootstrap_memory_admin(container, settings)
    app = build_app(flask_config(settings))
    app.container = container  # type: ignore[attr-defined]
    return app


def cli() -> None:
    """The ``finance`` command."""
    cli_module.main(
        settings_factory=Settings.from_env,
        container_factory=build_container,
        prepare_storage=prepare_storage,
    )
