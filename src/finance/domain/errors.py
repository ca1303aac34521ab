"""Errors raised when a value or a change breaks a rule of the domain."""

from __future__ import annotations


class DomainError(Exception):
    """Base class of every error the domain raises."""


class InvalidValue(DomainError):
    """A field holds a value the domain refuses."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message
