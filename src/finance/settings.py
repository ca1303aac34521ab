"""Configuration read from ``FINANCE_*`` environment variables."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError as error:
        raise SystemExit(f"{name} must be a whole number, not {value!r}") from error


@dataclass(frozen=True)
class Settings:
    storage: str
    database_url: str
    instance_path: Path
    secret_key: str
    access_token_minutes: int = 15
    refresh_token_days: int = 7
    max_import_mb: int = 50
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 2
    threads: int = 4
    log_level: str = "INFO"
    admin_email: str = "admin@example.com"
    #: None: generated and shown once where an admin is made without one.
    admin_password: str | None = None
    demo_password: str = "demo-password"  # noqa: S105 (the documented password of demo users)

    @classmethod
    def from_env(cls) -> Settings:
        instance = Path(os.environ.get("FINANCE_INSTANCE_PATH", "instance")).resolve()
        storage = os.environ.get("FINANCE_STORAGE", "sql").strip().lower() or "sql"
        if storage not in ("sql", "memory"):
            raise SystemExit(f"FINANCE_STORAGE must be 'sql' or 'memory', not {storage!r}")
        database_url = (
            os.environ.get("FINANCE_DATABASE_URL") or f"sqlite:///{instance / 'finance.db'}"
        )
        return cls(
            storage=storage,
            database_url=database_url,
            instance_path=instance,
            secret_key=os.environ.get("FINANCE_SECRET_KEY") or instance_secret(instance),
            access_token_minutes=_int("FINANCE_ACCESS_TOKEN_MINUTES", 15),
            refresh_token_days=_int("FINANCE_REFRESH_TOKEN_DAYS", 7),
            max_import_mb=_int("FINANCE_MAX_IMPORT_MB", 50),
            host=os.environ.get("FINANCE_HOST", "127.0.0.1"),
            port=_int("FINANCE_PORT", 8000),
            workers=_int("FINANCE_WORKERS", 2),
            threads=_int("FINANCE_THREADS", 4),
            log_level=os.environ.get("FINANCE_LOG_LEVEL", "INFO").upper(),
            admin_email=os.environ.get("FINANCE_ADMIN_EMAIL") or "admin@example.com",
            admin_password=os.environ.get("FINANCE_ADMIN_PASSWORD") or None,
            demo_password=os.environ.get("FINANCE_DEMO_PASSWORD") or cls.demo_password,
        )


def instance_secret(instance: Path) -> str:
    """The signing key kept in ``instance/secret_key`` (mode 0600), made on first use.
    Created by linking a finished temporary file, so concurrent workers all read one key."""
    path = instance / "secret_key"
    if path.exists():
        return path.read_text().strip()
    instance.mkdir(mode=0o700, parents=True, exist_ok=True)
    temporary = instance / f".secret_key.{os.getpid()}.{secrets.token_hex(4)}"
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(secrets.token_urlsafe(48))
    try:
        os.link(temporary, path)
    except FileExistsError:
        pass
    finally:
        temporary.unlink()
    return path.read_text().strip()
