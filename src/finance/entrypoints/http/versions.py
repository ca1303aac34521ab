"""Versions on the wire: an ETag of ``"<id>-<version>"`` on every versioned object, and the
version a client expects, read from If-Match."""

from __future__ import annotations

import re
from typing import Any, Protocol

from flask import request

ETAG_HEADER = {"ETag": {"schema": {"type": "string"}, "description": "Current version"}}
LOCATION_HEADER = {"Location": {"schema": {"type": "string"}}}
IF_MATCH = {
    "parameters": [
        {
            "in": "header",
            "name": "If-Match",
            "required": False,
            "schema": {"type": "string"},
            "description": "ETag from an earlier read; if it is no longer current: 412",
        }
    ]
}
_VERSION = re.compile(r"[0-9]+")


class Versioned(Protocol):
    id: int | None
    version: int


def etag(versioned: Versioned) -> str:
    return f'"{versioned.id}-{versioned.version}"'


def with_etag(versioned: Versioned, status: int = 200, **headers: str) -> Any:
    return versioned, status, {"ETag": etag(versioned), **headers}


def expected_version(object_id: int) -> int | None:
    """The version named by If-Match; 0 (never current) when it names none of this object."""
    header = request.headers.get("If-Match")
    if header is None or header.strip() == "*":
        return None
    for tag in header.split(","):
        tag = tag.strip().removeprefix("W/").strip('"')
        number, _, version = tag.partition("-")
        if number == str(object_id) and _VERSION.fullmatch(version):
            return int(version)
    return 0
