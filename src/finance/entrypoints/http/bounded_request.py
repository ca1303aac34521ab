"""Requests whose body, sent with or without a length, is refused whole when over the limit."""

from __future__ import annotations

from typing import IO

from flask import Request
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.utils import cached_property
from werkzeug.wsgi import LimitedStream, get_content_length, get_input_stream


class _ChunkedBody(LimitedStream):
    """Werkzeug stops reading a body that has no Content-Length at the limit and hands over
    what it read as if the body ended there, so an import would store the rows that fit. Reading
    one byte past the limit tells a body that ends there from one that goes on: 413."""

    def __init__(self, stream: IO[bytes], limit: int) -> None:
        super().__init__(stream, limit + 1, is_max=True)
        self._max = limit

    def readinto(self, b: bytearray) -> int | None:  # type: ignore[override]
        size = super().readinto(b)
        if self.tell() > self._max:
            raise RequestEntityTooLarge()
        return size


class BoundedRequest(Request):
    @cached_property
    def stream(self) -> IO[bytes]:
        limit = self.max_content_length
        chunked = "wsgi.input_terminated" in self.environ
        if limit is None or not chunked or get_content_length(self.environ) is not None:
            return get_input_stream(self.environ, max_content_length=limit)
        return _ChunkedBody(self.environ["wsgi.input"], limit)  # type: ignore[return-value]
