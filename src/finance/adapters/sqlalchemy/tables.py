"""The relational schema: SQLAlchemy Core tables that the repositories read and write."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
)
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every database (SQLite keeps no offset, so it is
    stored as naive UTC and given back as UTC)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        moment: datetime = value
        if moment.tzinfo is None:
            return moment.replace(tzinfo=UTC)
        return moment.astimezone(UTC)


naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=naming_convention)

users = Table(
    "users",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("email", String(254), nullable=False, unique=True),
    Column("name", String(150), nullable=False),
    Column("role", String(16), nullable=False),
    Column("password_hash", String(255), nullable=False),
    Column("is_active", Boolean, nullable=False),
    Column("token_version", Integer, nullable=False),
    Column("date_joined", UTCDateTime, nullable=False),
)

revoked_tokens = Table(
    "revoked_tokens",
    metadata,
    Column("jti", String(64), primary_key=True),
    Column("expires_at", UTCDateTime, nullable=False, index=True),
)

login_failures = Table(
    "login_failures",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("key", String(254), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Index("ix_login_failures_key_at", "key", "at"),
)

Id = BigInteger().with_variant(Integer, "sqlite")

records = Table(
    "records",
    metadata,
    Column("id", Id, primary_key=True),
    Column("owner_id", Id, ForeignKey("users.id"), nullable=False),
    Column("created_by", Id, ForeignKey("users.id"), nullable=False),
    Column("amount_cents", BigInteger, nullable=False),
    Column("type", String(7), nullable=False),
    Column("category", String(100), nullable=False),
    Column("category_key", String(100), nullable=False),
    Column("description", String(1000), nullable=False),
    Column("search_key", Text, nullable=False),
    Column("date", Date, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("version", Integer, nullable=False),
    Column("is_deleted", Boolean, nullable=False),
    Column("deleted_at", UTCDateTime, nullable=True),
    Column("recurring_id", Id, ForeignKey("recurring_schedules.id"), nullable=True),
    Index("ix_records_live_date", "is_deleted", "date", "id"),
    Index("ix_records_owner_date", "owner_id", "is_deleted", "date", "id"),
    Index("ix_records_live_amount", "is_deleted", "amount_cents", "id"),
    Index("ix_records_live_created", "is_deleted", "created_at", "id"),
    Index("ix_records_category", "category_key", "is_deleted", "date"),
)

record_audit = Table(
    "record_audit",
    metadata,
    Column("id", Id, primary_key=True),
    Column("record_id", Id, ForeignKey("records.id"), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("actor_id", Id, nullable=False),
    Column("action", String(16), nullable=False),
    Column("changes", JSON, nullable=False),
    Index("ix_record_audit_record", "record_id", "id"),
)

idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("user_id", Id, nullable=False),
    Column("key", String(255), nullable=False),
    Column("fingerprint", String(64), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("response", JSON, nullable=True),
    PrimaryKeyConstraint("user_id", "key"),
)


budgets = Table(
    "budgets",
    metadata,
    Column("id", Id, primary_key=True),
    Column("owner_id", Id, ForeignKey("users.id"), nullable=False),
    Column("category", String(100), nullable=False),
    Column("category_key", String(100), nullable=False),
    Column("amount_cents", BigInteger, nullable=False),
    Column("start_month", Date, nullable=False),
    Column("end_month", Date, nullable=True),
    Column("rollover", Boolean, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("version", Integer, nullable=False),
    Index("ix_budgets_owner_category", "owner_id", "category_key", "start_month"),
)

recurring_schedules = Table(
    "recurring_schedules",
    metadata,
    Column("id", Id, primary_key=True),
    Column("owner_id", Id, ForeignKey("users.id"), nullable=False),
    Column("created_by", Id, ForeignKey("users.id"), nullable=False),
    Column("amount_cents", BigInteger, nullable=False),
    Column("type", String(7), nullable=False),
    Column("category", String(100), nullable=False),
    Column("category_key", String(100), nullable=False),
    Column("description", String(1000), nullable=False),
    Column("frequency", String(7), nullable=False),
    Column("interval", Integer, nullable=False),
    Column("start_date", Date, nullable=False),
    Column("end_date", Date, nullable=True),
    Column("count", Integer, nullable=True),
    Column("active", Boolean, nullable=False),
    Column("made_through", Date, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("version", Integer, nullable=False),
    Index("ix_recurring_schedules_owner", "owner_id", "active"),
)

#: One row per occurrence made: the key that makes each occurrence exactly once.
recurring_occurrences = Table(
    "recurring_occurrences",
    metadata,
    Column("schedule_id", Id, ForeignKey("recurring_schedules.id"), nullable=False),
    Column("date", Date, nullable=False),
    Column("record_id", Id, ForeignKey("records.id"), nullable=False),
    PrimaryKeyConstraint("schedule_id", "date"),
)


def _totals_table(name: str, period: str) -> Table:
    """Live records' sums per (owner, period, type, category as spelled), kept up to date by
    the record repository in the transaction of every write; the dashboard reads these."""
    return Table(
        name,
        metadata,
        Column("owner_id", Id, nullable=False),
        Column(period, Date, nullable=False),
        Column("type", String(7), nullable=False),
        Column("category", String(100), nullable=False),
        Column("category_key", String(100), nullable=False),
        Column("total_cents", BigInteger, nullable=False),
        Column("record_count", BigInteger, nullable=False),
        PrimaryKeyConstraint("owner_id", period, "type", "category"),
        Index(f"ix_{name}_{period}", period, "owner_id"),
    )


record_daily_totals = _totals_table("record_daily_totals", "day")
record_monthly_totals = _totals_table("record_monthly_totals", "month")
