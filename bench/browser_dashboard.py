"""How long the web dashboard takes to draw in Debian's headless Chromium: from the start of
the page's navigation to every card, chart and table drawn (``body[data-state=ready]``, which
the page sets after the six dashboard requests have answered and been drawn)."""

from __future__ import annotations

import statistics
import sys
from dataclasses import dataclass

from tests.browser.harness import Page, Server, browser_missing, start_chromium

from bench.server import request_json


@dataclass
class DrawTimes:
    who: str
    first_ms: float
    median_ms: float
    worst_ms: float
    runs: int

    def row(self) -> str:
        return (
            f"| {self.who} | {self.first_ms:,.0f} | {self.median_ms:,.0f} | "
            f"{self.worst_ms:,.0f} | {self.runs} |"
        )


def measure(base: str, accounts: dict[str, tuple[str, str]], runs: int = 7) -> list[DrawTimes]:
    """Draw times of the dashboard for each ``who: (email, password)``; empty without Chromium."""
    if browser_missing():
        return []
    driver = start_chromium()
    results = []
    try:
        page = Page(driver, Server(base))
        for who, (email, password) in accounts.items():
            status, tokens = request_json(
                "POST", f"{base}/api/auth/login/", {"email": email, "password": password}
            )
            if status != 200:
                raise RuntimeError(f"login as {email} answered {status}")
            page.reset()
            driver.execute_script(
                "sessionStorage.setItem('finance.access', arguments[0]);"
                "sessionStorage.setItem('finance.refresh', arguments[1]);",
                tokens["access"],
                tokens["refresh"],
            )
            times = []
            for _ in range(runs):
                page.open("/app/")
                page.wait_ready()
                times.append(float(driver.execute_script("return document.body.dataset.drawnMs")))
            results.append(DrawTimes(who, times[0], statistics.median(times[1:]), max(times), runs))
    finally:
        driver.quit()
    return results


def table(results: list[DrawTimes]) -> str:
    return "\n".join(
        [
            "| dashboard of | first load ms | median of the next loads ms | slowest ms | loads |",
            "| --- | ---: | ---: | ---: | ---: |",
            *(r.row() for r in results),
        ]
    )


if __name__ == "__main__":
    # python -m bench.browser_dashboard <base URL> <email> <password>
    base, email, password = sys.argv[1:4]
    print(table(measure(base, {email: (email, password)})))
