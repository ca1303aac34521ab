"""Page requests and pages of results, shared by every list use case."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from finance.domain.errors import InvalidValue

T = TypeVar("T")

MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20


@dataclass(frozen=True)
class PageRequest:
    page: int = 1
    page_size: int = DEFAULT_PAGE_SIZE

    def __post_init__(self) -> None:
        if self.page < 1:
            raise InvalidValue("page", "Must be at least 1.")
        if not 1 <= self.page_size <= MAX_PAGE_SIZE:
            raise InvalidValue("page_size", f"Must be between 1 and {MAX_PAGE_SIZE}.")

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.page_size


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    total: int | None
    page: PageRequest
