"""The dashboard in the browser: every figure it shows equals the API's answer to the same
question, for admins (all owners or one) and analysts (their own), over a date range."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from tests.browser.harness import ADMIN_EMAIL, ADMIN_PASSWORD, Page

DEMO_ANALYST = "analyst1@demo.example"
DEMO_PASSWORD = "demo-password"


def shown(amount: str) -> str:
    """How the page should show a money string: two decimals, thousands separated."""
    return f"{Decimal(amount):,.2f}"


def api(page: Page, token: str, path: str, **query: Any) -> Any:
    wanted = {name: value for name, value in query.items() if value not in (None, "")}
    return page.server.api("GET", f"{path}?{urlencode(wanted)}" if wanted else path, token)


def rows(page: Page, table: str) -> list[list[str]]:
    return [
        [
            cell.get_attribute("textContent") or ""
            for cell in row.find_elements("css selector", "td")
        ]
        for row in page.find_all(f"#{table} tbody tr")
    ]


def chart_data(page: Page, canvas: str) -> list[list[float]]:
    data: list[list[float]] = page.driver.execute_script(
        "return Chart.getChart(arguments[0]).data.datasets.map((set) => set.data)", canvas
    )
    return data


def assert_dashboard_matches_api(page: Page, token: str, **scope: Any) -> None:
    summary = api(page, token, "/api/dashboard/summary/", **scope)
    assert page.text("#total-income") == shown(summary["total_income"])
    assert page.text("#total-expense") == shown(summary["total_expense"])
    assert page.text("#net-balance") == shown(summary["net_balance"])
    assert page.text("#record-count") == f"{summary['record_count']:,}"

    trends = api(page, token, "/api/dashboard/monthly-trends/", **scope)["results"]
    assert rows(page, "trends-table") == [
        [m["month"], shown(m["income"]), shown(m["expense"]), shown(m["net"]), f"{m['count']:,}"]
        for m in trends
    ]
    assert chart_data(page, "trends-chart") == [
        [float(m[key]) for m in trends] for key in ("income", "expense", "net")
    ]

    categories = api(page, token, "/api/dashboard/category-totals/", type="expense", **scope)
    assert rows(page, "categories-table") == [
        [c["category"], shown(c["total"]), f"{c['count']:,}"] for c in categories["results"]
    ]
    assert chart_data(page, "categories-chart") == [
        [float(c["total"]) for c in categories["results"]]
    ]

    recent = api(page, token, "/api/dashboard/recent-transactions/", limit=10, **scope)
    shown_rows = rows(page, "recent")
    assert [r[:5] for r in shown_rows] == [
        [r["date"], r["description"], r["category"], r["type"], shown(r["amount"])]
        for r in recent["results"]
    ]


def test_the_admins_dashboard_shows_the_apis_figures(page: Page) -> None:
    page.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD, landing="/app/")
    token = page.server.admin_token()
    assert_dashboard_matches_api(page, token)
    assert page.text("#trends-caption") == "The last 12 months"
    # Demo data has budgets and schedules: both panels are shown, with the API's figures.
    owner = {"owner_id": None}
    report = api(page, token, "/api/dashboard/budgets/", **owner)
    budgets = report["results"]
    assert len(budgets) > 10
    # The ten most used (no money left available counts as the most), then a note of the rest.
    most_used = sorted(
        budgets,
        key=lambda b: (
            Decimal("Infinity") if b["percent_used"] is None else Decimal(b["percent_used"])
        ),
        reverse=True,
    )[:10]
    bars = page.find_all("#budgets .budget")
    assert len(bars) == 10
    for bar, budget in zip(bars, most_used, strict=True):
        figures = bar.find_element("css selector", ".figures").text
        assert figures.startswith(f"{shown(budget['spent'])} spent of {shown(budget['available'])}")
    assert page.text("#budgets-more").startswith(f"{len(budgets) - 10} more")
    forecast = api(page, token, "/api/dashboard/forecast/", months=6)["results"]
    assert rows(page, "forecast-table") == [
        [
            m["month"],
            shown(m["scheduled_income"]),
            shown(m["scheduled_expense"]),
            shown(m["scheduled_net"]),
            shown(m["budgeted_expense"]),
        ]
        for m in forecast
    ]
    assert chart_data(page, "forecast-chart") == [
        [float(m[key]) for m in forecast]
        for key in ("scheduled_income", "scheduled_expense", "budgeted_expense")
    ]


def test_a_date_range_and_an_owner_narrow_every_figure(page: Page) -> None:
    page.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD, landing="/app/")
    token = page.server.admin_token()
    analyst = page.server.user(DEMO_ANALYST, "analyst")
    page.driver.execute_script(
        "const form = document.getElementById('range');"
        "form.date_from.value = '2025-03-15'; form.date_to.value = '2025-09-10';"
        "form.owner_id.value = arguments[0];",
        str(analyst["id"]),
    )
    page.find("#range button[type=submit]").click()
    page.wait(lambda _d: "owner_id" in page.driver.current_url, what="the URL to keep the range")
    page.wait_ready()
    scope = {"date_from": "2025-03-15", "date_to": "2025-09-10", "owner_id": analyst["id"]}
    assert_dashboard_matches_api(page, token, **scope)
    assert page.text("#trends-caption") == "2025-03 to 2025-09"

    # The range is kept in the address, so a reload shows the same figures.
    page.driver.refresh()
    page.wait_ready()
    assert_dashboard_matches_api(page, token, **scope)


def test_a_range_the_api_refuses_is_explained_next_to_its_field(page: Page) -> None:
    page.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD, landing="/app/")
    page.driver.execute_script(
        "const form = document.getElementById('range');"
        "form.date_from.value = '2026-05-01'; form.date_to.value = '2026-01-01';"
    )
    page.find("#range button[type=submit]").click()
    page.wait_ready(("error",))
    assert page.text("[data-error-for=date_from]") == "Must not be after date_to."
    assert page.find("#date_from").get_attribute("aria-invalid") == "true"


def test_an_analyst_sees_their_own_figures_and_no_owner_picker(page: Page) -> None:
    page.sign_in(DEMO_ANALYST, DEMO_PASSWORD, landing="/app/")
    assert not page.find("#owner-field").is_displayed()
    token = page.server.token(DEMO_ANALYST, DEMO_PASSWORD)
    assert_dashboard_matches_api(page, token)
    assert not any(cell.is_displayed() for cell in page.find_all(".owner-column"))


def test_markup_in_a_description_is_shown_as_text(page: Page) -> None:
    token = page.server.admin_token()
    hostile = "<img src=x onerror=alert(1)>"
    page.server.api(
        "POST",
        "/api/records/",
        token,
        {
            "amount": "1.00",
            "type": "expense",
            "category": "<b>bold</b>",
            "date": "2099-12-31",
            "description": hostile,
        },
    )
    try:
        page.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD, landing="/app/")
        first = rows(page, "recent")[0]
        assert first[1:3] == [hostile, "<b>bold</b>"]
        assert page.find_all("#recent img, #recent b") == []
    finally:
        made = page.server.api("GET", "/api/records/?category=%3Cb%3Ebold%3C/b%3E", token)
        for record in made["results"]:
            page.server.api("DELETE", f"/api/records/{record['id']}/", token)


def test_the_dashboard_fits_a_phone(page: Page) -> None:
    page.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD, landing="/app/")
    page.driver.set_window_size(390, 844)
    page.driver.refresh()
    page.wait_ready()
    overflow = page.driver.execute_script(
        "return document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0
    assert page.find("#trends-chart").size["width"] > 250
