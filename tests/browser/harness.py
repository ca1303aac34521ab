"""A real server and a real browser for the web pages: gunicorn over a SQLite file, driven by
Debian's headless Chromium through its chromedriver (both installed by ``.ci/run``)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from selenium import webdriver
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import WebDriverWait

BIN = Path(sys.executable).parent
CHROMIUM = Path(os.environ.get("FINANCE_TEST_CHROMIUM", "/usr/bin/chromium"))
CHROMEDRIVER = Path(os.environ.get("FINANCE_TEST_CHROMEDRIVER", "/usr/bin/chromedriver"))
ADMIN_EMAIL = "admin@example.com"
ADMIN_PASSWORD = "browser-admin-password"
PASSWORD = "browser-user-password"
TIMEOUT = 15
# Chromium's own flags for a machine with no display and no way out to the internet.
CHROMIUM_FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--no-first-run",
    "--lang=en-US",
)
DESKTOP = (1280, 1000)
PHONE = (390, 844)


def browser_missing() -> str | None:
    """Why the browser tests cannot run here, or None (CI installs both: there it fails)."""
    for path in (CHROMIUM, CHROMEDRIVER):
        if not path.exists():
            return f"{path} is not installed (apt-get install chromium chromium-driver)"
    return None


class ApiFailure(AssertionError):
    pass


@dataclass
class Server:
    base: str

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        token: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, dict[str, str], Any]:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base + path, data=data, method=method)  # noqa: S310
        if data is not None:
            request.add_header("Content-Type", "application/json")
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        for name, value in (headers or {}).items():
            request.add_header(name, value)
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310
                raw, status, got = response.read(), response.status, dict(response.headers)
        except urllib.error.HTTPError as error:
            raw, status, got = error.read(), error.code, dict(error.headers)
        return status, got, json.loads(raw) if raw else None

    def api(self, method: str, path: str, token: str, body: Any = None) -> Any:
        """A call that must succeed; its JSON body."""
        status, _, answer = self.call(method, path, body, token)
        if status >= 300:
            raise ApiFailure(f"{method} {path}: {status} {answer}")
        return answer

    def token(self, email: str, password: str = PASSWORD) -> str:
        status, _, body = self.call(
            "POST", "/api/auth/login/", {"email": email, "password": password}
        )
        if status != 200:
            raise ApiFailure(f"login of {email}: {status} {body}")
        access: str = body["access"]
        return access

    def admin_token(self) -> str:
        return self.token(ADMIN_EMAIL, ADMIN_PASSWORD)

    def user(self, email: str, role: str, name: str | None = None) -> dict[str, Any]:
        """The user with this email, made (with ``PASSWORD``) if they do not exist yet."""
        admin = self.admin_token()
        found = self.api("GET", f"/api/users/?q={urllib.parse.quote(email)}", admin)["results"]
        if found:
            person: dict[str, Any] = found[0]
            return person
        made: dict[str, Any] = self.api(
            "POST",
            "/api/users/",
            admin,
            {
                "email": email,
                "name": name or email.split("@")[0].title(),
                "password": PASSWORD,
                "role": role,
            },
        )
        return made


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _cli(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [str(BIN / "finance"), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"finance {' '.join(args)}: {done.stderr}")
    return done.stdout


@contextmanager
def running_server(
    folder: Path, demo_records: int = 0, access_minutes: int = 15
) -> Iterator[Server]:
    """``finance serve`` (gunicorn, 2 workers) over a fresh SQLite file in ``folder``."""
    port = _free_port()
    env = {
        **os.environ,
        "FINANCE_STORAGE": "sql",
        "FINANCE_INSTANCE_PATH": str(folder / "instance"),
        "FINANCE_DATABASE_URL": f"sqlite:///{folder / 'finance.db'}",
        "FINANCE_SECRET_KEY": "browser-tests-secret-key-long-enough-for-hs256",
        "FINANCE_ADMIN_EMAIL": ADMIN_EMAIL,
        "FINANCE_ADMIN_PASSWORD": ADMIN_PASSWORD,
        "FINANCE_LOG_LEVEL": "WARNING",
        "FINANCE_PORT": str(port),
        "FINANCE_ACCESS_TOKEN_MINUTES": str(access_minutes),
    }
    _cli(env, "db", "upgrade")
    _cli(env, "create-admin", "--if-none")
    if demo_records:
        _cli(env, "demo-data", "--records", str(demo_records), "--users", "2", "--seed", "7")
    errors = (folder / "serve.err").open("wb")
    process = subprocess.Popen(
        [str(BIN / "finance"), "serve"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=errors,
        start_new_session=True,
    )
    server = Server(f"http://127.0.0.1:{port}")
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                raise RuntimeError((folder / "serve.err").read_text())
            try:
                if server.call("GET", "/api/health/")[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("the server did not start")
            time.sleep(0.2)
        yield server
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
        errors.close()


def start_chromium(download_folder: Path | None = None) -> webdriver.Chrome:
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--window-size={DESKTOP[0]},{DESKTOP[1]}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    if download_folder:
        options.add_experimental_option(
            "prefs",
            {
                "download.default_directory": str(download_folder),
                "download.prompt_for_download": False,
            },
        )
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(TIMEOUT)
    return driver


def chromium_version() -> str:
    chromium = shutil.which(str(CHROMIUM)) or str(CHROMIUM)
    return subprocess.run(
        [chromium, "--version"], capture_output=True, text=True, check=False
    ).stdout.strip()


class Page:
    """The browser, on one server, with helpers that wait the way a person would look."""

    def __init__(self, driver: webdriver.Chrome, server: Server) -> None:
        self.driver = driver
        self.server = server

    def open(self, path: str) -> None:
        self.driver.get(self.server.base + path)

    def wait(
        self, condition: Callable[[webdriver.Chrome], Any], timeout: float = TIMEOUT, what: str = ""
    ) -> Any:
        try:
            return WebDriverWait(self.driver, timeout).until(condition)
        except TimeoutException as error:
            raise AssertionError(
                f"waited {timeout} s for {what or condition}; at {self.driver.current_url}, "
                f"status: {self.status_text()!r}"
            ) from error

    def state(self) -> str | None:
        state: str | None = self.driver.execute_script(
            "return document.body && document.body.dataset.state"
        )
        return state

    def wait_ready(self, states: tuple[str, ...] = ("ready",)) -> None:
        """Wait until the page says it has drawn what it loaded (``body[data-state]``)."""
        self.wait(lambda _d: self.state() in states, what=f"the page state to be one of {states}")

    def wait_for_path(self, path: str) -> None:
        self.wait(
            lambda d: d.current_url.split("?")[0] == self.server.base + path,
            what=f"the page {path}",
        )

    def sign_in(self, email: str, password: str = PASSWORD, landing: str | None = None) -> None:
        self.open("/app/login/")
        self.wait_ready()
        self.find("#email").clear()
        self.find("#email").send_keys(email)
        self.find("#password").send_keys(password)
        self.find("#login-form button[type=submit]").click()
        self.wait(lambda d: "/app/login/" not in d.current_url, what="leaving the sign-in page")
        if landing:
            self.wait_for_path(landing)
        self.wait_ready()

    def sign_out(self) -> None:
        self.find("#sign-out").click()
        self.wait_for_path("/app/login/")

    def reset(self) -> None:
        """A new tab's worth of state: no tokens, the browser log read and dropped."""
        self.open("/app/login/")
        self.driver.execute_script("window.sessionStorage.clear()")
        self.driver.set_window_size(*DESKTOP)
        self.driver.get_log("browser")  # type: ignore[no-untyped-call]

    def find(self, css: str) -> WebElement:
        return self.driver.find_element(By.CSS_SELECTOR, css)

    def find_all(self, css: str) -> list[WebElement]:
        return self.driver.find_elements(By.CSS_SELECTOR, css)

    def text(self, css: str) -> str:
        text: str = self.find(css).text
        return text

    def status_text(self) -> str:
        found = self.driver.find_elements(By.ID, "status")
        return found[0].text if found else ""

    def session_storage(self, key: str) -> str | None:
        value: str | None = self.driver.execute_script(
            f"return window.sessionStorage.getItem({json.dumps(key)})"
        )
        return value

    def page_errors(self) -> list[str]:
        """Script errors and Content-Security-Policy violations logged since the last look
        (an API answer such as 422 is logged too, but is not an error of the page)."""
        problems = []
        for entry in self.driver.get_log("browser"):  # type: ignore[no-untyped-call]
            message = entry["message"]
            if (
                "Content Security Policy" in message
                or "Uncaught" in message
                or "SyntaxError" in message
            ):
                problems.append(message)
        return problems
