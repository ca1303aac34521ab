"""Text every store can hold: valid Unicode with no NUL character. PostgreSQL refuses NUL in
text and no UTF-8 encoder takes a lone surrogate, so both are refused everywhere alike."""

from __future__ import annotations

from finance.domain.errors import InvalidValue

UNSTORABLE_MESSAGE = "Must be valid Unicode text without NUL characters."


def is_storable(text: str) -> bool:
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def check_storable(field: str, text: str) -> str:
    if not is_storable(text):
        raise InvalidValue(field, UNSTORABLE_MESSAGE)
    return text
