"""Screenshots of the web pages for the README: ``make screenshots`` (Debian's Chromium).

Serves a fresh database with demo data, signs in as the demo admin, and saves the dashboard and
the records page at a desktop and a phone width, each as tall as the page."""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from tests.browser.harness import (
    DESKTOP,
    PHONE,
    Page,
    browser_missing,
    running_server,
    start_chromium,
)

SHOTS = [
    ("dashboard", "/app/"),
    ("records", "/app/records/"),
]


def capture(page: Page, path: str, width: int, target: Path) -> None:
    page.driver.set_window_size(width, 900)
    page.open(path)
    page.wait_ready()
    height = page.driver.execute_script("return document.documentElement.scrollHeight")
    page.driver.set_window_size(width, min(int(height), 6000))
    page.wait_ready()
    page.driver.save_screenshot(str(target))
    print(f"Wrote {target}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path, nargs="?", default=Path("docs/screenshots"))
    parser.add_argument("--records", type=int, default=20_000)
    args = parser.parse_args()
    missing = browser_missing()
    if missing:
        print(missing, file=sys.stderr)
        return 1
    args.folder.mkdir(parents=True, exist_ok=True)
    with (
        tempfile.TemporaryDirectory() as work,
        running_server(Path(work), demo_records=args.records) as server,
    ):
        driver = start_chromium()
        try:
            page = Page(driver, server)
            page.reset()
            page.sign_in("admin1@demo.example", "demo-password", landing="/app/")
            for name, path in SHOTS:
                for label, (width, _) in (("desktop", DESKTOP), ("phone", PHONE)):
                    capture(page, path, width, args.folder / f"{name}-{label}.png")
        finally:
            driver.quit()
    return 0


if __name__ == "__main__":
    sys.exit(main())
