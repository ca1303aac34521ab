"""Bearer tokens: issuing them, and turning a verified token into the acting user."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from dependency_injector.wiring import Provide, inject
from flask import Flask
from flask_jwt_extended import (
    JWTManager,
    create_access_token,
    create_refresh_token,
    decode_token,
    get_current_user,
    get_jwt,
)
from flask_jwt_extended.exceptions import JWTExtendedException
from jwt.exceptions import PyJWTError

from finance.application.auth.sessions import ResolveSession, TokenClaims
from finance.application.authorization import Actor
from finance.application.errors import Unauthenticated
from finance.domain.users import User
from finance.entrypoints.http.errors import error_body


def issue_tokens(user: User, access_seconds: int) -> dict[str, Any]:
    claims = {"ver": user.token_version, "role": user.role.value}
    identity = str(user.id)
    return {
        "access": create_access_token(identity=identity, additional_claims=claims),
        "refresh": create_refresh_token(identity=identity, additional_claims=claims),
        "token_type": "Bearer",
        "expires_in": access_seconds,
    }


def claims_of(payload: dict[str, Any]) -> TokenClaims:
    try:
        return TokenClaims(
            user_id=int(payload["sub"]),
            token_version=int(payload["ver"]),
            jti=str(payload["jti"]),
            expires_at=datetime.fromtimestamp(int(payload["exp"]), UTC),
        )
    except (KeyError, TypeError, ValueError) as error:
        raise Unauthenticated("Token is not valid.") from error


def decode_refresh_token(token: str, allow_expired: bool = False) -> TokenClaims:
    """Verify a refresh token sent in a body (signature, algorithm, issuer, audience, expiry)."""
    try:
        payload = decode_token(token, allow_expired=allow_expired)
    except (PyJWTError, JWTExtendedException) as error:
        raise Unauthenticated("Refresh token is not valid.") from error
    if payload.get("type") != "refresh":
        raise Unauthenticated("Refresh token is not valid.")
    return claims_of(payload)


def current_actor() -> Actor:
    actor: Actor = get_current_user()
    return actor


def current_claims() -> TokenClaims:
    return claims_of(get_jwt())


@inject
def _load_actor(
    _header: dict[str, Any],
    payload: dict[str, Any],
    resolve_session: ResolveSession = Provide["resolve_session"],
) -> Actor | None:
    try:
        return resolve_session.execute(claims_of(payload))
    except Unauthenticated:
        return None


def _unauthorized(message: str) -> Any:
    return error_body(401, message), 401, {"WWW-Authenticate": "Bearer"}


class VerifiedTokenCache(JWTManager):
    """flask-jwt-extended reads a bearer token four times a request (its claims unverified,
    its header twice, then verified), most of it in PyJWT's pure-Python base64 checks: a
    third of an authenticated read. A token that verified once verifies again, so its claims
    are kept (a bounded number of tokens, per process) and only its expiry is checked again.
    Revocation and the user's state are still read on every request."""

    MAX_TOKENS = 10_000

    def __init__(self, app: Flask) -> None:
        self._verified: dict[str, dict[str, Any]] = {}
        super().__init__(app)

    def _decode_jwt_from_config(
        self, encoded_token: str, csrf_value: Any = None, allow_expired: bool = False
    ) -> dict[str, Any]:
        cacheable = csrf_value is None and not allow_expired
        known = self._verified.get(encoded_token) if cacheable else None
        if known is not None and known["exp"] > time.time():
            return dict(known)
        decoded: dict[str, Any] = super()._decode_jwt_from_config(
            encoded_token, csrf_value, allow_expired
        )
        if cacheable:
            if len(self._verified) >= self.MAX_TOKENS:
                self._verified.clear()
            self._verified[encoded_token] = dict(decoded)
        return decoded


def init_jwt(app: Flask) -> None:
    jwt = VerifiedTokenCache(app)
    jwt.user_lookup_loader(_load_actor)
    jwt.user_lookup_error_loader(lambda _h, _p: _unauthorized("Token is no longer valid."))
    jwt.unauthorized_loader(lambda reason: _unauthorized("Missing or malformed bearer token."))
    jwt.invalid_token_loader(lambda reason: _unauthorized(f"Invalid token: {reason}"))
    jwt.expired_token_loader(lambda _h, _p: _unauthorized("Token has expired."))
    jwt.revoked_token_loader(lambda _h, _p: _unauthorized("Token has been revoked."))
    jwt.needs_fresh_token_loader(lambda _h, _p: _unauthorized("Fresh token required."))
    jwt.token_verification_failed_loader(lambda _h, _p: _unauthorized("Token is not valid."))
