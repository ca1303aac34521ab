"""/api/users/: user management, for admins."""

from __future__ import annotations

from typing import Any

from dependency_injector.wiring import Provide, inject
from flask import url_for
from flask_jwt_extended import jwt_required

from finance.application.ports import UserQuery
from finance.application.users.create_user import CreateUser, CreateUserRequest
from finance.application.users.deactivate_user import DeactivateUser, DeactivateUserRequest
from finance.application.users.get_user import GetUser, GetUserRequest
from finance.application.users.list_users import ListUsers, ListUsersRequest
from finance.application.users.update_user import UpdateUser, UpdateUserRequest
from finance.domain.roles import Role
from finance.entrypoints.http.api import BEARER, ApiBlueprint
from finance.entrypoints.http.pagination import page_request, paginated
from finance.entrypoints.http.schemas import (
    CreateUserSchema,
    UpdateUserSchema,
    UserListQuerySchema,
    UserPageSchema,
    UserSchema,
)
from finance.entrypoints.http.security import current_actor

blp = ApiBlueprint("users", __name__, url_prefix="/api/users", description="User management.")


@blp.get("/")
@jwt_required()
@blp.arguments(UserListQuerySchema, location="query")
@blp.response(200, UserPageSchema)
@blp.errors(401, 403)
@blp.doc(security=BEARER, description=ListUsers.__doc__)
@inject
def list_users(args: dict[str, Any], list_users: ListUsers = Provide["list_users"]) -> Any:
    query = UserQuery(
        role=Role(args["role"]) if "role" in args else None,
        is_active=args.get("is_active"),
        text=args.get("q") or None,
    )
    page = list_users.execute(ListUsersRequest(current_actor(), query, page_request(args)))
    return paginated(page)


@blp.post("/")
@jwt_required()
@blp.arguments(CreateUserSchema)
@blp.response(201, UserSchema, headers={"Location": {"schema": {"type": "string"}}})
@blp.errors(401, 403, 409, 413)
@blp.doc(security=BEARER, description=CreateUser.__doc__)
@inject
def create_user(body: dict[str, Any], create_user: CreateUser = Provide["create_user"]) -> Any:
    user = create_user.execute(
        CreateUserRequest(
            actor=current_actor(),
            email=body["email"],
            name=body["name"],
            password=body["password"],
            role=Role(body["role"]),
        )
    )
    return user, 201, {"Location": url_for("users.get_user", user_id=user.id)}


@blp.get("/<id:user_id>/")
@jwt_required()
@blp.response(200, UserSchema)
@blp.errors(401, 403, 404, 422)
@blp.doc(security=BEARER, description=GetUser.__doc__)
@inject
def get_user(user_id: int, get_user: GetUser = Provide["get_user"]) -> Any:
    return get_user.execute(GetUserRequest(current_actor(), user_id))


@blp.patch("/<id:user_id>/")
@jwt_required()
@blp.arguments(UpdateUserSchema)
@blp.response(200, UserSchema)
@blp.errors(401, 403, 404, 409, 413, 422)
@blp.doc(security=BEARER, description=UpdateUser.__doc__)
@inject
def update_user(
    body: dict[str, Any], user_id: int, update_user: UpdateUser = Provide["update_user"]
) -> Any:
    return update_user.execute(
        UpdateUserRequest(
            actor=current_actor(),
            user_id=user_id,
            name=body.get("name"),
            role=Role(body["role"]) if "role" in body else None,
            is_active=body.get("is_active"),
            password=body.get("password"),
        )
    )


@blp.delete("/<id:user_id>/")
@jwt_required()
@blp.response(204)
@blp.errors(401, 403, 404, 409, 422)
@blp.doc(security=BEARER, description=DeactivateUser.__doc__)
@inject
def deactivate_user(user_id: int, deactivate: DeactivateUser = Provide["deactivate_user"]) -> None:
    deactivate.execute(DeactivateUserRequest(current_actor(), user_id))
