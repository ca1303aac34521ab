"""API10:2023 Unsafe Consumption of APIs.

The one thing this API consumes from other systems is the CSV files they export, sent to
``POST /api/records/import/``; it treats them as untrusted. Formula text is stored as plain text
(and defused again on export), a UTF-8 byte order mark is accepted but any other encoding is a
422, a row that does not fit the header or is not well-formed CSV is a 422, columns naming fields
the server manages cannot set them, and in every refusal nothing at all is stored."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest

from tests.security.conftest import CSV_HEADER, EXPORT, World, assert_safe_error, send_csv

GOOD_ROW = "2026-01-05,expense,Food,12.50,Lunch,\r\n"


def _refused(world: World, data: str | bytes) -> dict[str, Any]:
    before = world.counts()
    body = assert_safe_error(send_csv(world.root, data), 422)
    assert world.counts() == before
    return body


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"], ids=repr)
def test_formula_text_is_stored_as_text_and_defused_on_export(world: World, start: str) -> None:
    owner = world.caller("viewer")
    formula = f'{start}cmd|" /C calc"!A0'
    quoted = formula.replace('"', '""')
    row = f'2026-01-05,expense,=SUM(1+1),1.00,"{quoted}",{owner.id}\r\n'
    response = send_csv(world.root, CSV_HEADER + row)
    assert response.status_code == 201, response.json
    (record,) = owner.get("/api/records/").json["results"]
    assert (record["category"], record["description"]) == ("=SUM(1+1)", formula)
    exported = owner.get(EXPORT).get_data(as_text=True)
    (cells,) = list(csv.DictReader(io.StringIO(exported, newline="")))
    assert (cells["category"], cells["description"]) == ("'=SUM(1+1)", f"'{formula}")


def test_a_utf8_byte_order_mark_is_accepted(world: World) -> None:
    owner = world.caller("viewer")
    data = "\ufeff".encode() + (CSV_HEADER + GOOD_ROW.replace(",\r\n", f",{owner.id}\r\n")).encode()
    response = send_csv(world.root, data)
    assert response.status_code == 201, response.json
    assert [r["category"] for r in owner.get("/api/records/").json["results"]] == ["Food"]


ENCODINGS = {
    "latin-1": (CSV_HEADER + "2026-01-05,expense,Caf\u00e9,1.00,,\r\n").encode("latin-1"),
    "UTF-16 with its BOM": (CSV_HEADER + GOOD_ROW).encode("utf-16"),
    "a truncated UTF-8 sequence": (CSV_HEADER + GOOD_ROW).encode() + b"\xe2\x82",
    "an overlong encoding": (CSV_HEADER + GOOD_ROW).encode().replace(b"Food", b"F\xc0\xafod"),
    "an encoded surrogate": (CSV_HEADER + GOOD_ROW).encode().replace(b"Food", b"\xed\xa0\x80"),
}


@pytest.mark.parametrize("data", ENCODINGS.values(), ids=ENCODINGS.keys())
def test_text_that_is_not_utf8_is_422_and_nothing_is_stored(world: World, data: bytes) -> None:
    _refused(world, data)


def test_a_row_with_more_fields_than_the_header_is_422_and_nothing_is_stored(
    world: World,
) -> None:
    extra = "2026-01-06,expense,Rent,900.00,Flat,,surplus\r\n"
    body = _refused(world, CSV_HEADER + GOOD_ROW + extra + GOOD_ROW)
    assert [e["line"] for e in body["errors"]] == [3]


def test_a_row_with_fewer_fields_than_the_header_needs_is_422(world: World) -> None:
    body = _refused(world, CSV_HEADER + GOOD_ROW + "2026-01-06,expense\r\n")
    assert {e["line"] for e in body["errors"]} == {3}
    assert {e["field"] for e in body["errors"]} == {"category", "amount"}


def test_an_unterminated_quote_is_422_not_rows_swallowed_into_one_cell(world: World) -> None:
    """Python's reader, unless strict, reads to the end of the file for the closing quote, so
    the rows after it would become one description and the import would answer 201 for fewer
    rows than were sent."""
    swallowing = '2026-01-06,expense,Rent,900.00,"Flat,\r\n'
    _refused(world, CSV_HEADER + GOOD_ROW + swallowing + GOOD_ROW + GOOD_ROW)


@pytest.mark.parametrize(
    "column", ["version", "is_deleted", "deleted_at", "updated_at", "recurring_id", "password"]
)
def test_a_column_naming_a_server_managed_field_is_422(world: World, column: str) -> None:
    header = CSV_HEADER.replace("\r\n", f",{column}\r\n")
    body = _refused(world, header + GOOD_ROW.replace("\r\n", ",1\r\n"))
    assert [(e["line"], e["field"]) for e in body["errors"]] == [(1, column)]


def test_the_columns_of_an_export_cannot_set_id_creator_or_creation_time(world: World) -> None:
    """An import accepts an export's own columns so that it imports again; their values are
    the old record's, and never become the new one's."""
    owner = world.caller("viewer")
    taken = world.record(owner.id)
    other_admin = world.caller("admin")
    header = "id,date,type,category,amount,description,owner_id,created_by,created_at\r\n"
    row = (
        f"{taken['id']},2026-01-05,expense,Food,1.00,Copied,{owner.id},{other_admin.id},"
        "2001-01-01T00:00:00+00:00\r\n"
    )
    response = send_csv(world.root, header + row)
    assert response.status_code == 201, response.json
    mine = owner.get("/api/records/", query_string={"q": "Copied"}).json["results"]
    assert len(mine) == 1
    (copy,) = mine
    assert copy["id"] != taken["id"]
    assert copy["created_by"] == world.root.id
    assert not copy["created_at"].startswith("2001")
    assert world.root.get(f"/api/records/{taken['id']}/").json == taken


@pytest.mark.parametrize("owner", ["inactive", "unknown"])
def test_a_row_for_an_owner_who_cannot_own_records_is_422(world: World, owner: str) -> None:
    user = world.new_user("viewer")
    if owner == "inactive":
        assert world.root.delete(f"/api/users/{user['id']}/").status_code == 204
        owner_id = user["id"]
    else:
        owner_id = 9_000_000_000
    body = _refused(world, CSV_HEADER + GOOD_ROW + f"2026-01-06,expense,Food,1.00,,{owner_id}\r\n")
    assert [(e["line"], e["field"]) for e in body["errors"]] == [(3, "owner_id")]
