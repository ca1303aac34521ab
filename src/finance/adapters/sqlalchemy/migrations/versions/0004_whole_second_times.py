"""SQLite: times of bulk-inserted records and audit entries that fell on a whole second were
stored without their ".000000"; spell them as every other stored time, so they compare as text

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

TIMES = {"records": ("created_at", "updated_at", "deleted_at"), "record_audit": ("at",)}


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for name, columns in TIMES.items():
        for column in columns:
            table = sa.table(name, sa.column(column, sa.String()))
            time = table.c[column]
            op.execute(
                sa.update(table)
                .values({column: time + ".000000"})
                .where(sa.func.length(time) == 19)
            )


def downgrade() -> None:
    """Nothing to undo: the longer spelling is the one SQLAlchemy writes and reads."""
