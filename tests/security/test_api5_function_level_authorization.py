"""API5:2023 Broken Function Level Authorization.

Every operation the app serves, called by every role, against the contract's Roles table: an
allowed role is served; anonymous gets 401 on bearer routes; a signed-in role that may not call
it gets 403, and the refused call changes nothing. The table (``operations.OPERATIONS``) must
list every route Flask serves, so a new route cannot slip in without a row."""

from __future__ import annotations

import re

import pytest
from flask import Flask

from tests.security.conftest import ROLES, World, assert_safe_error
from tests.security.operations import OPERATIONS, Operation, make_targets, send, state


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda o: o.id)
def test_each_role_is_served_only_what_the_roles_table_allows(
    world: World, operation: Operation, role: str
) -> None:
    caller = world.caller(role)
    targets = make_targets(world, caller)
    before = state(world, targets)
    response = send(caller, operation, targets)
    expected = operation.expected(role)
    if expected < 400:
        assert response.status_code == expected, response.get_data(as_text=True)[:500]
        return
    assert_safe_error(response, expected)
    assert state(world, targets) == before


def test_the_table_lists_every_route_flask_serves(world: World) -> None:
    served = {
        (method, re.sub(r"<[^>]+>", "{}", rule.rule))
        for rule in world.app.url_map.iter_rules()
        if rule.endpoint != "static"
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}
    }
    listed = {(o.method, o.shape) for o in OPERATIONS}
    assert served == listed


@pytest.mark.parametrize("role", ["viewer", "analyst"])
@pytest.mark.parametrize("override", ["DELETE", "PUT", "PATCH"])
def test_a_method_override_header_does_not_change_what_is_called(
    world: World, role: str, override: str
) -> None:
    """Only the request method counts: a GET that asks to be a DELETE stays a GET."""
    caller = world.caller(role)
    record = world.record(caller.id)
    url = f"/api/records/{record['id']}/"
    for header in ("X-HTTP-Method-Override", "X-HTTP-Method", "X-Method-Override"):
        response = caller.get(url, headers={header: override}, query_string={"_method": override})
        assert response.status_code == 200
        assert response.json == record
    assert world.root.get(url).json == record


def test_static_files_are_not_served_from_the_package(app: Flask) -> None:
    """Flask's default ``/static/`` route has no folder behind it: nothing of the package (its
    source, its settings) can be fetched through it."""
    client = app.test_client()
    for path in ("/static/main.py", "/static/../main.py", "/static/settings.py", "/static/"):
        assert_safe_error(client.get(path), 404)
