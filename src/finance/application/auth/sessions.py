"""Validating, refreshing and ending the sessions that tokens stand for."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from finance.application.authorization import Actor
from finance.application.errors import Unauthenticated
from finance.application.ports import Clock, TokenStore, UnitOfWork
from finance.domain.errors import InvalidValue
from finance.domain.users import User

#: How long a revoked token's id is kept after the token expires: its expiry refuses it from
#: then on, and the margin covers clocks that disagree a little.
KEEP_REVOKED_AFTER_EXPIRY = timedelta(hours=1)


def _forget_before(clock: Clock) -> datetime:
    return clock.now() - KEEP_REVOKED_AFTER_EXPIRY


@dataclass(frozen=True)
class TokenClaims:
    """What a verified token says: whose it is, which session version, its id and expiry."""

    user_id: int
    token_version: int
    jti: str
    expires_at: datetime


@dataclass(frozen=True)
class Session:
    """What a token stands for now: its user as stored (None if unknown) and whether the
    token's id has been revoked."""

    user: User | None
    revoked: bool


class SessionLookup(Protocol):
    def session(self, user_id: int, jti: str) -> Session:
        """The user and the revocation of one token, read together (one round trip: every
        authenticated request asks)."""
        ...


def _current_user(uow: UnitOfWork, claims: TokenClaims) -> User:
    with uow:
        user = uow.users.get(claims.user_id)
    return _valid_user(user, claims)


def _valid_user(user: User | None, claims: TokenClaims) -> User:
    if user is None or not user.is_active or user.token_version != claims.token_version:
        raise Unauthenticated("Token is no longer valid.")
    return user


class ResolveSession:
    """A token is honoured only while it is not revoked and its user is active with the same
    role and password as when it was issued."""

    def __init__(self, sessions: SessionLookup) -> None:
        self._sessions = sessions

    def execute(self, claims: TokenClaims) -> Actor:
        session = self._sessions.session(claims.user_id, claims.jti)
        if session.revoked:
            raise Unauthenticated("Token has been revoked.")
        user = _valid_user(session.user, claims)
        assert user.id is not None
        return Actor(user_id=user.id, role=user.role)


class RefreshSession:
    """A refresh token is good for one refresh: it is revoked as it is used, and using it again
    fails."""

    def __init__(self, uow: UnitOfWork, tokens: TokenStore, clock: Clock) -> None:
        self._uow = uow
        self._tokens = tokens
        self._clock = clock

    def execute(self, claims: TokenClaims) -> User:
        user = _current_user(self._uow, claims)
        if not self._tokens.revoke(claims.jti, claims.expires_at, _forget_before(self._clock)):
            raise Unauthenticated("Token has been revoked.")
        return user


@dataclass(frozen=True)
class LogoutRequest:
    actor: Actor
    tokens: tuple[TokenClaims, ...]


class Logout:
    """Logging out revokes the access token in use and, if given, the caller's refresh token."""

    def __init__(self, tokens: TokenStore, clock: Clock) -> None:
        self._tokens = tokens
        self._clock = clock

    def execute(self, request: LogoutRequest) -> None:
        if any(claims.user_id != request.actor.user_id for claims in request.tokens):
            raise InvalidValue("refresh", "Token does not belong to the caller.")
        forget_before = _forget_before(self._clock)
        for claims in request.tokens:
            self._tokens.revoke(claims.jti, claims.expires_at, forget_before)
