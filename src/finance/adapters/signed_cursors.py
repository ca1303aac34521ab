"""Opaque cursors for keyset pagination, signed with HMAC-SHA256."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import date, datetime

from finance.application.records.filters import KeysetPosition, KeyValue, Ordering
from finance.domain.errors import InvalidValue

_INVALID = "Not a valid cursor for this query."


class SignedCursors:
    """Encodes where a page ended, signed so a cursor cannot be forged or reused for another
    query or another user (its binding)."""

    def __init__(self, secret: str) -> None:
        self._key = hashlib.sha256(("records-cursor:" + secret).encode()).digest()

    def _sign(self, body: bytes) -> str:
        return hmac.new(self._key, body, hashlib.sha256).hexdigest()[:32]

    def encode(self, position: KeysetPosition, binding: str) -> str:
        value = position.value
        text = value.isoformat() if isinstance(value, date | datetime) else str(value)
        body = json.dumps({"v": text, "i": position.record_id, "s": binding}).encode()
        return base64.urlsafe_b64encode(body).decode().rstrip("=") + "." + self._sign(body)

    def decode(self, cursor: str, binding: str, ordering: Ordering) -> KeysetPosition:
        try:
            encoded, signature = cursor.rsplit(".", 1)
            body = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
            if not hmac.compare_digest(self._sign(body), signature):
                raise ValueError("signature")
            data = json.loads(body)
            if data["s"] != binding:
                raise ValueError("binding")
            return KeysetPosition(_parse(ordering, data["v"]), int(data["i"]))
        except (ValueError, KeyError, TypeError) as error:
            raise InvalidValue("cursor", _INVALID) from error


def _parse(ordering: Ordering, text: str) -> KeyValue:
    if ordering.field == "date":
        return date.fromisoformat(text)
    if ordering.field == "created_at":
        return datetime.fromisoformat(text)
    return int(text)
