"""Records use cases in-process over the memory adapter: the rules every caller gets."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from finance.adapters.memory.records import MemoryRecordStream
from finance.adapters.memory.store import MemoryStore
from finance.adapters.memory.unit_of_work import MemoryUnitOfWork
from finance.adapters.signed_cursors import SignedCursors
from finance.application.authorization import Actor
from finance.application.errors import (
    Conflict,
    Forbidden,
    ImportRejected,
    NotFound,
    PreconditionFailed,
)
from finance.application.pagination import PageRequest
from finance.application.records.create_record import CreateRecord, CreateRecordRequest
from finance.application.records.delete_record import DeleteRecord, DeleteRecordRequest
from finance.application.records.export_records import ExportRecords, ExportRecordsRequest
from finance.application.records.filters import Ordering, RecordFilter
from finance.application.records.get_record import GetRecord, GetRecordRequest
from finance.application.records.import_records import ImportRecords, ImportRecordsRequest
from finance.application.records.list_records import (
    ListDeletedRecords,
    ListRecords,
    ListRecordsRequest,
)
from finance.application.records.record_history import RecordHistory, RecordHistoryRequest
from finance.application.records.restore_record import RestoreRecord, RestoreRecordRequest
from finance.application.records.update_record import UpdateRecord, UpdateRecordRequest
from finance.domain.errors import InvalidValue
from finance.domain.money import Money
from finance.domain.records import Record, RecordType
from finance.domain.roles import Role
from tests.unit.conftest import FakeClock, Users

CODEC = SignedCursors("unit-test-secret")


class Records:
    """The records use cases over one memory store, as an admin or anyone else."""

    def __init__(self, uow: MemoryUnitOfWork, clock: FakeClock, admin: Actor) -> None:
        self.uow, self.clock, self.admin = uow, clock, admin

    def create(
        self, actor: Actor | None = None, key: str | None = None, **fields: object
    ) -> Record:
        values: dict[str, object] = {
            "amount": Money.parse("10.00"),
            "type": RecordType.EXPENSE,
            "category": "Food",
            "date": date(2026, 1, 15),
        }
        values.update(fields)
        request = CreateRecordRequest(actor=actor or self.admin, idempotency_key=key, **values)  # type: ignore[arg-type]
        return CreateRecord(self.uow, self.clock).execute(request)

    def list(self, actor: Actor, cursor: str | None = None, size: int = 20, **filters: object):  # type: ignore[no-untyped-def]
        request = ListRecordsRequest(actor, RecordFilter(**filters), PageRequest(1, size), cursor)  # type: ignore[arg-type]
        return ListRecords(self.uow, CODEC).execute(request)


@pytest.fixture
def records(uow: MemoryUnitOfWork, clock: FakeClock, admin_actor: Actor) -> Records:
    return Records(uow, clock, admin_actor)


def test_admin_creates_for_themselves_by_default_and_for_any_active_user(
    records: Records, users: Users, admin_actor: Actor
) -> None:
    own = records.create()
    viewer = users.add(Role.VIEWER)
    theirs = records.create(owner_id=viewer.id)
    assert (own.owner_id, own.created_by) == (admin_actor.user_id, admin_actor.user_id)
    assert (theirs.owner_id, theirs.created_by) == (viewer.id, admin_actor.user_id)


def test_owner_must_be_an_active_user(
    records: Records, users: Users, uow: MemoryUnitOfWork
) -> None:
    with pytest.raises(InvalidValue) as error:
        records.create(owner_id=999)
    assert error.value.field == "owner_id"
    gone = users.add()
    with uow:
        user = uow.users.get(gone.id or 0)
        assert user is not None
        user.deactivate()
        uow.users.save(user)
        uow.commit()
    with pytest.raises(InvalidValue):
        records.create(owner_id=gone.id)


@pytest.mark.parametrize("role", [Role.VIEWER, Role.ANALYST])
def test_only_admins_write(records: Records, users: Users, role: Role) -> None:
    actor = users.actor(users.add(role))
    with pytest.raises(Forbidden):
        records.create(actor=actor, owner_id=actor.user_id)
    own = records.create(owner_id=actor.user_id)
    with pytest.raises(Forbidden):
        UpdateRecord(records.uow, records.clock).execute(
            UpdateRecordRequest(actor, own.id or 0, {"category": "X"})
        )
    with pytest.raises(Forbidden):
        DeleteRecord(records.uow, records.clock).execute(DeleteRecordRequest(actor, own.id or 0))


def test_non_admins_see_only_their_own_and_others_are_not_found(
    records: Records, users: Users
) -> None:
    alice = users.actor(users.add(Role.ANALYST))
    bob = users.actor(users.add(Role.VIEWER))
    mine = records.create(owner_id=alice.user_id)
    theirs = records.create(owner_id=bob.user_id)
    get = GetRecord(records.uow)
    assert get.execute(GetRecordRequest(alice, mine.id or 0)).id == mine.id
    with pytest.raises(NotFound):
        get.execute(GetRecordRequest(alice, theirs.id or 0))
    with pytest.raises(NotFound):
        UpdateRecord(records.uow, records.clock).execute(
            UpdateRecordRequest(alice, theirs.id or 0, {"category": "X"})
        )
    with pytest.raises(NotFound):
        RecordHistory(records.uow).execute(RecordHistoryRequest(alice, theirs.id or 0))
    assert [r.id for r in records.list(alice).items] == [mine.id]
    with pytest.raises(Forbidden):
        records.list(alice, owner_id=bob.user_id)
    assert [r.id for r in records.list(records.admin, owner_id=bob.user_id).items] == [theirs.id]


def test_update_with_a_stale_version_changes_nothing(records: Records) -> None:
    record = records.create()
    update = UpdateRecord(records.uow, records.clock)
    updated = update.execute(
        UpdateRecordRequest(records.admin, record.id or 0, {"category": "Rent"}, expected_version=1)
    )
    assert (updated.category, updated.version) == ("Rent", 2)
    with pytest.raises(PreconditionFailed):
        update.execute(
            UpdateRecordRequest(
                records.admin, record.id or 0, {"category": "X"}, expected_version=1
            )
        )
    current = GetRecord(records.uow).execute(GetRecordRequest(records.admin, record.id or 0))
    assert (current.category, current.version) == ("Rent", 2)


def test_delete_restore_and_history(records: Records, clock: FakeClock) -> None:
    record = records.create(amount=Money.parse("5.00"))
    rid = record.id or 0
    clock.advance(minutes=1)
    UpdateRecord(records.uow, clock).execute(
        UpdateRecordRequest(records.admin, rid, {"amount": Money.parse("6.00")})
    )
    DeleteRecord(records.uow, clock).execute(DeleteRecordRequest(records.admin, rid))
    with pytest.raises(NotFound):
        GetRecord(records.uow).execute(GetRecordRequest(records.admin, rid))
    with pytest.raises(NotFound):
        DeleteRecord(records.uow, clock).execute(DeleteRecordRequest(records.admin, rid))
    deleted = ListDeletedRecords(records.uow, CODEC).execute(
        ListRecordsRequest(records.admin, RecordFilter(), PageRequest())
    )
    assert [r.id for r in deleted.items] == [rid]
    assert records.list(records.admin).items == []
    restored = RestoreRecord(records.uow, clock).execute(RestoreRecordRequest(records.admin, rid))
    assert (restored.is_deleted, restored.version) == (False, 4)
    with pytest.raises(NotFound):
        RestoreRecord(records.uow, clock).execute(RestoreRecordRequest(records.admin, rid))
    page = RecordHistory(records.uow).execute(RecordHistoryRequest(records.admin, rid))
    history = page.items
    assert page.total == 4
    assert [e.action.value for e in history] == ["created", "updated", "deleted", "restored"]
    assert history[1].changes == {"amount": ["5.00", "6.00"]}
    assert history[0].changes["amount"] == [None, "5.00"]


def test_idempotency_key_replays_the_first_record_and_refuses_another_body(
    records: Records, uow: MemoryUnitOfWork, clock: FakeClock
) -> None:
    first = records.create(key="k-1")
    again = records.create(key="k-1")
    assert again.id == first.id
    with pytest.raises(Conflict):
        records.create(key="k-1", amount=Money.parse("11.00"))
    assert len(records.list(records.admin).items) == 1
    clock.advance(hours=25)
    later = records.create(key="k-1", amount=Money.parse("11.00"))
    assert later.id != first.id


def test_cursor_pages_walk_every_record_once_in_order(records: Records) -> None:
    created = [
        records.create(date=date(2026, 1, 1 + i % 5), amount=Money.from_cents(100 + i))
        for i in range(23)
    ]
    for ordering in Ordering:
        seen: list[int] = []
        page = records.list(records.admin, size=5, ordering=ordering)
        seen += [r.id or 0 for r in page.items]
        while page.next_cursor:
            page = records.list(records.admin, cursor=page.next_cursor, size=5, ordering=ordering)
            assert page.total is None
            seen += [r.id or 0 for r in page.items]
        everything = records.list(records.admin, size=100, ordering=ordering)
        assert seen == [r.id for r in everything.items]
        assert sorted(seen) == sorted(r.id for r in created)


def test_a_cursor_is_refused_for_another_query_or_when_tampered(records: Records) -> None:
    for _ in range(3):
        records.create()
    cursor = records.list(records.admin, size=1).next_cursor
    assert cursor
    with pytest.raises(InvalidValue):
        records.list(records.admin, cursor=cursor, size=1, type=RecordType.INCOME)
    with pytest.raises(InvalidValue):
        records.list(records.admin, cursor=cursor[:-1] + ("0" if cursor[-1] != "0" else "1"))
    with pytest.raises(InvalidValue):
        records.list(records.admin, cursor="garbage")


def test_filters_combine(records: Records) -> None:
    records.create(category="Food", amount=Money.parse("5.00"), date=date(2026, 1, 1))
    match = records.create(
        category="food", amount=Money.parse("7.50"), date=date(2026, 2, 1), description="Tacos"
    )
    records.create(category="Rent", amount=Money.parse("7.50"), date=date(2026, 2, 1))
    records.create(type=RecordType.INCOME, category="Food", amount=Money.parse("7.50"))
    found = records.list(
        records.admin,
        type=RecordType.EXPENSE,
        category="FOOD",
        date_from=date(2026, 1, 15),
        date_to=date(2026, 2, 1),
        min_amount=Decimal("7.50"),
        max_amount=Decimal("7.50"),
        q="TACO",
    )
    assert [r.id for r in found.items] == [match.id]


def test_import_is_all_or_nothing_and_reports_each_bad_row(
    records: Records, uow: MemoryUnitOfWork, clock: FakeClock
) -> None:
    rows = [
        (2, ["2026-01-01", "income", "Pay", "100.00"]),
        (3, ["2026-13-01", "income", "Pay", "1.234"]),
        (4, ["2026-01-02", "gift", " ", "1.00"]),
        (5, ["2026-01-03", "income"]),
        (6, ["2026-01-04", "income", "Pay", "1.00", "extra"]),
    ]
    importer = ImportRecords(uow, clock)
    columns = ["date", "type", "category", "amount"]
    with pytest.raises(ImportRejected) as error:
        importer.execute(ImportRecordsRequest(records.admin, lambda: (columns, rows)))
    assert [(e.line, e.field) for e in error.value.errors] == [
        (3, "date"),
        (3, "amount"),
        (4, "type"),
        (4, "category"),
        (5, "category"),
        (5, "amount"),
        (6, "_row"),
    ]
    assert records.list(records.admin).items == []
    count = importer.execute(ImportRecordsRequest(records.admin, lambda: (columns, rows[:1])))
    assert count == 1
    imported = records.list(records.admin).items[0]
    history = RecordHistory(uow).execute(RecordHistoryRequest(records.admin, imported.id or 0))
    assert [e.action.value for e in history.items] == ["imported"]


def test_export_shows_what_the_actor_may_see_with_the_filters(
    records: Records, users: Users, store: MemoryStore
) -> None:
    viewer = users.actor(users.add(Role.VIEWER))
    mine = [records.create(owner_id=viewer.user_id, date=date(2026, 1, d)) for d in (1, 2, 3)]
    records.create()
    export = ExportRecords(MemoryRecordStream(store))
    got = list(export.execute(ExportRecordsRequest(viewer, RecordFilter())))
    assert [r.id for r in got] == [r.id for r in reversed(mine)]
    assert len(list(export.execute(ExportRecordsRequest(records.admin, RecordFilter())))) == 4
    with pytest.raises(Forbidden):
        export.execute(ExportRecordsRequest(viewer, RecordFilter(owner_id=records.admin.user_id)))


@pytest.mark.parametrize("key", ["", "k" * 256])
def test_an_idempotency_key_is_1_to_255_characters(records: Records, key: str) -> None:
    with pytest.raises(InvalidValue) as error:
        records.create(key=key)
    assert error.value.field == "Idempotency-Key"
    assert records.list(records.admin).items == []


def test_history_comes_a_page_at_a_time_oldest_first(records: Records, clock: FakeClock) -> None:
    rid = records.create().id or 0
    for n in range(4):
        UpdateRecord(records.uow, clock).execute(
            UpdateRecordRequest(records.admin, rid, {"description": f"take {n}"})
        )
    history = RecordHistory(records.uow)
    pages = [
        history.execute(RecordHistoryRequest(records.admin, rid, PageRequest(n, 2)))
        for n in (1, 2, 3, 4)
    ]
    assert [p.total for p in pages] == [5, 5, 5, 5]
    assert [[e.action.value for e in p.items] for p in pages] == [
        ["created", "updated"],
        ["updated", "updated"],
        ["updated"],
        [],
    ]
    assert pages[1].items[0].changes == {"description": ["take 0", "take 1"]}
