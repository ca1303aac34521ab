"""budgets, recurring schedules and their occurrences, and the records they make

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from finance.adapters.sqlalchemy.tables import UTCDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "budgets",
        sa.Column("id", Id, primary_key=True),
        sa.Column("owner_id", Id, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("category", sa.String(100), nullable=False),
        sa.Column("category_key", sa.String(100), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("start_month", sa.Date(), nullable=False),
        sa.Column("end_month", sa.Date(), nullable=True),
        sa.Column("rollover", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
    )
    op.create_index(
        "ix_budgets_owner_category", "budgets", ["owner_id", "category_key", "start_month"]
    )
    op.create_table(
        "recurring_schedules",
        sa.Column("id", Id, primary_key=True),
        sa.Column("owner_id", Id, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("created_by", Id, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("type", sa.String(7), nullable=False),
        sa.Column("category", sa.String(100), nullable=False),
        sa.Column("category_key", sa.String(100), nullable=False),
        sa.Column("description", sa.String(1000), nullable=False),
        sa.Column("frequency", sa.String(7), nullable=False),
        sa.Column("interval", sa.Integer(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("count", sa.Integer(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("made_through", sa.Date(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
    )
    op.create_index("ix_recurring_schedules_owner", "recurring_schedules", ["owner_id", "active"])
    if op.get_bind().dialect.name == "sqlite":
        # SQLite takes a reference on a new column only when spelled in the ADD COLUMN itself.
        op.execute(
            "ALTER TABLE records ADD COLUMN recurring_id INTEGER "
            "REFERENCES recurring_schedules (id)"
        )
    else:
        op.add_column(
            "records",
            sa.Column(
                "recurring_id",
                Id,
                sa.ForeignKey(
                    "recurring_schedules.id", name="fk_records_recurring_id_recurring_schedules"
                ),
                nullable=True,
            ),
        )
    op.create_table(
        "recurring_occurrences",
        sa.Column("schedule_id", Id, sa.ForeignKey("recurring_schedules.id"), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("record_id", Id, sa.ForeignKey("records.id"), nullable=False),
        sa.PrimaryKeyConstraint("schedule_id", "date", name="pk_recurring_occurrences"),
    )


def downgrade() -> None:
    op.drop_table("recurring_occurrences")
    with op.batch_alter_table("records") as records:
        records.drop_column("recurring_id")
    op.drop_index("ix_recurring_schedules_owner", "recurring_schedules")
    op.drop_table("recurring_schedules")
    op.drop_index("ix_budgets_owner_category", "budgets")
    op.drop_table("budgets")
