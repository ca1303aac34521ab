"""Signing in and out in the browser, per role, and where each role lands."""

from __future__ import annotations

import pytest

from tests.browser.harness import ADMIN_EMAIL, ADMIN_PASSWORD, Page


def test_a_browser_asking_for_the_root_is_sent_to_the_sign_in_page(page: Page) -> None:
    page.open("/")
    page.wait_for_path("/app/login/")
    assert page.find("label[for=email]").text == "Email"
    assert page.find("#password").get_attribute("type") == "password"


def test_the_admin_signs_in_to_the_dashboard_and_out_again(page: Page) -> None:
    page.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD, landing="/app/")
    assert page.find("#user-role").get_attribute("textContent") == "admin"
    links = [a.text for a in page.find_all(".site-header nav a")]
    assert links == ["Dashboard", "Records", "Users"]
    refresh = page.session_storage("finance.refresh")
    assert refresh

    page.sign_out()
    assert page.session_storage("finance.access") is None
    # The refresh token of the ended session no longer works.
    status, _, _ = page.server.call("POST", "/api/auth/refresh/", {"refresh": refresh})
    assert status == 401
    page.open("/app/")
    page.wait_for_path("/app/login/")


@pytest.mark.parametrize(
    ("role", "landing", "links"),
    [
        ("analyst", "/app/", ["Dashboard", "Records"]),
        ("viewer", "/app/records/", ["Records"]),
    ],
)
def test_each_role_lands_where_it_may_look(
    page: Page, role: str, landing: str, links: list[str]
) -> None:
    email = f"{role}.signin@example.com"
    page.server.user(email, role)
    page.sign_in(email, landing=landing)
    assert [a.text for a in page.find_all(".site-header nav a")] == links
    # A viewer who types the dashboard's address is sent back to the records.
    page.open("/app/users/")
    page.wait_for_path(landing)


def test_a_wrong_password_is_said_and_nothing_is_kept(page: Page) -> None:
    page.open("/app/login/")
    page.wait_ready()
    page.find("#email").send_keys(ADMIN_EMAIL)
    page.find("#password").send_keys("not-the-password")
    page.find("#login-form button[type=submit]").click()
    page.wait(lambda _d: page.text("#login-error") != "", what="the sign-in error")
    assert page.text("#login-error") == "The email or password is not right."
    assert page.session_storage("finance.access") is None


def test_an_expired_access_token_is_renewed_with_the_refresh_token(page: Page) -> None:
    page.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD, landing="/app/")
    first_refresh = page.session_storage("finance.refresh")
    # As if 15 minutes had passed: the stored access token is no longer accepted.
    page.driver.execute_script("window.sessionStorage.setItem('finance.access', 'expired')")
    page.open("/app/")
    page.wait_ready()
    assert page.driver.current_url.endswith("/app/")
    assert page.text("#record-count") != "\N{EN DASH}"
    assert page.session_storage("finance.access") != "expired"
    assert page.session_storage("finance.refresh") not in (None, first_refresh)
