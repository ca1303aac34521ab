"""CSV import and export over HTTP: limits, every 4xx, all-or-nothing, scope, the formula guard."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from flask import Flask

from finance.adapters.sqlalchemy import bulk_insert, record_stream
from finance.application.records import import_records
from finance.entrypoints.csv_io import EXPORT_COLUMNS
from tests.conftest import ADMIN_EMAIL, Api, Factory, Store, build_test_app, ensure_admin, login
from tests.http.assertions import assert_error

HEADER = "date,type,category,amount,description,owner_id\r\n"
IMPORT = "/api/records/import/"
EXPORT = "/api/records/export/"


def send_csv(api: Api, text: str, **kw: Any) -> Any:
    return api.post(IMPORT, data=text.encode(), content_type="text/csv", **kw)


def rows_of(response: Any) -> list[dict[str, str]]:
    assert response.status_code == 200, response.get_data(as_text=True)
    text = response.get_data(as_text=True)
    reader = csv.DictReader(io.StringIO(text, newline=""))
    assert reader.fieldnames == EXPORT_COLUMNS
    return list(reader)


def count(api: Api, **filters: Any) -> int:
    response = api.get("/api/records/", query_string={"page_size": 1, **filters})
    assert response.status_code == 200, response.json
    return int(response.json["count"])


def create(admin: Api, **fields: Any) -> dict[str, Any]:
    body = {"amount": "10.00", "type": "expense", "category": "Food", "date": "2026-01-10"}
    body.update(fields)
    response = admin.post("/api/records/", json=body)
    assert response.status_code == 201, response.json
    return response.json  # type: ignore[no-any-return]


# --- import -------------------------------------------------------------------------------


def test_import_stores_every_row_with_an_imported_audit_entry(
    admin: Api, make_user: Factory
) -> None:
    owner = make_user("viewer").user
    text = (
        HEADER
        + "2026-01-05,expense,Food,12.50,Lunch,\r\n"
        + f"2026-01-06,income, Salary ,2500,,{owner['id']}\r\n"
        + "\r\n"
        + '2026-01-07,EXPENSE,Rent,700.1,"Flat, March",\r\n'
    )
    response = send_csv(admin, text)
    assert response.status_code == 201, response.json
    assert response.json == {"imported": 3}
    listed = admin.get("/api/records/", query_string={"ordering": "date"}).json["results"]
    assert [
        (r["date"], r["type"], r["category"], r["amount"], r["description"]) for r in listed
    ] == [
        ("2026-01-05", "expense", "Food", "12.50", "Lunch"),
        ("2026-01-06", "income", "Salary", "2500.00", ""),
        ("2026-01-07", "expense", "Rent", "700.10", "Flat, March"),
    ]
    assert [r["owner_id"] for r in listed] == [admin.user["id"], owner["id"], admin.user["id"]]
    assert {r["created_by"] for r in listed} == {admin.user["id"]}
    history = admin.get(f"/api/records/{listed[1]['id']}/history/").json["results"]
    assert [(h["action"], h["actor_id"]) for h in history] == [("imported", admin.user["id"])]
    assert history[0]["changes"]["amount"] == [None, "2500.00"]
    assert history[0]["changes"]["owner_id"] == [None, owner["id"]]


def test_import_default_owner_from_the_query_and_multipart_upload(
    admin: Api, make_user: Factory
) -> None:
    owner = make_user("analyst").user
    data = {"file": (io.BytesIO((HEADER + "2026-02-01,expense,Food,3.00,,\r\n").encode()), "a.csv")}
    response = admin.post(
        IMPORT,
        data=data,
        content_type="multipart/form-data",
        query_string={"owner_id": owner["id"]},
    )
    assert response.status_code == 201, response.json
    assert count(admin, owner_id=owner["id"]) == 1


def test_a_byte_order_mark_and_header_spaces_are_accepted(admin: Api) -> None:
    text = "\ufeffdate , type,category,amount\n2026-02-01,expense,Food,3\n"
    response = send_csv(admin, text)
    assert response.status_code == 201, response.json


def test_bad_rows_are_all_reported_and_nothing_is_stored(admin: Api) -> None:
    text = (
        HEADER
        + "2026-01-05,expense,Food,12.50,,\r\n"
        + "2026-13-01,expense,Food,12.50,,\r\n"
        + "2026-01-05,gift,,1e3,,\r\n"
        + "2026-01-05,expense,Food,0.001,,\r\n"
        + "2026-01-05,expense,Food,-5,,\r\n"
        + "2026-01-05,expense,Food,5,,99999\r\n"
        + "2026-01-05,expense,Food,5,,abc\r\n"
        + "2026-01-05,expense,Food\r\n"
        + "2026-01-05,expense,Food,5,,,extra\r\n"
        + "2026-01-05,expense,"
        + "x" * 101
        + ",5,,\r\n"
        + "2026-01-05,expense,Food,5,"
        + "d" * 1001
        + ",\r\n"
    )
    response = send_csv(admin, text)
    body = assert_error(response, 422)
    problems = [(e["line"], e["field"]) for e in body["errors"]]
    assert problems == [
        (3, "date"),
        (4, "type"),
        (4, "category"),
        (4, "amount"),
        (5, "amount"),
        (6, "amount"),
        (7, "owner_id"),
        (8, "owner_id"),
        (9, "amount"),
        (10, "_row"),
        (11, "category"),
        (12, "description"),
    ]
    assert all(isinstance(e["message"], str) and e["message"] for e in body["errors"])
    assert set(body["errors"][0]) == {"line", "field", "message"}
    assert count(admin) == 0


def test_at_most_100_errors_are_reported(admin: Api) -> None:
    text = HEADER + "".join("2026-01-05,expense,Food,zero,,\r\n" for _ in range(150))
    body = assert_error(send_csv(admin, text), 422)
    assert len(body["errors"]) == 100
    assert body["errors"][0]["line"] == 2 and body["errors"][-1]["line"] == 101


def test_a_bad_row_after_many_good_batches_still_stores_nothing(
    app: Flask, admin: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Batches are stored, and SQLite's indexes set aside, before the bad row is read.
    monkeypatch.setattr(import_records, "BATCH_SIZE", 500)
    monkeypatch.setattr(bulk_insert, "MIN_ROWS_TO_REINDEX", 1000)
    good = "".join(f"2026-01-{1 + i % 28:02d},expense,Food,{i + 1}.00,,\r\n" for i in range(4500))
    response = send_csv(admin, HEADER + good + "2026-01-05,expense,Food,oops,,\r\n")
    body = assert_error(response, 422)
    assert body["errors"] == [
        {"line": 4502, "field": "amount", "message": body["errors"][0]["message"]}
    ]
    assert count(admin) == 0


@pytest.mark.parametrize(
    ("text", "fields"),
    [
        ("date,type,category\r\n2026-01-05,expense,Food\r\n", {"amount"}),
        ("date,type,category,amount,colour\r\n2026-01-05,expense,Food,1,red\r\n", {"colour"}),
        ("date,type,category,amount,amount\r\n2026-01-05,expense,Food,1,2\r\n", {"amount"}),
        ("", {"date", "type", "category", "amount"}),
    ],
)
def test_a_bad_header_is_reported_on_line_1(admin: Api, text: str, fields: set[str]) -> None:
    body = assert_error(send_csv(admin, text), 422)
    assert {e["field"] for e in body["errors"]} == fields
    assert {e["line"] for e in body["errors"]} == {1}
    assert count(admin) == 0


def test_an_inactive_default_owner_is_422(admin: Api, make_user: Factory) -> None:
    owner = make_user("viewer").user
    assert admin.delete(f"/api/users/{owner['id']}/").status_code == 204
    response = send_csv(
        admin, HEADER + "2026-01-05,expense,Food,1,,\r\n", query_string={"owner_id": owner["id"]}
    )
    body = assert_error(response, 422)
    assert body["errors"][0]["field"] == "owner_id"
    assert count(admin) == 0


@pytest.mark.parametrize(
    ("content_type", "data"),
    [
        ("application/json", b'{"date": "2026-01-05"}'),
        ("application/octet-stream", b"date,type,category,amount\n"),
        ("image/png", b"\x89PNG"),
        (None, b"date,type,category,amount\n"),
    ],
)
def test_a_body_that_is_not_csv_is_415(admin: Api, content_type: str | None, data: bytes) -> None:
    response = admin.post(IMPORT, data=data, content_type=content_type)
    assert_error(response, 415)
    assert count(admin) == 0


def test_text_that_is_not_utf8_is_422(admin: Api) -> None:
    response = admin.post(IMPORT, data=b"date,type\n\xff\xfe\xfa", content_type="text/csv")
    assert_error(response, 422)


def large_upload(rows: int, last_description: str = "") -> str:
    """Well over a megabyte (kept in a temporary file, read in 64 KiB chunks), with a
    description of two-byte characters on every row so that some fall across the chunks'
    edges."""
    lines = [HEADER]
    for n in range(rows):
        lines.append(f"2026-01-{1 + n % 28:02d},expense,Food,{n + 1}.00,café ünï row {n},\r\n")
    lines.append(f"2026-02-01,expense,Food,1.00,{last_description},\r\n")
    return "".join(lines)


@pytest.mark.parametrize("as_multipart", [False, True], ids=["body", "multipart"])
def test_a_large_upload_imports_every_row_as_sent(admin: Api, as_multipart: bool) -> None:
    text = large_upload(40_000, last_description="the last — row")
    assert len(text.encode()) > 2 * 1024 * 1024
    if as_multipart:
        response = admin.post(
            IMPORT,
            data={"file": (io.BytesIO(text.encode()), "records.csv")},
            content_type="multipart/form-data",
        )
    else:
        response = send_csv(admin, text)
    assert response.status_code == 201, response.json
    assert response.json == {"imported": 40_001}
    found = admin.get("/api/records/", query_string={"q": "ünï row 39999"}).json["results"]
    assert [r["description"] for r in found] == ["café ünï row 39999"]
    assert count(admin, q="the last — row") == 1


def test_a_byte_that_is_not_utf8_deep_in_a_large_upload_is_422_and_stores_nothing(
    admin: Api,
) -> None:
    body = large_upload(30_000).encode() + b"2026-02-02,expense,Food,1.00,caf\xe9,\r\n"
    response = admin.post(IMPORT, data=body, content_type="text/csv")
    body_error = assert_error(response, 422)
    assert body_error["errors"] == {"body": {"file": ["Must be UTF-8 text."]}}
    assert count(admin) == 0


def test_multipart_without_the_file_field_is_422(admin: Api) -> None:
    response = admin.post(IMPORT, data={"other": "x"}, content_type="multipart/form-data")
    assert_error(response, 422)


@pytest.mark.parametrize("role", ["viewer", "analyst"])
def test_only_admins_import(make_user: Factory, admin: Api, role: str) -> None:
    user = make_user(role)
    assert_error(send_csv(user, HEADER + "2026-01-05,expense,Food,1,,\r\n"), 403)
    assert_error(user.post(IMPORT, data=b"{}", content_type="application/json"), 403)
    assert count(admin) == 0


def test_import_needs_a_token(anonymous: Api) -> None:
    assert_error(send_csv(anonymous, HEADER), 401)


def test_a_body_over_the_limit_is_413_and_stores_nothing(sqlite_store: Store) -> None:
    app = build_test_app(sqlite_store, max_import_mb=1)
    ensure_admin(app)
    client = app.test_client()
    admin = Api(client, login(client, ADMIN_EMAIL)["access"])
    row = "2026-01-05,expense,Food,12.50,Some lunch with friends,\r\n"
    text = HEADER + row * (1024 * 1024 // len(row) + 1)
    assert len(text) > 1024 * 1024
    assert_error(send_csv(admin, text), 413)
    upload = {"file": (io.BytesIO(text.encode()), "big.csv")}
    assert_error(admin.post(IMPORT, data=upload, content_type="multipart/form-data"), 413)
    assert count(admin) == 0
    below = HEADER + row * 1000
    assert send_csv(admin, below).status_code == 201
    assert count(admin) == 1000


# --- export -------------------------------------------------------------------------------


def test_export_headers_and_columns(admin: Api) -> None:
    record = create(admin, description="Lunch")
    response = admin.get(EXPORT)
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment")
    assert 'filename="records.csv"' in disposition
    assert response.is_streamed
    rows = rows_of(response)
    assert rows == [
        {
            "id": str(record["id"]),
            "date": "2026-01-10",
            "type": "expense",
            "category": "Food",
            "amount": "10.00",
            "description": "Lunch",
            "owner_id": str(admin.user["id"]),
            "created_by": str(admin.user["id"]),
            "created_at": rows[0]["created_at"],
        }
    ]
    assert rows[0]["created_at"].endswith("+00:00")


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_cells_that_look_like_formulas_are_quoted(admin: Api, start: str) -> None:
    """OWASP's list of formula starts; a category is trimmed, so a tab or CR can only lead a
    description."""
    category = f"{start}cmd|' /C calc'!A0" if start.strip() else "Tabbed"
    create(admin, category=category, description=f"{start}HYPERLINK(1)")
    create(admin, category="Safe", description="a=b, c+d, e-f, g@h")
    rows = {r["category"]: r for r in rows_of(admin.get(EXPORT))}
    quoted = rows[f"'{category}" if start.strip() else category]
    assert quoted["description"] == f"'{start}HYPERLINK(1)"
    assert rows["Safe"]["description"] == "a=b, c+d, e-f, g@h"


def test_export_scope_follows_the_role(admin: Api, make_user: Factory) -> None:
    viewer, analyst = make_user("viewer"), make_user("analyst")
    create(admin, owner_id=viewer.user["id"], category="V")
    create(admin, owner_id=analyst.user["id"], category="A")
    create(admin, category="Admin")
    assert sorted(r["category"] for r in rows_of(admin.get(EXPORT))) == ["A", "Admin", "V"]
    assert [r["category"] for r in rows_of(viewer.get(EXPORT))] == ["V"]
    assert [r["category"] for r in rows_of(analyst.get(EXPORT))] == ["A"]
    own = viewer.get(EXPORT, query_string={"owner_id": viewer.user["id"]})
    assert [r["category"] for r in rows_of(own)] == ["V"]
    one = admin.get(EXPORT, query_string={"owner_id": analyst.user["id"]})
    assert [r["category"] for r in rows_of(one)] == ["A"]
    assert_error(viewer.get(EXPORT, query_string={"owner_id": analyst.user["id"]}), 403)


def test_export_needs_a_token(anonymous: Api) -> None:
    assert_error(anonymous.get(EXPORT), 401)


def test_export_applies_the_filters_and_ordering_of_the_list(admin: Api) -> None:
    create(admin, category="Food", amount="5.00", date="2026-01-01", description="bread")
    create(admin, category="food", amount="50.00", date="2026-02-01", description="party")
    create(admin, category="Rent", amount="700.00", date="2026-02-02")
    create(admin, type="income", category="Salary", amount="2000.00", date="2026-02-03")
    gone = create(admin, category="Food", amount="7.00", date="2026-01-15")
    assert admin.delete(f"/api/records/{gone['id']}/").status_code == 204

    def amounts(**query: Any) -> list[str]:
        return [r["amount"] for r in rows_of(admin.get(EXPORT, query_string=query))]

    assert amounts() == ["2000.00", "700.00", "50.00", "5.00"]
    assert amounts(category="FOOD") == ["50.00", "5.00"]
    assert amounts(type="income") == ["2000.00"]
    assert amounts(date_from="2026-02-01", date_to="2026-02-02") == ["700.00", "50.00"]
    assert amounts(min_amount="10", max_amount="700") == ["700.00", "50.00"]
    assert amounts(q="PART") == ["50.00"]
    assert amounts(ordering="amount") == ["5.00", "50.00", "700.00", "2000.00"]
    assert_error(admin.get(EXPORT, query_string={"type": "gift"}), 422)
    assert_error(
        admin.get(EXPORT, query_string={"date_from": "2026-03-01", "date_to": "2026-01-01"}), 422
    )


def test_export_streams_every_record_across_batches(
    admin: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(record_stream, "STREAM_BATCH_SIZE", 7)
    text = HEADER + "".join(
        f"2026-01-{1 + i % 3:02d},expense,Food,{i + 1}.00,,\r\n" for i in range(50)
    )
    assert send_csv(admin, text).status_code == 201
    rows = rows_of(admin.get(EXPORT))
    assert len(rows) == 50
    keys = [(r["date"], int(r["id"])) for r in rows]
    assert keys == sorted(keys, reverse=True)
    assert len({r["id"] for r in rows}) == 50


def test_an_export_imports_again_as_new_records(admin: Api) -> None:
    first = create(admin, description="Lunch", category="Food", amount="12.50")
    exported = admin.get(EXPORT)
    assert exported.status_code == 200
    response = send_csv(admin, exported.get_data(as_text=True))
    assert response.status_code == 201, response.json
    assert response.json == {"imported": 1}
    copies = [r for r in rows_of(admin.get(EXPORT)) if r["id"] != str(first["id"])]
    assert [(r["date"], r["category"], r["amount"], r["description"]) for r in copies] == [
        (first["date"], "Food", "12.50", "Lunch")
    ]


def test_an_export_closed_early_ends_its_read(admin: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    rows = "".join(f"2026-01-05,expense,Food,{n}.00,,\r\n" for n in range(1, 1201))
    assert send_csv(admin, HEADER + rows).status_code == 201
    closed: list[object] = []
    close = record_stream._OpenRecords.close

    def noting_close(self: record_stream._OpenRecords) -> None:
        closed.append(self)
        close(self)

    monkeypatch.setattr(record_stream._OpenRecords, "close", noting_close)
    response = admin.get(EXPORT, buffered=False)
    assert response.status_code == 200
    assert next(response.response).startswith(b"id,date")
    assert closed == []
    response.close()
    assert len(closed) == 1
