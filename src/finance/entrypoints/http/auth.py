"""/api/auth/: signing in and out, refreshing tokens, the caller's account and password."""

from __future__ import annotations

from typing import Any

from dependency_injector.wiring import Provide, inject
from flask import Response, current_app, request
from flask_jwt_extended import jwt_required

from finance.application.auth.authenticate_user import AuthenticateUser, AuthenticateUserRequest
from finance.application.auth.change_password import ChangePassword, ChangePasswordRequest
from finance.application.auth.current_user import GetCurrentUser
from finance.application.auth.sessions import Logout, LogoutRequest, RefreshSession
from finance.application.errors import Unauthenticated
from finance.domain.errors import InvalidValue
from finance.domain.users import User
from finance.entrypoints.http.api import BEARER, PUBLIC, ApiBlueprint
from finance.entrypoints.http.schemas import (
    ChangePasswordSchema,
    LoginSchema,
    LogoutSchema,
    RefreshSchema,
    TokenPairSchema,
    UserSchema,
)
from finance.entrypoints.http.security import (
    current_actor,
    current_claims,
    decode_refresh_token,
    issue_tokens,
)

blp = ApiBlueprint("auth", __name__, url_prefix="/api/auth", description="Sign in and sessions.")


#: The routes whose answers carry tokens, which no cache may keep (RFC 6749, section 5.1).
TOKEN_ENDPOINTS = frozenset({"auth.login", "auth.refresh"})


@blp.after_request
def never_cache_tokens(response: Response) -> Response:
    if request.endpoint in TOKEN_ENDPOINTS:
        response.headers["Cache-Control"] = "no-store"
        response.headers["Pragma"] = "no-cache"
    return response


def _tokens_for(user: User) -> dict[str, Any]:
    return issue_tokens(user, int(current_app.config["JWT_ACCESS_TOKEN_EXPIRES"].total_seconds()))


@blp.post("/login/")
@blp.arguments(LoginSchema)
@blp.response(200, TokenPairSchema)
@blp.errors(401, 413, 429)
@blp.doc(security=PUBLIC, description=AuthenticateUser.__doc__)
@inject
def login(
    body: dict[str, str], authenticate: AuthenticateUser = Provide["authenticate_user"]
) -> Any:
    user = authenticate.execute(AuthenticateUserRequest(body["email"], body["password"]))
    return _tokens_for(user)


@blp.post("/refresh/")
@blp.arguments(RefreshSchema)
@blp.response(200, TokenPairSchema)
@blp.errors(401, 413)
@blp.doc(security=PUBLIC, description=RefreshSession.__doc__)
@inject
def refresh(
    body: dict[str, str], refresh_session: RefreshSession = Provide["refresh_session"]
) -> Any:
    user = refresh_session.execute(decode_refresh_token(body["refresh"]))
    return _tokens_for(user)


@blp.post("/logout/")
@jwt_required()
@blp.arguments(LogoutSchema, required=False)
@blp.response(204)
@blp.errors(401, 413)
@blp.doc(security=BEARER, description=Logout.__doc__)
@inject
def logout(body: dict[str, str] | None, logout: Logout = Provide["logout"]) -> None:
    tokens = [current_claims()]
    if body and "refresh" in body:
        try:
            tokens.append(decode_refresh_token(body["refresh"], allow_expired=True))
        except Unauthenticated as error:
            raise InvalidValue("refresh", "Not a valid refresh token.") from error
    logout.execute(LogoutRequest(current_actor(), tuple(tokens)))


@blp.get("/me/")
@jwt_required()
@blp.response(200, UserSchema)
@blp.errors(401)
@blp.doc(security=BEARER, description=GetCurrentUser.__doc__)
@inject
def me(get_current_user: GetCurrentUser = Provide["get_current_user"]) -> Any:
    return get_current_user.execute(current_actor())


@blp.post("/password/")
@jwt_required()
@blp.arguments(ChangePasswordSchema)
@blp.response(204)
@blp.errors(401, 413)
@blp.doc(security=BEARER, description=ChangePassword.__doc__)
@inject
def change_password(
    body: dict[str, str], change: ChangePassword = Provide["change_password"]
) -> None:
    change.execute(
        ChangePasswordRequest(current_actor(), body["current_password"], body["new_password"])
    )
