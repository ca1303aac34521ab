"""The web pages as HTTP: where a browser is sent, what every page is served with, and that
the JSON root stays JSON for every client that does not ask for a page."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient

from finance.entrypoints.web.pages import CONTENT_SECURITY_POLICY

PAGES = ["/app/", "/app/login/", "/app/records/", "/app/users/"]
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8"


@pytest.mark.parametrize("accept", [BROWSER, "text/html", "text/html;q=0.9, */*;q=0.1"])
def test_a_browser_asking_for_the_root_is_sent_to_the_pages(
    client: FlaskClient, accept: str
) -> None:
    response = client.get("/", headers={"Accept": accept})
    assert response.status_code == 302
    assert response.headers["Location"] == "/app/"
    assert response.headers["Vary"] == "Accept"


@pytest.mark.parametrize(
    "accept",
    [
        None,
        "*/*",
        "application/json",
        "application/json, text/html;q=0.5",
        "text/html;q=0.5, application/json",
        "text/*",
        "text/html;q=0",
        "this is not a media type",
    ],
)
def test_every_other_client_keeps_the_json_root(client: FlaskClient, accept: str | None) -> None:
    headers = {"Accept": accept} if accept is not None else {}
    response = client.get("/", headers=headers)
    assert response.status_code == 200
    assert response.json == {"status": "running", "docs": "/api/docs/"}
    assert response.headers["Vary"] == "Accept"


@pytest.mark.parametrize("path", PAGES)
def test_pages_are_html_under_a_strict_content_security_policy(
    client: FlaskClient, path: str
) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    policy = response.headers["Content-Security-Policy"]
    assert policy == CONTENT_SECURITY_POLICY
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["default-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe" not in policy
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    html = response.get_data(as_text=True)
    # No inline script or style: every script is a file of this origin.
    assert re.findall(r"<script(?![^>]*\ssrc=\"/app/static/)", html) == []
    assert " style=" not in html and "<style" not in html
    assert re.findall(r"<[^>]*\son[a-z]+=", html) == []


@pytest.mark.parametrize("path", PAGES)
def test_every_file_a_page_names_is_served(client: FlaskClient, path: str) -> None:
    html = client.get(path).get_data(as_text=True)
    for asset in re.findall(r'(?:src|href)="(/app/static/[^"]+)"', html):
        response = client.get(asset)
        assert response.status_code == 200, asset
        assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY


def test_scripts_are_served_as_javascript_and_modules_import_only_files_that_exist(
    client: FlaskClient,
) -> None:
    response = client.get("/app/static/js/api.js")
    assert response.mimetype in ("text/javascript", "application/javascript")
    for module in ("dashboard", "records", "users", "login", "shell"):
        text = client.get(f"/app/static/js/{module}.js").get_data(as_text=True)
        for imported in re.findall(r'from "\./([a-z_]+\.js)"', text):
            assert client.get(f"/app/static/js/{imported}").status_code == 200, imported


def test_pages_use_no_eval_or_markup_sinks(client: FlaskClient) -> None:
    for module in ("api", "dom", "money", "shell", "login", "dashboard", "records", "users"):
        text = client.get(f"/app/static/js/{module}.js").get_data(as_text=True)
        for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
            assert sink not in text, f"{module}.js uses {sink}"
        assert "new Function" not in text


def test_a_missing_page_file_is_a_json_404(client: FlaskClient) -> None:
    response = client.get("/app/static/js/nothing-here.js")
    assert response.status_code == 404
    assert response.json is not None and response.json["code"] == 404
    assert client.get("/app/static/../pages.py").status_code == 404


def test_pages_need_no_token_but_show_no_data(client: FlaskClient) -> None:
    # The pages are the same for everyone; the data comes from the API, which checks the token.
    html = client.get("/app/").get_data(as_text=True)
    assert "admin@example.com" not in html
