"""Ids: positive whole numbers that fit the stores' signed 64-bit integers."""

from __future__ import annotations

import re

from finance.domain.errors import InvalidValue

MAX_ID = 2**63 - 1
ID_RANGE_MESSAGE = f"Must be a whole number from 1 to {MAX_ID}."
_ASCII_DIGITS = re.compile(r"[0-9]+")
_MAX_ID_DIGITS = len(str(MAX_ID))


def check_id(field: str, value: int) -> int:
    if not 1 <= value <= MAX_ID:
        raise InvalidValue(field, ID_RANGE_MESSAGE)
    return value


def parse_id(field: str, text: str) -> int:
    """An id written in ASCII digits (not ``+1``, ``1_000`` or other scripts' digits)."""
    if not _ASCII_DIGITS.fullmatch(text) or len(text.lstrip("0")) > _MAX_ID_DIGITS:
        raise InvalidValue(field, ID_RANGE_MESSAGE)
    return check_id(field, int(text))
