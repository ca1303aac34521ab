"""SQLite's bulk path sets the records table's indexes aside for a large load and builds them
again before the unit of work commits; a rollback brings them back too. Migration 0004 mends
the times that bulk inserts used to store without microseconds."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from finance.adapters.sqlalchemy import bulk_insert
from finance.adapters.sqlalchemy.engine import build_engine
from finance.adapters.sqlalchemy.schema import upgrade_database
from finance.domain.money import Money
from finance.domain.records import Record, RecordType
from finance.domain.roles import Role
from finance.domain.users import User
from tests.conftest import Store

NOW = datetime(2026, 5, 17, 8, 30, tzinfo=UTC)


@pytest.fixture
def container(sqlite_store: Store) -> Any:
    container = sqlite_store.container()
    with container.uow() as uow:
        uow.users.add(User("o@example.com", "Owner", Role.ADMIN, "hash", date_joined=NOW))
        uow.commit()
    return container


def made(count: int) -> list[Record]:
    return [
        Record(
            amount=Money.from_cents(100 + n),
            type=RecordType.INCOME,
            category=f"Cat {n % 3}",
            date=date(2026, 1, 1 + n % 28),
            owner_id=1,
            created_by=1,
            created_at=NOW,
            updated_at=NOW,
        )
        for n in range(count)
    ]


def schema(container: Any) -> tuple[list[str], int]:
    """The records table's index definitions, and SQLite's schema version."""
    with container.engine().connect() as conn:
        indexes = conn.execute(
            text("SELECT sql FROM sqlite_master WHERE tbl_name = 'records' AND type = 'index'")
        ).scalars()
        version = conn.execute(text("PRAGMA schema_version")).scalar_one()
        return sorted(i for i in indexes if i), version


def stored(container: Any) -> int:
    with container.engine().connect() as conn:
        count: int = conn.execute(text("SELECT count(*) FROM records")).scalar_one()
        return count


def add_in_batches(uow: Any, records: list[Record], size: int = 3) -> None:
    for start in range(0, len(records), size):
        uow.records.add_many(records[start : start + size])


@pytest.fixture
def small_threshold(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bulk_insert, "MIN_ROWS_TO_REINDEX", 5)


@pytest.mark.usefixtures("small_threshold")
def test_a_large_load_sets_the_indexes_aside_and_builds_the_same_ones(container: Any) -> None:
    indexes, version = schema(container)
    assert len(indexes) == 5
    with container.uow() as uow:
        add_in_batches(uow, made(20))
        assert schema(container)[0] == indexes, "another connection still sees them"
        uow.commit()
    assert schema(container)[0] == indexes
    assert schema(container)[1] > version, "they were dropped and built again"
    assert stored(container) == 20


@pytest.mark.usefixtures("small_threshold")
def test_a_rolled_back_load_leaves_the_indexes_and_no_rows(container: Any) -> None:
    indexes, version = schema(container)
    with container.uow() as uow:
        add_in_batches(uow, made(20))
    assert schema(container) == (indexes, version)
    assert stored(container) == 0


def test_a_load_smaller_than_the_threshold_keeps_the_indexes(container: Any) -> None:
    before = schema(container)
    with container.uow() as uow:
        add_in_batches(uow, made(20))
        uow.commit()
    assert schema(container) == before
    assert stored(container) == 20


@pytest.mark.usefixtures("small_threshold")
def test_a_load_into_a_larger_table_keeps_the_indexes(container: Any) -> None:
    with container.uow() as uow:
        uow.records.add_many(made(30))
        uow.commit()
    before = schema(container)
    with container.uow() as uow:
        add_in_batches(uow, made(20))
        uow.commit()
    assert schema(container) == before
    assert stored(container) == 50


def test_migration_0004_gives_whole_second_times_their_microseconds(tmp_path: Path) -> None:
    engine = build_engine(f"sqlite:///{tmp_path / 'old.db'}")
    upgrade_database(engine, "0003")
    short, full = "2026-05-17 08:30:00", "2026-05-17 08:30:00.250000"
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO users (id, email, name, role, password_hash, is_active,"
                " token_version, date_joined) VALUES (1, 'o@example.com', 'O', 'admin', 'h', 1,"
                " 1, :full)"
            ),
            {"full": full},
        )
        for record_id, moment in ((1, short), (2, full)):
            conn.execute(
                text(
                    "INSERT INTO records VALUES (:id, 1, 1, 100, 'income', 'Pay', 'pay', '',"
                    " 'pay\x1f', '2026-05-01', :at, :at, 1, 1, :at)"
                ),
                {"id": record_id, "at": moment},
            )
            conn.execute(
                text(
                    "INSERT INTO record_audit (record_id, at, actor_id, action, changes)"
                    " VALUES (:id, :at, 1, 'imported', '{}')"
                ),
                {"id": record_id, "at": moment},
            )
    upgrade_database(engine)
    with engine.connect() as conn:
        stored = conn.execute(
            text(
                "SELECT r.created_at, r.updated_at, r.deleted_at, a.at FROM records r"
                " JOIN record_audit a ON a.record_id = r.id ORDER BY r.id"
            )
        ).all()
    engine.dispose()
    assert [tuple(row) for row in stored] == [(short + ".000000",) * 4, (full,) * 4]


def search(container: Any, term: str) -> list[int]:
    """Ids the trigram index finds for ``term`` (as the list does for three characters or more)."""
    with container.engine().connect() as conn:
        found = conn.execute(
            text("SELECT rowid FROM records_search WHERE search_key GLOB :p ORDER BY rowid"),
            {"p": f"*{term}*"},
        ).scalars()
        return list(found)


def triggers(container: Any) -> list[str]:
    with container.engine().connect() as conn:
        found = conn.execute(
            text("SELECT sql FROM sqlite_master WHERE tbl_name = 'records' AND type = 'trigger'")
        ).scalars()
        return sorted(found)


@pytest.mark.usefixtures("small_threshold")
def test_a_large_load_keeps_the_search_index_in_step(container: Any) -> None:
    with container.uow() as uow:
        uow.records.add_many(made(3))
        uow.commit()
    kept = triggers(container)
    assert len(kept) == 3
    with container.uow() as uow:
        add_in_batches(uow, made(20))
        assert triggers(container) == kept, "another connection still sees them"
        uow.commit()
    assert triggers(container) == kept, "the triggers are back"
    # "Cat 1": the second of the first three, and every third of the twenty from the fifth id.
    assert search(container, "cat 1") == [2, 5, 8, 11, 14, 17, 20, 23]
    # And they work again: an edit after the load reaches the index.
    with container.uow() as uow:
        record = uow.records.get(5)
        record.apply({"description": "after the load"}, NOW)
        uow.records.save(record)
        uow.commit()
    assert search(container, "after the") == [5]


@pytest.mark.usefixtures("small_threshold")
def test_a_rolled_back_load_leaves_nothing_in_the_search_index(container: Any) -> None:
    kept = triggers(container)
    with container.uow() as uow:
        add_in_batches(uow, made(20))
    assert triggers(container) == kept
    assert search(container, "cat") == []


def test_migration_0006_indexes_the_records_already_stored(tmp_path: Path) -> None:
    engine = build_engine(f"sqlite:///{tmp_path / 'old.db'}")
    upgrade_database(engine, "0005")
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO users (id, email, name, role, password_hash, is_active,"
                " token_version, date_joined) VALUES (1, 'o@example.com', 'O', 'admin', 'h', 1,"
                " 1, '2026-05-17 08:30:00.000000')"
            )
        )
        for record_id, key in ((1, "rent\x1fflat on main street"), (2, "food\x1fmarket")):
            conn.execute(
                text(
                    "INSERT INTO records (id, owner_id, created_by, amount_cents, type, category,"
                    " category_key, description, search_key, date, created_at, updated_at,"
                    " version, is_deleted) VALUES (:id, 1, 1, 100, 'expense', 'X', 'x', '',"
                    " :key, '2026-05-01', :at, :at, 1, 0)"
                ),
                {"id": record_id, "key": key, "at": "2026-05-17 08:30:00.000000"},
            )
    upgrade_database(engine)
    with engine.connect() as conn:
        found = conn.execute(
            text("SELECT rowid FROM records_search WHERE search_key GLOB '*main st*'")
        ).scalars()
        assert list(found) == [1]
    engine.dispose()
