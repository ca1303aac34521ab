from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Connection, bindparam, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from finance.adapters.sqlalchemy.engine import SQLITE_LOWER
from finance.adapters.sqlalchemy.tables import users
from finance.application.errors import Conflict
from finance.application.pagination import Page, PageRequest
from finance.application.ports import UserQuery
from finance.domain.roles import Role
from finance.domain.users import User


def to_user(row: Any) -> User:
    return User(
        id=row.id,
        email=row.email,
        name=row.name,
        role=Role(row.role),
        password_hash=row.password_hash,
        is_active=row.is_active,
        token_version=row.token_version,
        date_joined=row.date_joined,
    )


def _columns(user: User) -> dict[str, Any]:
    return {
        "email": user.email,
        "name": user.name,
        "role": user.role.value,
        "password_hash": user.password_hash,
        "is_active": user.is_active,
        "token_version": user.token_version,
        "date_joined": user.date_joined,
    }


#: Built once: the statement every authenticated use case runs.
_BY_ID = select(users).where(users.c.id == bindparam("user_id"))


class SqlUserRepository:
    def __init__(self, connection: Connection) -> None:
        self._conn = connection
        self._sqlite = connection.dialect.name == "sqlite"

    def _lower(self, column: Any) -> ColumnElement[str]:
        if self._sqlite:
            return getattr(func, SQLITE_LOWER)(column)  # type: ignore[no-any-return]
        return func.lower(column)

    def add(self, user: User) -> User:
        try:
            with self._conn.begin_nested():
                result = self._conn.execute(insert(users).values(**_columns(user)))
        except IntegrityError as error:
            raise Conflict("A user with this email already exists.") from error
        assert result.inserted_primary_key is not None
        user.id = result.inserted_primary_key[0]
        return user

    def get(self, user_id: int) -> User | None:
        row = self._conn.execute(_BY_ID, {"user_id": user_id}).first()
        return to_user(row) if row else None

    def get_by_email(self, email: str) -> User | None:
        row = self._conn.execute(select(users).where(users.c.email == email)).first()
        return to_user(row) if row else None

    def save(self, user: User) -> None:
        self._conn.execute(update(users).where(users.c.id == user.id).values(**_columns(user)))

    def find(self, query: UserQuery, page: PageRequest) -> Page[User]:
        conditions = []
        if query.role is not None:
            conditions.append(users.c.role == query.role.value)
        if query.is_active is not None:
            conditions.append(users.c.is_active == query.is_active)
        if query.text:
            text = query.text.lower()
            conditions.append(
                or_(
                    self._lower(users.c.email).contains(text, autoescape=True),
                    self._lower(users.c.name).contains(text, autoescape=True),
                )
            )
        total = self._conn.execute(
            select(func.count()).select_from(users).where(*conditions)
        ).scalar_one()
        rows = self._conn.execute(
            select(users)
            .where(*conditions)
            .order_by(users.c.id)
            .limit(page.page_size)
            .offset(page.offset)
        )
        return Page([to_user(r) for r in rows], total, page)

    def active_admin_ids(self) -> list[int]:
        rows = self._conn.execute(
            select(users.c.id)
            .where(users.c.role == Role.ADMIN.value, users.c.is_active.is_(True))
            .with_for_update()
        )
        return [r.id for r in rows]

    def any_admin(self) -> bool:
        row = self._conn.execute(
            select(users.c.id).where(users.c.role == Role.ADMIN.value).limit(1)
        ).first()
        return row is not None
