"""`finance import FILE --owner EMAIL` through click's CliRunner, over SQLite."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from finance.application.authorization import Actor
from finance.application.pagination import PageRequest
from finance.application.records.filters import Ordering, RecordFilter, RecordQuery
from finance.application.users.create_user import CreateUserRequest
from finance.domain.roles import Role
from finance.entrypoints.cli import _Context, finance
from finance.main import Container, prepare_storage
from tests.conftest import PASSWORD, Store

HEADER = "date,type,category,amount,description,owner_id\n"


@pytest.fixture
def container(sqlite_store: Store) -> Container:
    container = sqlite_store.container()
    prepare_storage(container, sqlite_store.settings)
    return container


@pytest.fixture
def run(sqlite_store: Store, container: Container) -> Any:
    def invoke(*args: str) -> Result:
        settings = replace(sqlite_store.settings, admin_email="ops@example.com")
        context = _Context.of(settings, container, prepare_storage)
        return CliRunner().invoke(finance, list(args), obj=context, catch_exceptions=False)

    return invoke


@pytest.fixture
def people(container: Container) -> dict[str, int]:
    from finance.application.users.create_admin import CreateAdminRequest

    admin = container.create_admin().execute(CreateAdminRequest("ops@example.com", "Ops", PASSWORD))
    actor = Actor(admin.id, Role.ADMIN)
    ids = {"admin": admin.id}
    for role in (Role.VIEWER, Role.ANALYST):
        user = container.create_user().execute(
            CreateUserRequest(actor, f"{role.value}@example.com", role.value, PASSWORD, role)
        )
        ids[role.value] = user.id
    return ids


def stored(container: Container) -> list[Any]:
    with container.uow() as uow:
        query = RecordQuery(RecordFilter(ordering=Ordering.ID))
        return uow.records.find_page(query, PageRequest(1, 100)).items


def write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "records.csv"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_import_stores_rows_for_the_owner_with_audit(
    run: Any, container: Container, people: dict[str, int], tmp_path: Path
) -> None:
    text = (
        HEADER
        + "2026-01-05,expense,Food,12.50,Lunch,\n"
        + f"2026-01-06,income,Salary,2500,,{people['analyst']}\n"
    )
    result = run("import", write(tmp_path, text), "--owner", "VIEWER@example.com")
    assert result.exit_code == 0, result.output
    assert "Imported 2 records." in result.output
    records = stored(container)
    assert [(r.category, str(r.amount), r.owner_id) for r in records] == [
        ("Food", "12.50", people["viewer"]),
        ("Salary", "2500.00", people["analyst"]),
    ]
    assert {r.created_by for r in records} == {people["admin"]}
    with container.uow() as uow:
        history = uow.audit.for_record(records[0].id)
    assert [(h.action.value, h.actor_id) for h in history] == [("imported", people["admin"])]


def test_without_owner_the_rows_belong_to_the_actor(
    run: Any, container: Container, people: dict[str, int], tmp_path: Path
) -> None:
    result = run("import", write(tmp_path, HEADER + "2026-01-05,expense,Food,1,,\n"))
    assert result.exit_code == 0, result.output
    assert [r.owner_id for r in stored(container)] == [people["admin"]]


def test_bad_rows_are_listed_and_nothing_is_stored(
    run: Any, container: Container, people: dict[str, int], tmp_path: Path
) -> None:
    text = HEADER + "2026-01-05,expense,Food,1,,\n" + "2026-02-30,expense,Food,1.234,,\n"
    result = run("import", write(tmp_path, text), "--owner", "viewer@example.com")
    assert result.exit_code == 1
    assert "line 3, date:" in result.output
    assert "line 3, amount: Must have at most two decimal places." in result.output
    assert "nothing was imported" in result.output
    assert stored(container) == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--owner", "nobody@example.com"], "owner"),
        (["--actor", "viewer@example.com"], "permission"),
        (["--actor", "nobody@example.com"], "actor"),
    ],
)
def test_unknown_people_and_non_admin_actors_are_refused(
    run: Any,
    container: Container,
    people: dict[str, int],
    tmp_path: Path,
    args: list[str],
    message: str,
) -> None:
    result = run("import", write(tmp_path, HEADER + "2026-01-05,expense,Food,1,,\n"), *args)
    assert result.exit_code == 1
    assert message in result.output
    assert stored(container) == []


def test_a_file_that_is_not_utf8_is_refused(
    run: Any, container: Container, people: dict[str, int], tmp_path: Path
) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes(HEADER.encode() + "2026-01-05,expense,Caf\xe9,1,,\n".encode("latin-1"))
    result = run("import", str(path))
    assert result.exit_code == 1
    assert "not UTF-8" in result.output
    assert stored(container) == []
