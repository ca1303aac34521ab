"""The users page (admins only): the list with its filters and pages, creating a user, changing a
role, deactivating and reactivating, and the API's refusals shown where the admin looks."""

from __future__ import annotations

import urllib.parse
import uuid
from pathlib import Path
from typing import Any

from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.select import Select

from tests.browser.harness import (
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    PASSWORD,
    PHONE,
    Page,
    Server,
    running_server,
)

LAST_ADMIN = "The last active admin cannot be demoted or deactivated."


def new_tag() -> str:
    """A word found in no other test's users: the server is shared by every browser test."""
    return uuid.uuid4().hex[:10]


def make_user(
    server: Server, email: str, role: str = "viewer", name: str | None = None, active: bool = True
) -> dict[str, Any]:
    person = server.user(email, role, name)
    if not active:
        server.api("DELETE", f"/api/users/{person['id']}/", server.admin_token())
        person["is_active"] = False
    return person


def api_users(server: Server, **query: str) -> list[dict[str, Any]]:
    path = f"/api/users/?{urllib.parse.urlencode({**query, 'page_size': '100'})}"
    results: list[dict[str, Any]] = server.api("GET", path, server.admin_token())["results"]
    return results


def api_user(server: Server, person: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = server.api("GET", f"/api/users/{person['id']}/", server.admin_token())
    return found


def act(page: Page, do: Any) -> None:
    """Do something that makes the page load again, and wait until it has drawn the answer."""
    page.driver.execute_script("document.body.dataset.state = 'stale'")
    do()
    page.wait_ready(("ready", "error"))


def open_users(page: Page, query: str = "") -> None:
    page.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD, landing="/app/")
    page.open(f"/app/users/{query}")
    page.wait_ready()


def search(page: Page, text: str, role: str = "", active: str = "") -> None:
    Select(page.find("#filter-role")).select_by_value(role)
    Select(page.find("#filter-active")).select_by_value(active)
    page.find("#filter-q").clear()
    page.find("#filter-q").send_keys(text)
    act(page, page.find("#filters button[type=submit]").click)


def shown_emails(page: Page) -> list[str]:
    return [cell.text for cell in page.find_all("#users tbody td[data-label=Email]")]


def row_of(page: Page, email: str) -> WebElement:
    for row in page.find_all("#users tbody tr[data-id]"):
        if row.find_element("css selector", "td[data-label=Email]").text == email:
            return row
    raise AssertionError(f"{email} is not in the list: {shown_emails(page)}")


def cell(row: WebElement, label: str) -> str:
    text: str = row.find_element("css selector", f"td[data-label={label}]").text
    return text


def role_select(row: WebElement) -> Select:
    return Select(row.find_element("css selector", "td[data-label=Role] select"))


def focused_id(page: Page) -> str:
    found: str = page.driver.execute_script("return document.activeElement.id")
    return found


def test_the_list_filtered_by_role_and_text_shows_what_the_api_returns(page: Page) -> None:
    tag = new_tag()
    server = page.server
    first = make_user(server, f"list.{tag}.a@example.com", "analyst")
    second = make_user(server, f"list.{tag}.b@example.com", "analyst", active=False)
    make_user(server, f"list.{tag}.c@example.com", "viewer")
    open_users(page)

    search(page, tag, role="analyst")
    expected = [person["email"] for person in api_users(server, role="analyst", q=tag)]
    assert expected == [first["email"], second["email"]]
    assert shown_emails(page) == expected
    assert page.text("#user-count") == "2 users"
    assert cell(row_of(page, second["email"]), "Active") == "Inactive"
    assert cell(row_of(page, first["email"]), "Active") == "Active"
    assert cell(row_of(page, first["email"]), "Joined") == first["date_joined"][:10]
    assert role_select(row_of(page, first["email"])).first_selected_option.text == "analyst"

    # The filters are kept in the address, so that reloading it shows the same list.
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(page.driver.current_url).query)
    assert query == {"role": ["analyst"], "q": [tag]}
    page.driver.refresh()
    page.wait_ready()
    assert page.find("#filter-q").get_attribute("value") == tag
    assert shown_emails(page) == expected

    search(page, tag, role="analyst", active="false")
    assert shown_emails(page) == [second["email"]]
    assert page.text("#user-count") == "1 user"


def test_the_list_goes_page_by_page(page: Page) -> None:
    tag = new_tag()
    made = [make_user(page.server, f"pages.{tag}.{n:02}@example.com") for n in range(21)]
    open_users(page)
    search(page, tag)
    assert page.text("#user-count") == "21 users"
    assert shown_emails(page) == [person["email"] for person in made[:20]]
    assert page.text("#page-number") == "Page 1 of 2"
    assert not page.find("#previous-page").is_enabled()

    act(page, page.find("#next-page").click)
    assert shown_emails(page) == [made[20]["email"]]
    assert page.text("#page-number") == "Page 2 of 2"
    assert "page=2" in page.driver.current_url
    assert not page.find("#next-page").is_enabled()

    act(page, page.find("#previous-page").click)
    assert len(shown_emails(page)) == 20

    # An address past the last page shows the last page.
    page.open(f"/app/users/?q={tag}&page=9")
    page.wait_ready()
    assert shown_emails(page) == [made[20]["email"]]
    assert page.text("#page-number") == "Page 2 of 2"
    assert "page=2" in page.driver.current_url


def fill_new_user(page: Page, email: str, name: str, password: str, role: str) -> None:
    page.find("#new-user").click()
    page.wait(lambda _d: page.find("#create-dialog").get_attribute("open") is not None)
    assert focused_id(page) == "new-email"
    page.find("#new-email").send_keys(email)
    page.find("#new-name").send_keys(name)
    page.find("#new-password").send_keys(password)
    Select(page.find("#new-role")).select_by_value(role)


def dialog_open(page: Page, dialog: str) -> bool:
    return page.find(f"#{dialog}").get_attribute("open") is not None


def test_creating_a_user_shows_them_and_they_can_sign_in(page: Page) -> None:
    email = f"create.{new_tag()}@example.com"
    open_users(page)
    fill_new_user(page, email, "Created Person", "a-good-password", "analyst")
    act(page, page.find("#create-form button[type=submit]").click)

    assert not dialog_open(page, "create-dialog")
    assert page.status_text() == f"Created Created Person ({email})."
    assert shown_emails(page) == [email]
    row = row_of(page, email)
    assert cell(row, "Name") == "Created Person"
    assert role_select(row).first_selected_option.text == "analyst"
    assert focused_id(page) == "new-user"
    [stored] = api_users(page.server, q=email)
    assert (stored["role"], stored["is_active"]) == ("analyst", True)
    assert page.server.token(email, "a-good-password")


def test_a_short_password_is_refused_next_to_the_password(page: Page) -> None:
    email = f"short.{new_tag()}@example.com"
    body = {"email": email, "name": "Short", "password": "abc123", "role": "viewer"}
    status, _, answer = page.server.call("POST", "/api/users/", body, page.server.admin_token())
    assert status == 422
    open_users(page)
    fill_new_user(page, email, "Short", "abc123", "viewer")
    act(page, page.find("#create-form button[type=submit]").click)

    assert dialog_open(page, "create-dialog")
    assert page.text("[data-error-for=password]") == " ".join(answer["errors"]["json"]["password"])
    assert page.find("#new-password").get_attribute("aria-invalid") == "true"
    assert page.text("[data-error-for=email]") == ""
    assert api_users(page.server, q=email) == []


def test_a_taken_email_is_refused_next_to_the_email(page: Page) -> None:
    taken = make_user(page.server, f"taken.{new_tag()}@example.com")
    open_users(page)
    fill_new_user(page, taken["email"].upper(), "Someone Else", "a-good-password", "viewer")
    act(page, page.find("#create-form button[type=submit]").click)

    assert dialog_open(page, "create-dialog")
    assert page.text("[data-error-for=email]") == "A user with this email already exists."
    assert focused_id(page) == "new-email"
    assert [person["name"] for person in api_users(page.server, q=taken["email"])] == [
        taken["name"]
    ]
    # Cancel closes the dialog and puts the focus back where it was.
    page.find("#create-dialog [data-close]").click()
    assert not dialog_open(page, "create-dialog")
    assert focused_id(page) == "new-user"


def test_changing_a_role(page: Page) -> None:
    person = make_user(page.server, f"role.{new_tag()}@example.com", "viewer")
    open_users(page)
    search(page, person["email"])
    row = row_of(page, person["email"])
    save = row.find_element("css selector", "td[data-label=Role] button")
    assert not save.is_enabled()
    role_select(row).select_by_value("analyst")
    act(page, save.click)

    assert page.status_text() == f"{person['name']} ({person['email']}) is now analyst."
    assert role_select(row_of(page, person["email"])).first_selected_option.text == "analyst"
    assert api_user(page.server, person)["role"] == "analyst"
    assert focused_id(page) == f"role-{person['id']}"


def test_deactivating_after_confirming_and_reactivating(page: Page) -> None:
    person = make_user(page.server, f"active.{new_tag()}@example.com", "analyst")
    open_users(page)
    search(page, person["email"])

    # Escape in the confirmation changes nothing.
    row_of(page, person["email"]).find_element("css selector", "button.danger").click()
    assert dialog_open(page, "confirm-dialog")
    assert person["email"] in page.text("#confirm-text")
    assert focused_id(page) == "confirm-cancel"
    page.driver.switch_to.active_element.send_keys(Keys.ESCAPE)
    page.wait(lambda _d: not dialog_open(page, "confirm-dialog"), what="the dialog to close")
    assert cell(row_of(page, person["email"]), "Active") == "Active"
    assert api_user(page.server, person)["is_active"] is True

    row_of(page, person["email"]).find_element("css selector", "button.danger").click()
    act(page, page.find("#confirm-ok").click)
    row = row_of(page, person["email"])
    assert cell(row, "Active") == "Inactive"
    assert cell(row, "Actions") == "Reactivate"
    assert page.status_text() == f"{person['name']} ({person['email']}) was deactivated."
    assert api_user(page.server, person)["is_active"] is False
    status, _, _ = page.server.call(
        "POST", "/api/auth/login/", {"email": person["email"], "password": PASSWORD}
    )
    assert status == 401

    act(page, row.find_element("css selector", "td[data-label=Actions] button").click)
    assert cell(row_of(page, person["email"]), "Active") == "Active"
    assert api_user(page.server, person)["is_active"] is True
    assert page.server.token(person["email"])


def test_the_only_active_admin_is_not_demoted_nor_deactivated(page: Page, tmp_path: Path) -> None:
    # On a server of its own: on the shared one, another test's admin could be the only one.
    with running_server(tmp_path) as server:
        alone = Page(page.driver, server)
        open_users(alone)
        row = row_of(alone, ADMIN_EMAIL)
        assert cell(row, "Name").endswith("(you)")

        role_select(row).select_by_value("analyst")
        act(alone, row.find_element("css selector", "td[data-label=Role] button").click)
        assert alone.status_text().endswith(LAST_ADMIN)
        assert alone.find("#status").get_attribute("class") == "status error"
        assert role_select(row_of(alone, ADMIN_EMAIL)).first_selected_option.text == "admin"

        row_of(alone, ADMIN_EMAIL).find_element("css selector", "button.danger").click()
        assert "This is you" in alone.text("#confirm-text")
        act(alone, alone.find("#confirm-ok").click)
        assert alone.status_text().endswith(LAST_ADMIN)
        assert cell(row_of(alone, ADMIN_EMAIL), "Active") == "Active"

        [admin] = api_users(server, q=ADMIN_EMAIL)
        assert (admin["role"], admin["is_active"]) == ("admin", True)


def test_an_analyst_is_sent_away_from_the_users_page(page: Page) -> None:
    email = "analyst.users-page@example.com"
    make_user(page.server, email, "analyst")
    page.sign_in(email, landing="/app/")
    assert "Users" not in [a.text for a in page.find_all(".site-header nav a")]
    page.open("/app/users/")
    page.wait_for_path("/app/")
    page.wait_ready()
    assert page.find("h1").text == "Dashboard"
    assert "Users" not in [a.text for a in page.find_all(".site-header nav a")]


def test_markup_in_a_name_is_shown_as_text(page: Page) -> None:
    name = "<b>bold</b><img src=x onerror=alert(1)>"
    person = make_user(page.server, f"markup.{new_tag()}@example.com", "viewer", name=name)
    open_users(page)
    search(page, person["email"])
    row = row_of(page, person["email"])
    assert cell(row, "Name") == name
    assert row.find_elements("css selector", "b, img") == []
    row.find_element("css selector", "button.danger").click()
    assert page.text("#confirm-text").startswith(f"{name} ({person['email']})")
    page.find("#confirm-cancel").click()


def test_the_list_is_readable_at_a_phone_width(page: Page) -> None:
    person = make_user(page.server, f"phone.{new_tag()}@example.com", "viewer")
    open_users(page)
    page.driver.set_window_size(*PHONE)
    search(page, person["email"])
    assert not page.find("#users thead").is_displayed()
    row = row_of(page, person["email"])
    labels = [td.get_attribute("data-label") for td in row.find_elements("css selector", "td")]
    assert labels == ["Name", "Email", "Role", "Active", "Joined", "Actions"]
    # Each value is shown under its label, and nothing needs scrolling sideways.
    assert cell(row, "Email") == person["email"]
    width = page.driver.execute_script("return document.documentElement.scrollWidth")
    assert width <= page.driver.execute_script("return window.innerWidth")
