"""records, their audit trail and idempotency keys

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from finance.adapters.sqlalchemy.tables import UTCDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "records",
        sa.Column("id", Id, nullable=False),
        sa.Column("owner_id", Id, nullable=False),
        sa.Column("created_by", Id, nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("type", sa.String(7), nullable=False),
        sa.Column("category", sa.String(100), nullable=False),
        sa.Column("category_key", sa.String(100), nullable=False),
        sa.Column("description", sa.String(1000), nullable=False),
        sa.Column("search_key", sa.Text(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("is_deleted", sa.Boolean(), nullable=False),
        sa.Column("deleted_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_records"),
        sa.ForeignKeyConstraint(["owner_id"], ["users.id"], name="fk_records_owner_id_users"),
        sa.ForeignKeyConstraint(["created_by"], ["users.id"], name="fk_records_created_by_users"),
    )
    op.create_index("ix_records_live_date", "records", ["is_deleted", "date", "id"])
    op.create_index("ix_records_owner_date", "records", ["owner_id", "is_deleted", "date", "id"])
    op.create_index("ix_records_live_amount", "records", ["is_deleted", "amount_cents", "id"])
    op.create_index("ix_records_live_created", "records", ["is_deleted", "created_at", "id"])
    op.create_index("ix_records_category", "records", ["category_key", "is_deleted", "date"])
    op.create_table(
        "record_audit",
        sa.Column("id", Id, nullable=False),
        sa.Column("record_id", Id, nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("actor_id", Id, nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_record_audit"),
        sa.ForeignKeyConstraint(
            ["record_id"], ["records.id"], name="fk_record_audit_record_id_records"
        ),
    )
    op.create_index("ix_record_audit_record", "record_audit", ["record_id", "id"])
    op.create_table(
        "idempotency_keys",
        sa.Column("user_id", Id, nullable=False),
        sa.Column("key", sa.String(255), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("response", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("user_id", "key", name="pk_idempotency_keys"),
    )


def downgrade() -> None:
    op.drop_table("idempotency_keys")
    op.drop_table("record_audit")
    op.drop_table("records")
