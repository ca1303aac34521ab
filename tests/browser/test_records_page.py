"""The records page in the browser: the list with its filters, sorting and cursor paging, the
CSV export for every role, and for admins the deleted records, create, edit, delete and import.

Each test makes its own records, in categories no other test uses, on the shared server."""

from __future__ import annotations

import csv
import io
import json
import urllib.error
import urllib.parse
import urllib.request
import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any

from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import Select

from tests.browser.harness import ADMIN_EMAIL, ADMIN_PASSWORD, PHONE, TIMEOUT, Page, Server

RECORDS = "/app/records/"
CONFLICT = "This record was changed by someone else. Reload it to see the latest version."
ADMIN_COLUMNS = [
    "No.",
    "Date",
    "Description",
    "Category",
    "Type",
    "Amount",
    "Owner",
    "Added",
    "Actions",
]
EXPORT_HEADER = "id,date,type,category,amount,description,owner_id,created_by,created_at"


# ---- data through the API ----


def unique(label: str) -> str:
    """A category (or text) that no other test uses."""
    return f"{label}-{uuid.uuid4().hex[:8]}"


def add(server: Server, token: str, category: str, **fields: Any) -> dict[str, Any]:
    body = {"amount": "10.00", "type": "expense", "date": "2026-03-01", "category": category}
    record: dict[str, Any] = server.api("POST", "/api/records/", token, {**body, **fields})
    return record


def records(server: Server, token: str, path: str = "/api/records/", **query: Any) -> Any:
    return server.api("GET", f"{path}?{urllib.parse.urlencode(query)}", token)


def ids_of(answer: Any) -> list[int]:
    return [record["id"] for record in answer["results"]]


def send_csv(server: Server, token: str, text: str) -> tuple[int, Any]:
    """POST a CSV file to the import (the harness's calls send JSON)."""
    request = urllib.request.Request(  # noqa: S310
        server.base + "/api/records/import/", data=text.encode(), method="POST"
    )
    request.add_header("Content-Type", "text/csv")
    request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def money(amount: str) -> str:
    """How a money string should read: "1234.5" → "1,234.50"."""
    return f"{Decimal(amount):,.2f}"


# ---- what the page shows ----


def open_records(page: Page, query: dict[str, str] | None = None) -> None:
    page.open(RECORDS + (f"?{urllib.parse.urlencode(query)}" if query else ""))
    page.wait_ready()


def sign_in_admin(page: Page) -> str:
    page.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD, landing="/app/")
    return page.server.admin_token()


def shown(page: Page) -> list[dict[str, str]]:
    """The table's rows as a person reads them: each cell's text under its column's name."""
    rows: list[dict[str, str]] = page.driver.execute_script(
        """
        return [...document.querySelectorAll('#records tbody tr[data-id]')].map((tr) => {
          const cells = {};
          for (const td of tr.cells) cells[td.dataset.label] = td.innerText.trim();
          return cells;
        });
        """
    )
    return rows


def shown_ids(page: Page) -> list[int]:
    return [int(row["No."]) for row in shown(page)]


def click_and_wait(page: Page, css: str) -> None:
    page.find(css).click()
    page.wait_ready()


def row_button(page: Page, record_id: int, action: str) -> WebElement:
    return page.find(f'#records tr[data-id="{record_id}"] button[data-action="{action}"]')


def set_value(page: Page, css: str, value: str) -> None:
    """Type into a field (a date field takes its value as a person's date picker would set it)."""
    element = page.find(css)
    if element.get_attribute("type") == "date":
        page.driver.execute_script(
            "arguments[0].value = arguments[1];"
            "arguments[0].dispatchEvent(new Event('input', {bubbles: true}));",
            element,
            value,
        )
        return
    element.clear()
    element.send_keys(value)


def choose(page: Page, css: str, value: str) -> None:
    Select(page.find(css)).select_by_value(value)


def dialog_open(page: Page, dialog_id: str) -> bool:
    is_open: bool = page.driver.execute_script(
        f"return document.getElementById('{dialog_id}').open"
    )
    return is_open


def focused_id(page: Page) -> str:
    name: str = page.driver.execute_script("return document.activeElement.id")
    return name


def visible_texts(page: Page, css: str) -> list[str]:
    return [element.text for element in page.find_all(css) if element.is_displayed()]


def url_query(page: Page) -> dict[str, list[str]]:
    return urllib.parse.parse_qs(urllib.parse.urlsplit(page.driver.current_url).query)


# ---- the list ----


def test_filters_show_exactly_what_the_api_returns_and_survive_a_reload(page: Page) -> None:
    admin = page.server.admin_token()
    category, other = unique("Groceries"), unique("Travel")
    add(page.server, admin, category, amount="12.50", description="weekly needle shop")
    add(page.server, admin, category, amount="99.99", date="2026-04-15", description="NEEDLE mkt")
    add(page.server, admin, category, amount="5.00", description="bread")
    add(page.server, admin, category, amount="7.00", type="income", description="needle refund")
    add(page.server, admin, other, amount="3.00", description="needle elsewhere")
    sign_in_admin(page)
    open_records(page)

    choose(page, "#filter-type", "expense")
    set_value(page, "#filter-category", category.upper())
    set_value(page, "#filter-q", "needle")
    click_and_wait(page, "#filters button[type=submit]")

    query = {"type": "expense", "category": category.upper(), "q": "needle"}
    expected = records(page.server, admin, **query)
    assert len(expected["results"]) == 2
    assert shown_ids(page) == ids_of(expected)
    assert [(row["Description"], row["Type"], row["Amount"]) for row in shown(page)] == [
        ("NEEDLE mkt", "expense", "99.99"),
        ("weekly needle shop", "expense", "12.50"),
    ]
    assert page.text("#record-count") == "2 records"
    assert url_query(page) == {key: [value] for key, value in query.items()}

    page.driver.refresh()
    page.wait_ready()
    assert shown_ids(page) == ids_of(expected)
    assert page.find("#filter-q").get_attribute("value") == "needle"

    # Dates and amounts narrow it further, as the API does for the same values.
    set_value(page, "#filter-date-from", "2026-03-01")
    set_value(page, "#filter-date-to", "2026-03-31")
    set_value(page, "#filter-min-amount", "10")
    set_value(page, "#filter-max-amount", "50")
    click_and_wait(page, "#filters button[type=submit]")
    narrowed = records(
        page.server,
        admin,
        **query,
        date_from="2026-03-01",
        date_to="2026-03-31",
        min_amount="10",
        max_amount="50",
    )
    assert [row["Description"] for row in shown(page)] == ["weekly needle shop"]
    assert shown_ids(page) == ids_of(narrowed)


def test_an_invalid_filter_is_explained_next_to_its_field(page: Page) -> None:
    admin = sign_in_admin(page)
    open_records(page)
    set_value(page, "#filter-min-amount", "1.234")
    page.find("#filters button[type=submit]").click()
    page.wait_ready(("error",))
    status, _, answer = page.server.call("GET", "/api/records/?min_amount=1.234", token=admin)
    assert status == 422
    assert page.text("#filter-min-amount-error") == answer["errors"]["query"]["min_amount"][0]
    assert page.find("#filter-min-amount").get_attribute("aria-invalid") == "true"
    assert page.status_text() == "Some filters are not valid."


def test_an_admin_filters_by_owner_and_sees_whose_records_they_are(page: Page) -> None:
    admin = page.server.admin_token()
    someone = page.server.user("records.owner@example.com", "analyst", "Olive Owner")
    category = unique("Rent")
    theirs = add(page.server, admin, category, owner_id=someone["id"], description="theirs")
    add(page.server, admin, category, description="mine")
    sign_in_admin(page)
    open_records(page, {"category": category})
    assert sorted(row["Owner"] for row in shown(page)) == ["Administrator", "Olive Owner"]

    choose(page, "#filter-owner", str(someone["id"]))
    click_and_wait(page, "#filters button[type=submit]")
    assert shown_ids(page) == [theirs["id"]]
    assert shown(page)[0]["Owner"] == "Olive Owner"
    assert url_query(page)["owner_id"] == [str(someone["id"])]


def test_cursor_paging_visits_distinct_pages_forward_and_back(page: Page) -> None:
    admin = page.server.admin_token()
    category = unique("Paged")
    rows = [f"2026-01-{day % 28 + 1:02d},expense,{category},{day + 1}.00" for day in range(45)]
    assert send_csv(page.server, admin, "\n".join(["date,type,category,amount", *rows]))[0] == 201
    first = records(page.server, admin, category=category, page_size=20)
    second = records(page.server, admin, category=category, cursor=first["next_cursor"])
    third = records(page.server, admin, category=category, cursor=second["next_cursor"])
    sign_in_admin(page)
    open_records(page, {"category": category})

    assert page.text("#record-count") == "45 records"
    assert page.text("#page-number") == "Page 1 of 3"
    assert page.find("#previous-page").get_attribute("disabled") is not None
    assert shown_ids(page) == ids_of(first)

    click_and_wait(page, "#next-page")
    assert shown_ids(page) == ids_of(second)
    assert page.text("#page-number") == "Page 2 of 3"
    click_and_wait(page, "#next-page")
    assert shown_ids(page) == ids_of(third)
    assert len(ids_of(third)) == 5
    assert page.find("#next-page").get_attribute("disabled") is not None
    assert page.text("#record-count") == "45 records"  # kept, though cursor pages count nothing
    assert len(set(ids_of(first)) | set(ids_of(second)) | set(ids_of(third))) == 45

    click_and_wait(page, "#previous-page")
    assert shown_ids(page) == ids_of(second)
    click_and_wait(page, "#previous-page")
    assert shown_ids(page) == ids_of(first)
    assert page.text("#page-number") == "Page 1 of 3"

    # A bigger page holds them all.
    choose(page, "#filter-page-size", "50")
    page.wait_ready()
    assert len(shown_ids(page)) == 45
    assert page.find("#next-page").get_attribute("disabled") is not None
    assert url_query(page)["page_size"] == ["50"]


def test_clicking_the_amount_header_sorts_by_amount_both_ways(page: Page) -> None:
    admin = page.server.admin_token()
    category = unique("Sorted")
    for amount in ("30.00", "5.25", "1200.00", "77.10"):
        add(page.server, admin, category, amount=amount)
    sign_in_admin(page)
    open_records(page, {"category": category})
    assert page.find("th[data-sort=date]").get_attribute("aria-sort") == "descending"

    click_and_wait(page, "th[data-sort=amount] button")
    assert [row["Amount"] for row in shown(page)] == ["5.25", "30.00", "77.10", "1,200.00"]
    assert shown_ids(page) == ids_of(
        records(page.server, admin, category=category, ordering="amount")
    )
    assert page.find("th[data-sort=amount]").get_attribute("aria-sort") == "ascending"
    assert page.find("th[data-sort=date]").get_attribute("aria-sort") is None

    click_and_wait(page, "th[data-sort=amount] button")
    assert [row["Amount"] for row in shown(page)] == ["1,200.00", "77.10", "30.00", "5.25"]
    assert page.find("th[data-sort=amount]").get_attribute("aria-sort") == "descending"
    assert url_query(page)["ordering"] == ["-amount"]


def test_a_viewer_sees_only_their_records_and_no_admin_controls(page: Page) -> None:
    admin = page.server.admin_token()
    viewer = page.server.user("records.viewer@example.com", "viewer")
    category = unique("Shared")
    own = [
        add(page.server, admin, category, owner_id=viewer["id"], amount=a) for a in ("1.00", "2.00")
    ]
    add(page.server, admin, category, amount="3.00")
    page.sign_in(viewer["email"], landing=RECORDS)
    # Asking for the deleted view in the address does not give it either.
    open_records(page, {"category": category, "view": "deleted"})

    assert sorted(shown_ids(page)) == sorted(record["id"] for record in own)
    assert page.text("#list-title") == "Records"
    buttons = visible_texts(page, "button")
    for offered in ("New record", "Deleted records", "Edit", "Delete", "Restore", "Import"):
        assert offered not in buttons
    assert "Export CSV" in buttons
    assert not page.find("#import-section").is_displayed()
    assert not page.find("#owner-field").is_displayed()
    headers = visible_texts(page, "#records th")
    assert "Owner" not in headers
    assert "Actions" not in headers


def test_the_list_reads_on_a_phone(page: Page) -> None:
    admin = page.server.admin_token()
    category = unique("Phone")
    add(page.server, admin, category, amount="1234567.80", description="a long description " * 5)
    page.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD, landing="/app/")
    page.driver.set_window_size(*PHONE)
    open_records(page, {"category": category})
    layout = page.driver.execute_script(
        """
        const cells = [...document.querySelectorAll('#records tbody td')];
        return {
          overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth,
          headVisible: document.querySelector('#records thead').offsetParent !== null,
          labels: cells.map((td) => [td.dataset.label,
            getComputedStyle(td, '::before').content.replaceAll('"', '')]),
        };
        """
    )
    assert layout["overflow"] <= 0
    assert not layout["headVisible"]
    assert [label for label, _ in layout["labels"]] == ADMIN_COLUMNS
    assert all(label == before for label, before in layout["labels"])
    assert shown(page)[0]["Amount"] == "1,234,567.80"


def test_a_description_with_markup_is_shown_as_text(page: Page) -> None:
    admin = page.server.admin_token()
    category = unique("<b>Markup</b>")
    markup = "<img src=x onerror=alert(1)>"
    record = add(page.server, admin, category, description=markup)
    sign_in_admin(page)
    open_records(page, {"category": category})
    assert shown(page)[0]["Description"] == markup
    assert page.find_all("#records img") == []

    assert shown(page)[0]["Category"] == category
    assert page.find_all("#records b") == []

    row_button(page, record["id"], "delete").click()
    assert category in page.text("#delete-text")
    assert page.find_all("#delete-dialog b") == []
    page.find("#delete-cancel").click()

    row_button(page, record["id"], "edit").click()
    page.wait_ready()
    assert page.find("#record-description").get_attribute("value") == markup
    page.find("#record-form [data-close]").click()
    assert page.find_all("img") == []


# ---- create, edit, delete, restore (admins) ----


def test_an_admin_creates_a_record_and_it_appears(page: Page) -> None:
    admin = sign_in_admin(page)
    category = unique("Created")
    open_records(page, {"category": category})
    assert page.text("#records tbody") == "No records match these filters."

    # Keyboard: the dialog takes the focus, Escape gives it back.
    page.find("#new-record").send_keys(Keys.ENTER)
    assert dialog_open(page, "record-dialog")
    assert focused_id(page) == "record-amount"
    page.find("#record-amount").send_keys(Keys.ESCAPE)
    assert not dialog_open(page, "record-dialog")
    assert focused_id(page) == "new-record"

    page.find("#new-record").click()
    set_value(page, "#record-amount", "1234.5")
    choose(page, "#record-type", "income")
    set_value(page, "#record-category", category)
    set_value(page, "#record-date", "2026-04-02")
    set_value(page, "#record-description", "Yearly bonus")
    click_and_wait(page, "#record-save")

    stored = records(page.server, admin, category=category)["results"]
    assert len(stored) == 1
    assert stored[0]["amount"] == "1234.50"
    assert page.status_text() == f"Record {stored[0]['id']} is created."
    assert not dialog_open(page, "record-dialog")
    row = shown(page)[0]
    assert (row["Date"], row["Description"], row["Type"], row["Amount"], row["Owner"]) == (
        "2026-04-02",
        "Yearly bonus",
        "income",
        "1,234.50",
        "Administrator",
    )


def test_a_create_with_a_bad_amount_says_why_next_to_the_amount_and_stores_nothing(
    page: Page,
) -> None:
    admin = sign_in_admin(page)
    category = unique("Refused")
    open_records(page, {"category": category})
    page.find("#new-record").click()
    set_value(page, "#record-amount", "12.345")
    set_value(page, "#record-category", category)
    click_and_wait(page, "#record-save")

    body = {"amount": "12.345", "type": "expense", "category": category, "date": "2026-04-02"}
    status, _, answer = page.server.call("POST", "/api/records/", body, admin)
    assert status == 422
    message = answer["errors"]["json"]["amount"][0]
    amount = page.find("#record-amount")
    assert page.text("#record-amount-error") == message
    assert amount.get_attribute("aria-describedby") == "record-amount-error"
    assert amount.get_attribute("aria-invalid") == "true"
    assert dialog_open(page, "record-dialog")
    assert records(page.server, admin, category=category)["count"] == 0
    assert page.text("#records tbody") == "No records match these filters."


def test_an_edit_that_meets_another_change_overwrites_nothing(page: Page) -> None:
    admin = page.server.admin_token()
    category = unique("Edited")
    record = add(page.server, admin, category, amount="40.00", description="original")
    path = f"/api/records/{record['id']}/"
    sign_in_admin(page)
    open_records(page, {"category": category})
    row_button(page, record["id"], "edit").click()
    page.wait_ready()
    assert page.find("#record-amount").get_attribute("value") == "40.00"

    # Someone else changes the record while the form is open.
    _, headers, _ = page.server.call("GET", path, token=admin)
    changed = {"amount": "41.00", "description": "changed elsewhere"}
    status, _, _ = page.server.call("PATCH", path, changed, admin, {"If-Match": headers["ETag"]})
    assert status == 200

    set_value(page, "#record-amount", "55.00")
    click_and_wait(page, "#record-save")
    assert page.find("#conflict").is_displayed()
    assert page.text("#conflict-text") == CONFLICT
    assert page.server.api("GET", path, admin)["amount"] == "41.00"
    assert shown(page)[0]["Amount"] == "40.00"  # the list is not redrawn behind the dialog

    click_and_wait(page, "#conflict-reload")
    assert not page.find("#conflict").is_displayed()
    assert page.find("#record-amount").get_attribute("value") == "41.00"
    assert page.find("#record-description").get_attribute("value") == "changed elsewhere"

    set_value(page, "#record-amount", "55.00")
    click_and_wait(page, "#record-save")
    assert page.status_text() == "The record is saved."
    assert shown(page)[0]["Amount"] == "55.00"
    assert shown(page)[0]["Description"] == "changed elsewhere"
    saved = page.server.api("GET", path, admin)
    assert (saved["amount"], saved["version"]) == ("55.00", 3)
    # The focus is back on the row's Edit button.
    assert page.driver.switch_to.active_element == row_button(page, record["id"], "edit")


def test_a_deleted_record_is_restored_from_the_deleted_view(page: Page) -> None:
    admin = page.server.admin_token()
    category = unique("Deleted")
    record = add(page.server, admin, category, amount="8.00")
    kept = add(page.server, admin, category, amount="9.00", date="2026-02-01")
    path = f"/api/records/{record['id']}/"
    sign_in_admin(page)
    open_records(page, {"category": category})

    row_button(page, record["id"], "delete").click()
    assert dialog_open(page, "delete-dialog")
    assert focused_id(page) == "delete-cancel"
    page.find("#delete-cancel").click()
    assert not dialog_open(page, "delete-dialog")
    assert page.server.call("GET", path, token=admin)[0] == 200

    row_button(page, record["id"], "delete").click()
    click_and_wait(page, "#delete-confirm")
    assert page.status_text() == f"Record {record['id']} is deleted."
    assert shown_ids(page) == [kept["id"]]
    assert page.server.call("GET", path, token=admin)[0] == 404

    click_and_wait(page, "#show-deleted")
    assert page.text("#list-title") == "Deleted records"
    assert page.find("#show-deleted").get_attribute("aria-pressed") == "true"
    assert url_query(page)["view"] == ["deleted"]
    assert shown_ids(page) == [record["id"]]
    assert not page.find("#new-record").is_displayed()

    click_and_wait(page, f'#records tr[data-id="{record["id"]}"] button[data-action=restore]')
    assert page.status_text() == f"Record {record['id']} is restored."
    assert shown_ids(page) == []
    assert page.server.call("GET", path, token=admin)[0] == 200

    click_and_wait(page, "#show-deleted")
    assert sorted(shown_ids(page)) == sorted([record["id"], kept["id"]])


# ---- import and export ----


def import_file(page: Page, path: Path) -> None:
    if not page.find("#import-form").is_displayed():
        page.find("#import-section summary").click()
    page.find("#import-file").send_keys(str(path))
    click_and_wait(page, "#import-form button[type=submit]")


def test_an_import_with_a_bad_row_lists_the_lines_and_stores_nothing(
    page: Page, tmp_path: Path
) -> None:
    admin = sign_in_admin(page)
    category = unique("Imported")
    bad = (
        "date,type,category,amount,description\n"
        f"2026-05-01,expense,{category},10.00,fine\n"
        f"2026-05-02,expense,{category},12.345,too precise\n"
        f"2026-05-03,bogus,{category},3.00,odd type\n"
    )
    (tmp_path / "bad.csv").write_text(bad)
    open_records(page, {"category": category})
    import_file(page, tmp_path / "bad.csv")

    status, answer = send_csv(page.server, admin, bad)  # nothing is stored by a rejected file
    assert status == 422
    assert page.text("#import-result") == answer["message"]
    table = [
        [cell.text for cell in row.find_elements("css selector", "td")]
        for row in page.find_all("#import-errors tbody tr")
    ]
    assert table == [[str(e["line"]), e["field"], e["message"]] for e in answer["errors"]]
    assert [row[:2] for row in table] == [["3", "amount"], ["4", "type"]]
    assert records(page.server, admin, category=category)["count"] == 0

    good = "date,type,category,amount\n" + "".join(
        f"2026-05-0{day},expense,{category},{day}.00\n" for day in (1, 2, 3)
    )
    (tmp_path / "good.csv").write_text(good)
    import_file(page, tmp_path / "good.csv")
    assert page.text("#import-result") == "Imported 3 records."
    assert not page.find("#import-errors").is_displayed()
    assert [row["Amount"] for row in shown(page)] == ["3.00", "2.00", "1.00"]
    assert records(page.server, admin, category=category)["count"] == 3


def wait_for_download(page: Page, folder: Path, before: set[Path]) -> Path:
    def arrived(_driver: object) -> Path | None:
        new = set(folder.glob("records*.csv")) - before
        # Chromium writes to a .crdownload file and renames it when the download is complete.
        busy = list(folder.glob("*.crdownload"))
        return next(iter(new)) if new and not busy else None

    found: Path = page.wait(arrived, what="records.csv in the download folder")
    return found


def test_export_downloads_the_filtered_records_of_the_user(page: Page, downloads: Path) -> None:
    admin = page.server.admin_token()
    analyst = page.server.user("records.exporter@example.com", "analyst")
    category = unique("Exported")
    for amount, kind in (("1.50", "expense"), ("2000.00", "expense"), ("3.00", "income")):
        add(page.server, admin, category, owner_id=analyst["id"], amount=amount, type=kind)
    add(page.server, admin, category, amount="4.00")  # the admin's: not the analyst's to export
    add(page.server, admin, category, owner_id=analyst["id"], description="=1+1", amount="5.00")
    page.sign_in(analyst["email"], landing="/app/")
    open_records(page, {"category": category, "type": "expense"})
    before = set(downloads.glob("records*.csv"))

    click_and_wait(page, "#export")
    saved = wait_for_download(page, downloads, before)
    text = saved.read_text()
    assert text.splitlines()[0] == EXPORT_HEADER
    rows = list(csv.DictReader(io.StringIO(text)))
    token = page.server.token(analyst["email"])
    expected = records(page.server, token, category=category, type="expense")["results"]
    assert [int(row["id"]) for row in rows] == [record["id"] for record in expected]
    assert [row["amount"] for row in rows] == [record["amount"] for record in expected]
    assert {row["owner_id"] for row in rows} == {str(analyst["id"])}
    assert "'=1+1" in [row["description"] for row in rows]
    assert page.status_text() == "The records are saved as records.csv."
