"""The paginated list envelope: count, links to the neighbouring pages, results."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import request

from finance.application.pagination import Page, PageRequest


def page_request(args: dict[str, Any]) -> PageRequest:
    return PageRequest(page=args["page"], page_size=args["page_size"])


def _page_url(page: int) -> str:
    params = request.args.copy()
    params["page"] = str(page)
    params.pop("cursor", None)
    return f"{request.base_url}?{urlencode(list(params.items(multi=True)))}"


def paginated(page: Page[Any], next_cursor: str | None = None) -> dict[str, Any]:
    number, size = page.page.page, page.page.page_size
    has_next = page.total is not None and number * size < page.total
    return {
        "count": page.total,
        "next": _page_url(number + 1) if has_next else None,
        "previous": _page_url(number - 1) if number > 1 else None,
        "next_cursor": next_cursor,
        "results": page.items,
    }
