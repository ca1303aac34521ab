from __future__ import annotations

from dataclasses import replace

from finance.adapters.memory.store import MemoryTransaction
from finance.application.errors import Conflict
from finance.application.pagination import Page, PageRequest
from finance.application.ports import UserQuery
from finance.domain.roles import Role
from finance.domain.users import User


class MemoryUserRepository:
    def __init__(self, tx: MemoryTransaction) -> None:
        self._tx = tx
        self._users = tx.store.users

    def add(self, user: User) -> User:
        if any(u.email == user.email for u in self._users.values()):
            raise Conflict("A user with this email already exists.")
        user.id = self._tx.next_id("users")
        self._tx.put(self._users, user.id, replace(user))
        return user

    def get(self, user_id: int) -> User | None:
        user = self._users.get(user_id)
        return replace(user) if user else None

    def get_by_email(self, email: str) -> User | None:
        for user in self._users.values():
            if user.email == email:
                return replace(user)
        return None

    def save(self, user: User) -> None:
        assert user.id in self._users
        self._tx.put(self._users, user.id, replace(user))

    def find(self, query: UserQuery, page: PageRequest) -> Page[User]:
        text = query.text.lower() if query.text else None
        matches = [
            replace(u)
            for u in sorted(self._users.values(), key=lambda u: u.id or 0)
            if (query.role is None or u.role is query.role)
            and (query.is_active is None or u.is_active is query.is_active)
            and (text is None or text in u.email.lower() or text in u.name.lower())
        ]
        return Page(matches[page.offset : page.offset + page.page_size], len(matches), page)

    def active_admin_ids(self) -> list[int]:
        return [u.id for u in self._users.values() if u.is_active_admin and u.id is not None]

    def any_admin(self) -> bool:
        return any(u.role is Role.ADMIN for u in self._users.values())
