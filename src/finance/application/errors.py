"""Errors the use cases raise; the HTTP layer maps each one to a status code."""

from __future__ import annotations

from dataclasses import dataclass


class ApplicationError(Exception):
    """Base class of the use cases' errors."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(ApplicationError):
    """No such object, or one the actor may not see."""


class Forbidden(ApplicationError):
    """The actor is known, but their role may not do this."""


class Unauthenticated(ApplicationError):
    """Bad credentials, or a token that no longer stands for a valid session."""


class Conflict(ApplicationError):
    """The change clashes with the current state (duplicate, last admin, reused key)."""


class PreconditionFailed(ApplicationError):
    """The client's expected version is not the current one."""


class TooManyAttempts(ApplicationError):
    """Login attempts are throttled for a while."""

    def __init__(self, message: str, retry_after_seconds: int) -> None:
        super().__init__(message)
        self.retry_after_seconds = retry_after_seconds


class Unavailable(ApplicationError):
    """A backing service (the database) does not answer."""


@dataclass(frozen=True)
class RowError:
    """What is wrong with one cell or row of an imported file (the header is line 1)."""

    line: int
    field: str
    message: str


class ImportRejected(ApplicationError):
    """At least one row of a file is invalid, so nothing of it was imported."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__("The file has invalid rows; nothing was imported.")
        self.errors = errors


class UnreadableRow(Exception):
    """Raised by the rows of a file that cannot be read past ``line`` (a cell too large to
    parse, a quote never closed): the import reports it as that line's error."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(f"line {line}: {message}")
        self.line = line
        self.message = message
