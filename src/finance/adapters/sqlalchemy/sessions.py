"""Token revocation, login throttling and the health probe, stored in the database so every
worker and instance shares them."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Engine, bindparam, delete, exists, func, insert, select, text
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from finance.adapters.sqlalchemy.engine import SINGLE_STATEMENT_OPTION, WRITE_OPTION
from finance.adapters.sqlalchemy.tables import login_failures, revoked_tokens, users
from finance.adapters.sqlalchemy.users import to_user
from finance.application.auth.sessions import Session
from finance.application.errors import Unavailable
from finance.application.ports import LoginAttempts

_KEEP_ATTEMPTS = timedelta(days=1)


class SqlTokenStore:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def revoke(self, jti: str, expires_at: datetime, forget_before: datetime) -> bool:
        try:
            with self._engine.begin() as conn:
                forgotten = revoked_tokens.c.expires_at < forget_before
                conn.execute(delete(revoked_tokens).where(forgotten))
                conn.execute(insert(revoked_tokens).values(jti=jti, expires_at=expires_at))
        except IntegrityError:
            return False
        return True

    def is_revoked(self, jti: str) -> bool:
        with self._engine.connect() as conn:
            row = conn.execute(
                select(revoked_tokens.c.jti).where(revoked_tokens.c.jti == jti)
            ).first()
        return row is not None


class SqlSessionLookup:
    """The user's row and the token's revocation in one statement."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine.execution_options(**{SINGLE_STATEMENT_OPTION: True})

    def session(self, user_id: int, jti: str) -> Session:
        with self._engine.connect() as conn:
            row = conn.execute(_SESSION, {"user_id": user_id, "jti": jti}).first()
        if row is None:
            return Session(None, revoked=False)
        return Session(to_user(row), revoked=bool(row.revoked))


_SESSION = select(
    users,
    exists()
    .where(revoked_tokens.c.jti == bindparam("jti"))
    .correlate_except(revoked_tokens)
    .label("revoked"),
).where(users.c.id == bindparam("user_id"))


class SqlLoginThrottle:
    """SQLite serialises reservations with its write lock (``BEGIN IMMEDIATE``); PostgreSQL
    with an advisory lock on the key, held only while the attempts are counted and stored."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def reserve(self, key: str, at: datetime, since: datetime, limit: int) -> LoginAttempts:
        with self._engine.connect() as conn:
            conn = conn.execution_options(**{WRITE_OPTION: True})
            with conn.begin():
                if conn.dialect.name == "postgresql":
                    conn.execute(select(func.pg_advisory_xact_lock(func.hashtextextended(key, 0))))
                conn.execute(
                    delete(login_failures).where(
                        login_failures.c.key == key, login_failures.c.at < at - _KEEP_ATTEMPTS
                    )
                )
                rows = conn.execute(
                    select(login_failures.c.at)
                    .where(login_failures.c.key == key, login_failures.c.at > since)
                    .order_by(login_failures.c.at)
                )
                times = [r.at for r in rows]
                if len(times) >= limit:
                    return LoginAttempts(False, times)
                conn.execute(insert(login_failures).values(key=key, at=at))
        return LoginAttempts(True, sorted([*times, at]))

    def clear(self, key: str) -> None:
        with self._engine.begin() as conn:
            conn.execute(delete(login_failures).where(login_failures.c.key == key))


class SqlHealthProbe:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def database_ok(self) -> bool:
        try:
            with self._engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except (SQLAlchemyError, Unavailable):
            return False
        return True
