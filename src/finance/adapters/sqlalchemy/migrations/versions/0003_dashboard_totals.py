"""dashboard totals per owner, day or month, type and category, backfilled from the records

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
SUMS = ("owner_id", "type", "category", "category_key", "total_cents", "record_count")


def _create(name: str, period: str) -> None:
    op.create_table(
        name,
        sa.Column("owner_id", Id, nullable=False),
        sa.Column(period, sa.Date(), nullable=False),
        sa.Column("type", sa.String(7), nullable=False),
        sa.Column("category", sa.String(100), nullable=False),
        sa.Column("category_key", sa.String(100), nullable=False),
        sa.Column("total_cents", sa.BigInteger(), nullable=False),
        sa.Column("record_count", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("owner_id", period, "type", "category", name=f"pk_{name}"),
    )
    op.create_index(f"ix_{name}_{period}", name, [period, "owner_id"])


def upgrade() -> None:
    _create("record_daily_totals", "day")
    _create("record_monthly_totals", "month")
    sql = "SUM(amount_cents), COUNT(*) FROM records WHERE is_deleted = {false}"
    dialect = op.get_bind().dialect.name
    false = "0" if dialect == "sqlite" else "false"
    month = (
        "date(day, 'start of month')"
        if dialect == "sqlite"
        else "CAST(date_trunc('month', day) AS DATE)"
    )
    columns = ", ".join(SUMS)
    keys = "owner_id, type, category, category_key"
    op.execute(
        f"INSERT INTO record_daily_totals (day, {columns}) "
        f"SELECT date, {keys}, {sql.format(false=false)} GROUP BY date, {keys}"
    )
    op.execute(
        f"INSERT INTO record_monthly_totals (month, {columns}) "  # noqa: S608 - constants only
        f"SELECT {month}, {keys}, SUM(total_cents), SUM(record_count) "
        f"FROM record_daily_totals GROUP BY {month}, {keys}"
    )


def downgrade() -> None:
    op.drop_table("record_monthly_totals")
    op.drop_table("record_daily_totals")
