"""Bringing a database's schema up to date with the Alembic migrations shipped in the package."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from finance.adapters.sqlalchemy.engine import WRITE_OPTION

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    url = engine.url.render_as_string(hide_password=False)
    # Alembic's config reads "%" as interpolation: a percent-escaped password would break it.
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade_database(engine: Engine, revision: str = "head") -> None:
    """Migrate in one writing transaction (on SQLite, ``BEGIN IMMEDIATE`` and the write cache)."""
    config = alembic_config(engine)
    connection = engine.connect().execution_options(**{WRITE_OPTION: True})
    with connection, connection.begin():
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def pending_migrations(engine: Engine) -> bool:
    """Whether the database is behind the newest migration."""
    heads = set(ScriptDirectory.from_config(alembic_config(engine)).get_heads())
    with engine.connect() as connection:
        current = set(MigrationContext.configure(connection).get_current_heads())
    return current != heads
