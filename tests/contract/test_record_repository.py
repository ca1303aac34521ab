"""The record repository, audit log and idempotency store behave alike on memory, SQLite and
PostgreSQL: every attribute survives the round trip, and queries agree."""

from __future__ import annotations

from dataclasses import fields, replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import QueuePool, event

from finance.application.analytics.verify_statistics import VerifyStatisticsRequest
from finance.application.pagination import PageRequest
from finance.application.ports import UnitOfWork
from finance.application.records.filters import (
    KeysetPosition,
    Ordering,
    RecordFilter,
    RecordQuery,
    sort_value,
)
from finance.domain.money import Money
from finance.domain.records import AuditAction, AuditEntry, Record, RecordType
from finance.domain.roles import Role
from finance.domain.users import User
from tests.conftest import Store, adapter_unit_of_work, requires_postgres

NOW = datetime(2026, 5, 17, 8, 30, 15, 123456, tzinfo=UTC)


def assert_same(actual: Record | None, expected: Record) -> None:
    assert actual is not None
    for f in fields(Record):
        assert getattr(actual, f.name) == getattr(expected, f.name), f.name
    assert actual.created_at.utcoffset() == timedelta(0)


@pytest.fixture
def uow(any_store: Store) -> UnitOfWork:
    return adapter_unit_of_work(any_store.container())


def add_user(uow: UnitOfWork, email: str) -> int:
    with uow:
        user = uow.users.add(User(email, "Owner", Role.VIEWER, "hash", date_joined=NOW))
        uow.commit()
    assert user.id is not None
    return user.id


@pytest.fixture
def owners(uow: UnitOfWork) -> list[int]:
    return [add_user(uow, f"o{n}@example.com") for n in range(2)]


def new_record(owner: int, **changes: Any) -> Record:
    record = Record(
        amount=Money.parse("1234.56"),
        type=RecordType.EXPENSE,
        category="Groceries",
        date=date(2026, 5, 1),
        description="Weekly shop — café",
        owner_id=owner,
        created_by=owner,
        created_at=NOW,
        updated_at=NOW,
    )
    return replace(record, **changes)


def add(uow: UnitOfWork, *records: Record) -> list[Record]:
    with uow:
        stored = [uow.records.add(r) for r in records]
        uow.commit()
    return stored


def test_every_attribute_round_trips(uow: Any, owners: list[int]) -> None:
    [record] = add(uow, new_record(owners[0], amount=Money.parse("9999999999.99")))
    assert record.id is not None
    with uow:
        assert_same(uow.records.get(record.id), record)
    record.soft_delete(NOW + timedelta(seconds=1))
    record.apply({"category": "Food", "owner_id": owners[1]}, NOW + timedelta(seconds=2))
    with uow:
        uow.records.save(record)
        uow.commit()
    with uow:
        assert_same(uow.records.get(record.id, for_update=True), record)
        assert uow.records.get(record.id + 1000) is None


def test_nothing_is_kept_without_commit(uow: Any, owners: list[int]) -> None:
    with uow:
        record = uow.records.add(new_record(owners[0]))
    with uow:
        assert uow.records.get(record.id) is None


def test_add_many_returns_ids_in_order(uow: Any, owners: list[int]) -> None:
    batch = [new_record(owners[0], amount=Money.from_cents(c)) for c in (101, 202, 303)]
    with uow:
        stored = uow.records.add_many(batch)
        uow.commit()
    with uow:
        for record in stored:
            assert_same(uow.records.get(record.id), record)


def _seed(uow: UnitOfWork, owners: list[int]) -> list[Record]:
    specs = [
        (owners[0], "income", "Salary", "3000.00", date(2026, 1, 31), "January pay"),
        (owners[0], "expense", "Food", "12.30", date(2026, 1, 31), "Lunch"),
        (owners[0], "expense", "food", "7.70", date(2026, 2, 1), "Coffee 100%_off"),
        (owners[1], "expense", "Rent", "900.00", date(2026, 2, 1), ""),
        (owners[1], "income", "Gift", "0.01", date(2025, 12, 31), "from FOOD bank"),
        (owners[1], "expense", "Food", "12.30", date(2026, 3, 15), "Dinner"),
    ]
    records = [
        new_record(
            o,
            type=RecordType(t),
            category=c,
            amount=Money.parse(a),
            date=d,
            description=s,
            created_at=NOW + timedelta(minutes=i),
            updated_at=NOW,
        )
        for i, (o, t, c, a, d, s) in enumerate(specs)
    ]
    stored = add(uow, *records)
    deleted = stored[-1]
    deleted.soft_delete(NOW)
    with uow:
        uow.records.save(deleted)
        uow.commit()
    return stored


FILTERS = [
    RecordFilter(),
    RecordFilter(type=RecordType.EXPENSE),
    RecordFilter(type=RecordType.INCOME),
    RecordFilter(category="FOOD"),
    RecordFilter(date_from=date(2026, 1, 31), date_to=date(2026, 2, 1)),
    RecordFilter(date_from=date(2025, 12, 1), date_to=date(2026, 2, 28)),
    RecordFilter(date_from=date(2026, 2, 1)),
    RecordFilter(date_to=date(2026, 1, 31)),
    RecordFilter(
        type=RecordType.EXPENSE,
        category="food",
        date_from=date(2026, 1, 15),
        date_to=date(2026, 3, 15),
    ),
    RecordFilter(min_amount=Decimal("12.30"), max_amount=Decimal("900")),
    RecordFilter(min_amount=Decimal("12.30")),
    RecordFilter(max_amount=Decimal("12.30")),
    RecordFilter(min_amount=Decimal("7.695"), max_amount=Decimal("12.305")),
    RecordFilter(q="food"),
    RecordFilter(q="RENT"),
    RecordFilter(q="pay"),
    RecordFilter(category="food", q="COFFEE"),
    RecordFilter(q="100%_"),
    RecordFilter(q="%"),
    *[RecordFilter(ordering=o) for o in Ordering],
]


def brute_force(records: list[Record], query: RecordQuery) -> list[int | None]:
    """The ids the query must return, in order, worked out from the records' fields as the API
    contract words the filters, not with ``RecordFilter.matches`` or any adapter's code: the
    type; the category case-insensitively; the dates inclusive; the amount bounds compared in
    cents; ``q`` a case-insensitive substring of the description or of the category; the
    owner; ordered by the field (amounts by cents), ties by id in the same direction."""
    f = query.filter

    def kept(r: Record) -> bool:
        cents = r.amount.cents
        q = (f.q or "").lower()
        return (
            r.is_deleted == query.deleted
            and (f.type is None or r.type == f.type)
            and (f.category is None or r.category.lower() == f.category.lower())
            and (f.date_from is None or r.date >= f.date_from)
            and (f.date_to is None or r.date <= f.date_to)
            and (f.min_amount is None or cents >= f.min_amount * 100)
            and (f.max_amount is None or cents <= f.max_amount * 100)
            and (q in r.description.lower() or q in r.category.lower())
            and (f.owner_id is None or r.owner_id == f.owner_id)
        )

    name = f.ordering.value.removeprefix("-")

    def key(r: Record) -> tuple[Any, int]:
        value = r.amount.cents if name == "amount" else getattr(r, name)
        assert r.id is not None
        return (value, r.id)

    descending = f.ordering.value.startswith("-")
    return [r.id for r in sorted(filter(kept, records), key=key, reverse=descending)]


@pytest.mark.parametrize("flt", FILTERS, ids=repr)
def test_queries_filter_order_and_count_in_the_store(
    uow: UnitOfWork, owners: list[int], flt: RecordFilter
) -> None:
    """Each filter, for every owner and for none, over live and over deleted records, against
    the brute-force answer; with ties in date, amount, category and creation time."""
    ties = new_record(
        owners[0],
        amount=Money.parse("12.30"),
        category="FOOD",
        date=date(2026, 1, 31),
        description="food truck",
    )
    stored = _seed(uow, owners) + add(uow, ties)
    for owner_id in (None, *owners):
        for deleted in (False, True):
            query = RecordQuery(replace(flt, owner_id=owner_id), deleted)
            expected = brute_force(stored, query)
            with uow:
                page = uow.records.find_page(query, PageRequest(1, 100))
                second = uow.records.find_page(query, PageRequest(2, 2))
            assert [r.id for r in page.items] == expected, query
            assert page.total == len(expected), query
            assert [r.id for r in second.items] == expected[2:4], query
            assert second.total == len(expected), query


COUNTED = [
    RecordFilter(),
    RecordFilter(type=RecordType.INCOME),
    RecordFilter(category="groceries", date_from=date(2026, 5, 1), date_to=date(2026, 5, 31)),
]


@pytest.mark.parametrize("flt", COUNTED, ids=repr)
def test_page_counts_are_exact_within_a_unit_of_work(
    uow: UnitOfWork, owners: list[int], flt: RecordFilter
) -> None:
    """``total`` counts what the query matches, this unit of work's own writes included: a
    store that reads it from totals must not lag behind its own adds, changes and deletes."""
    records = _seed(uow, owners)
    query = RecordQuery(flt)
    page = PageRequest(1, 100)
    with uow:
        before = uow.records.find_page(query, page).total
        added = uow.records.add_many(
            [new_record(owners[0]), new_record(owners[1], type=RecordType.INCOME)]
        )
        assert uow.records.find_page(query, page).total == len(
            brute_force([*records, *added], query)
        )
        live = [r for r in [*records, *added] if not r.is_deleted and r.id is not None]
        changed = uow.records.get(live[0].id or 0)
        assert changed is not None
        changed.soft_delete(NOW)
        uow.records.save(changed)
        now_visible = [r if r.id != changed.id else changed for r in [*records, *added]]
        assert uow.records.find_page(query, page).total == len(brute_force(now_visible, query))
    with uow:
        assert uow.records.find_page(query, page).total == before, "rolled back"


@pytest.mark.parametrize("ordering", list(Ordering))
def test_keyset_pages_follow_the_order(uow: Any, owners: list[int], ordering: Ordering) -> None:
    _seed(uow, owners)
    query = RecordQuery(RecordFilter(ordering=ordering))
    with uow:
        everything = uow.records.find_page(query, PageRequest(1, 100)).items
        walked: list[Record] = []
        after = None
        while True:
            batch = uow.records.find_after(query, after, 2)
            walked += batch
            if len(batch) < 2:
                break
            after = KeysetPosition(sort_value(batch[-1], ordering), batch[-1].id)
    assert [r.id for r in walked] == [r.id for r in everything]


def test_deleted_and_owner_scoped_queries(uow: Any, owners: list[int]) -> None:
    stored = _seed(uow, owners)
    with uow:
        deleted = uow.records.find_page(RecordQuery(RecordFilter(), deleted=True), PageRequest())
        mine = uow.records.find_page(RecordQuery(RecordFilter(owner_id=owners[1])), PageRequest())
    assert [r.id for r in deleted.items] == [stored[-1].id]
    assert deleted.total == 1
    assert {r.id for r in mine.items} == {stored[3].id, stored[4].id}
    assert mine.total == 2


def test_audit_entries_come_back_oldest_first(uow: Any, owners: list[int]) -> None:
    [record] = add(uow, new_record(owners[0]))
    assert record.id is not None
    created = AuditEntry.of_creation(record, owners[0])
    updated = AuditEntry(
        record.id, NOW, owners[1], AuditAction.UPDATED, {"amount": ["1.00", "2.00"]}
    )
    with uow:
        uow.audit.add(created)
        uow.audit.add_many([updated])
        uow.commit()
    with uow:
        entries = uow.audit.for_record(record.id)
    assert [(e.action, e.actor_id, e.changes, e.at) for e in entries] == [
        (created.action, created.actor_id, created.changes, created.at),
        (updated.action, updated.actor_id, updated.changes, updated.at),
    ]


def test_idempotency_keys_reserve_once_and_replay_the_record(uow: Any, owners: list[int]) -> None:
    since = NOW - timedelta(hours=24)
    with uow:
        assert uow.idempotency.get(owners[0], "k", since) is None
        assert uow.idempotency.reserve(owners[0], "k", "fp", NOW, since)
        record = uow.records.add(new_record(owners[0]))
        uow.idempotency.complete(owners[0], "k", record)
        uow.commit()
    with uow:
        assert not uow.idempotency.reserve(owners[0], "k", "fp", NOW, since)
        assert uow.idempotency.reserve(owners[1], "k", "fp", NOW, since)
        result = uow.idempotency.get(owners[0], "k", since)
    assert result is not None and result.fingerprint == "fp"
    assert_same(result.record, record)
    later = NOW + timedelta(hours=25)
    with uow:
        assert uow.idempotency.get(owners[0], "k", later - timedelta(hours=24)) is None
        assert uow.idempotency.reserve(owners[0], "k", "fp2", later, later - timedelta(hours=24))


@pytest.mark.parametrize("copies", [1, 40], ids=["a few rows", "enough for COPY"])
def test_bulk_adds_store_records_and_entries_as_given_in_order(
    any_store: Store, uow: Any, owners: list[int], copies: int
) -> None:
    """What an import hands over, batch by batch: the records come back with their ids in
    order, and each entry is stored as given, whatever its text holds (PostgreSQL is sent a
    COPY from a hundred rows, an INSERT below)."""
    [before] = add(uow, new_record(owners[1]))
    spellings = [
        ("0.05", "plain"),
        ("10.00", 'quote " and backslash \\ and tab \t'),
        ("9999999999.99", "café — ünïcode"),
        ("0.10", "line\nbreak\r\nand \\N, COPY's null, and \\."),
        ("1234.50", ""),
    ]
    made = [
        new_record(owners[n % 2], amount=Money.parse(a), description=d, category=f"Cat {n}")
        for n, (a, d) in enumerate(spellings * copies)
    ]
    with uow:
        first = uow.records.add_many(made[:-1])
        second = uow.records.add_many(made[-1:])
        stored_ids = [r.id for r in [*first, *second]]
        uow.audit.add_many(
            [AuditEntry.of_creation(r, owners[0], AuditAction.IMPORTED) for r in [*first, *second]]
        )
        uow.commit()
    assert stored_ids == sorted(set(stored_ids)) and stored_ids[0] > (before.id or 0)
    with uow:
        pages = [
            uow.records.find_page(
                RecordQuery(RecordFilter(ordering=Ordering.ID)), PageRequest(page, 100)
            ).items
            for page in range(1, 4)
        ]
        stored = [r for page in pages for r in page if r.id != before.id]
        histories = [uow.audit.for_record(r.id) for r in stored]
        assert uow.audit.for_record(before.id) == []
    assert [r.id for r in stored] == stored_ids
    for record, expected, history in zip(stored, made, histories, strict=True):
        assert_same(record, replace(expected, id=record.id))
        assert [(e.action, e.actor_id, e.at, e.changes) for e in history] == [
            (
                AuditAction.IMPORTED,
                owners[0],
                expected.created_at,
                {name: [None, value] for name, value in expected.snapshot().items()},
            )
        ]
    report = any_store.container().verify_statistics().execute(VerifyStatisticsRequest())
    assert report.differences == []


def test_bulk_and_single_adds_page_together_by_a_shared_whole_second(
    uow: Any, owners: list[int]
) -> None:
    whole_second = NOW.replace(microsecond=0)
    made = [
        new_record(owners[0], created_at=whole_second, updated_at=whole_second) for _ in range(4)
    ]
    add(uow, made[0])
    with uow:
        imported = uow.records.add_many(made[1:3])
        uow.audit.add_many([AuditEntry.of_creation(r, r.created_by) for r in imported])
        uow.records.add_many([made[3]])
        uow.commit()
    query = RecordQuery(RecordFilter(ordering=Ordering.CREATED_AT))
    with uow:
        everything = [r.id for r in uow.records.find_page(query, PageRequest(1, 100)).items]
        walked: list[int | None] = []
        after = None
        while batch := uow.records.find_after(query, after, 1):
            walked += [r.id for r in batch]
            after = KeysetPosition(whole_second, batch[-1].id or 0)
        entries = [e.at for r in everything for e in uow.audit.for_record(r or 0)]
    assert len(everything) == 4
    assert walked == everything
    assert entries == [whole_second, whole_second]


def test_the_stream_reads_each_query_in_its_order(any_store: Store) -> None:
    container = any_store.container()
    uow = container.uow()
    owners = [add_user(uow, f"s{n}@example.com") for n in range(2)]
    stored = _seed(uow, owners)
    stream = container.record_stream()
    for flt in [*FILTERS, RecordFilter(owner_id=owners[1])]:
        query = RecordQuery(flt)
        with uow:
            expected = uow.records.find_page(query, PageRequest(1, 100)).items
        streamed = list(stream.read(query))
        assert [r.id for r in streamed] == [r.id for r in expected], flt
    deleted = list(stream.read(RecordQuery(RecordFilter(), deleted=True)))
    assert [r.id for r in deleted] == [stored[-1].id]
    assert_same(deleted[0], stored[-1])


@requires_postgres
def test_on_postgresql_the_stream_uses_a_server_side_cursor(postgres_store: Store) -> None:
    container = postgres_store.container()
    with container.uow() as uow:
        owner = uow.users.add(User("o@example.com", "O", Role.VIEWER, "hash", date_joined=NOW))
        uow.records.add(new_record(owner.id))
        uow.commit()
    cursors: list[type] = []

    def note(_conn: Any, cursor: Any, *_: Any) -> None:
        cursors.append(type(cursor))

    event.listen(container.engine(), "before_cursor_execute", note)
    records = list(container.record_stream().read(RecordQuery(RecordFilter())))
    event.remove(container.engine(), "before_cursor_execute", note)
    assert len(records) == 1
    assert [c.__name__ for c in cursors] == ["ServerCursor"]


def test_a_stream_gives_its_connection_back_when_closed_early_or_read_out(
    any_store: Store,
) -> None:
    if any_store.name == "memory":
        pytest.skip("the memory store has no connections")
    container = any_store.container()
    uow = container.uow()
    owner = add_user(uow, "s@example.com")
    add(uow, *[new_record(owner) for _ in range(3)])
    pool = container.engine().pool
    assert isinstance(pool, QueuePool)
    query = RecordQuery(RecordFilter())
    opened = container.record_stream().read(query)
    assert pool.checkedout() == 1
    next(opened)
    opened.close()
    assert pool.checkedout() == 0
    assert len(list(container.record_stream().read(query))) == 3
    assert pool.checkedout() == 0
