"""What every HTTP test checks about error responses and user objects."""

from __future__ import annotations

from datetime import datetime
from http import HTTPStatus
from typing import Any

USER_FIELDS = {"id", "email", "name", "role", "is_active", "date_joined"}
RECORD_FIELDS = {
    "id",
    "amount",
    "type",
    "category",
    "date",
    "description",
    "owner_id",
    "created_by",
    "created_at",
    "updated_at",
    "version",
    "recurring_id",
}


def assert_error(
    response: Any, code: int, fields: dict[str, set[str]] | None = None
) -> dict[str, Any]:
    """The contract's error shape: ``{code, status, message, errors?}``, JSON, never HTML.
    ``fields`` maps a location (``json``, ``query``) to field names that must carry messages."""
    assert response.status_code == code, (response.status_code, response.get_data(as_text=True))
    assert response.is_json, response.get_data(as_text=True)
    body: dict[str, Any] = response.json
    assert set(body) <= {"code", "status", "message", "errors"}, body
    assert body["code"] == code
    assert body["status"] == HTTPStatus(code).phrase
    assert isinstance(body["message"], str) and body["message"]
    assert "Traceback" not in response.get_data(as_text=True)
    if fields is None:
        return body
    assert "errors" in body, body
    for location, names in fields.items():
        messages = body["errors"][location]
        for name in names:
            assert messages.get(name), (name, body)
            assert all(isinstance(m, str) for m in messages[name]), body
    return body


def assert_user(body: Any, **expected: Any) -> None:
    """A user object: exactly the public fields, never a password or hash."""
    assert set(body) == USER_FIELDS, body
    assert isinstance(body["id"], int) and body["id"] > 0
    joined = datetime.fromisoformat(body["date_joined"].replace("Z", "+00:00"))
    assert joined.utcoffset() is not None
    for key, value in expected.items():
        assert body[key] == value, (key, body)
