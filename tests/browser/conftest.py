"""Fixtures of the browser tests: one server with demo data and one Chromium for the session,
a clean tab (no tokens) for each test, and no script error or CSP violation left behind."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser.harness import Page, Server, browser_missing, running_server, start_chromium


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = [item for item in items if f"{os.sep}browser{os.sep}" in str(item.path)]
    for item in here:
        item.add_marker(pytest.mark.browser)
    missing = browser_missing()
    if missing is None or not here:
        return
    if os.environ.get("CI"):
        raise pytest.UsageError(f"the browser tests cannot run in CI: {missing}")
    for item in here:
        item.add_marker(pytest.mark.skip(reason=missing))


@pytest.fixture(scope="session")
def web_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with running_server(tmp_path_factory.mktemp("web"), demo_records=3000) as server:
        yield server


@pytest.fixture(scope="session")
def downloads(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("downloads")


@pytest.fixture(scope="session")
def chromium(downloads: Path) -> Iterator[object]:
    driver = start_chromium(downloads)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture
def page(chromium: object, web_server: Server) -> Iterator[Page]:
    page = Page(chromium, web_server)  # type: ignore[arg-type]
    page.reset()
    yield page
    errors = page.page_errors()
    assert not errors, f"the page logged errors: {errors}"
