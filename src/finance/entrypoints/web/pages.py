"""Serving the web pages under ``/app/``: static HTML and one script module per page, which
call the JSON API with the signed-in user's token. Nothing is decided here: the API enforces
every rule, and the pages only leave out what the user's role may not do."""

from __future__ import annotations

from importlib.resources import files

from flask import Blueprint, Response, send_from_directory

PAGES = str(files("finance.entrypoints.web") / "pages")
STATIC = str(files("finance.entrypoints.web") / "static")

# Scripts, styles, images and requests from this origin only: no inline script, no eval, no
# inline style attributes in markup (scripts still set styles through the CSSOM), no framing.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

blueprint = Blueprint("web", __name__, url_prefix="/app")


def _page(name: str) -> Response:
    return send_from_directory(PAGES, f"{name}.html", max_age=0)


@blueprint.get("/")
def dashboard() -> Response:
    return _page("dashboard")


@blueprint.get("/login/")
def login() -> Response:
    return _page("login")


@blueprint.get("/records/")
def records() -> Response:
    return _page("records")


@blueprint.get("/users/")
def users() -> Response:
    return _page("users")


@blueprint.get("/static/<path:filename>")
def static(filename: str) -> Response:
    # Revalidated on every load (an ETag answers 304), so a new release is picked up at once.
    return send_from_directory(STATIC, filename, max_age=0)


@blueprint.after_request
def protect(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
    return response
