"""an index for the substring search of records: FTS5 trigrams on SQLite, pg_trgm on PostgreSQL

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

# The index holds each record's search_key (already lower-cased the way the application
# compares), so trigrams are matched as they are (case_sensitive 1) and only rowids are kept
# (detail none): a GLOB over it answers substring queries of three characters or more.
SQLITE = [
    "CREATE VIRTUAL TABLE records_search USING fts5(search_key, content='records',"
    " content_rowid='id', tokenize='trigram case_sensitive 1', detail='none')",
    "CREATE TRIGGER records_search_insert AFTER INSERT ON records BEGIN"
    " INSERT INTO records_search(rowid, search_key) VALUES (new.id, new.search_key); END",
    "CREATE TRIGGER records_search_delete AFTER DELETE ON records BEGIN"
    " INSERT INTO records_search(records_search, rowid, search_key)"
    " VALUES ('delete', old.id, old.search_key); END",
    "CREATE TRIGGER records_search_update AFTER UPDATE OF search_key ON records BEGIN"
    " INSERT INTO records_search(records_search, rowid, search_key)"
    " VALUES ('delete', old.id, old.search_key);"
    " INSERT INTO records_search(rowid, search_key) VALUES (new.id, new.search_key); END",
    "INSERT INTO records_search(records_search) VALUES ('rebuild')",
]
EXTENSION_SCHEMA = "SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = :name"


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for statement in SQLITE:
            op.execute(statement)
    elif bind.dialect.name == "postgresql":
        # pg_trgm is a trusted extension: the database's owner may create it. It may be
        # installed in another schema than ours already, so its operator class is named with
        # its schema. LIKE (the list's query) is served by this index from three characters.
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        schema = bind.execute(sa.text(EXTENSION_SCHEMA), {"name": "pg_trgm"}).scalar_one()
        op.execute(
            "CREATE INDEX ix_records_search_key_trigrams ON records"
            f" USING gin (search_key {schema}.gin_trgm_ops)"
        )


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for trigger in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER records_search_{trigger}")
        op.execute("DROP TABLE records_search")
    elif dialect == "postgresql":
        op.execute("DROP INDEX ix_records_search_key_trigrams")
