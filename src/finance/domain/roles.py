"""Roles and the policy that says what each role may do."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    VIEWER = "viewer"
    ANALYST = "analyst"
    ADMIN = "admin"


class Permission(StrEnum):
    READ_OWN_RECORDS = "read_own_records"
    READ_ALL_RECORDS = "read_all_records"
    WRITE_RECORDS = "write_records"
    VIEW_OWN_DASHBOARD = "view_own_dashboard"
    VIEW_ALL_DASHBOARD = "view_all_dashboard"
    EXPORT_OWN_RECORDS = "export_own_records"
    EXPORT_ALL_RECORDS = "export_all_records"
    MANAGE_USERS = "manage_users"


_POLICY: dict[Role, frozenset[Permission]] = {
    Role.VIEWER: frozenset({Permission.READ_OWN_RECORDS, Permission.EXPORT_OWN_RECORDS}),
    Role.ANALYST: frozenset(
        {
            Permission.READ_OWN_RECORDS,
            Permission.EXPORT_OWN_RECORDS,
            Permission.VIEW_OWN_DASHBOARD,
        }
    ),
    Role.ADMIN: frozenset(Permission),
}


def role_allows(role: Role, permission: Permission) -> bool:
    """Whether ``role`` holds ``permission`` under the policy of the Roles table."""
    return permission in _POLICY[role]
