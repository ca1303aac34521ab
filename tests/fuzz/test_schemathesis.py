"""Schemathesis over the app's own ``/api/openapi.json``, in process over WSGI, as each role:
every operation, every phase (examples, coverage, fuzzing, stateful sequences through the
spec's links) and every check but one. Zero failures means: no 5xx on any input, every status,
content type, header and body the spec declares, every schema-violating request refused, no
method the spec leaves out accepted, a deleted record gone, and no operation that ignores its
bearer token.

``positive_data_acceptance`` is left out: the server rightly refuses some schema-valid
requests, for rules a JSON schema cannot state (``date_from`` after ``date_to``, an inactive
owner, a password equal to the email, an unknown id) and the spec describes them in words.

``FINANCE_FUZZ_EXAMPLES`` sets the examples per operation (``make test``: 10; ``make fuzz``:
300) and ``FINANCE_FUZZ_SEED`` the seed (fixed by default, so a failure in CI reproduces)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
import schemathesis
from flask import Flask
from schemathesis.engine import events, from_schema
from schemathesis.transport import wsgi

from finance.entrypoints.http.security import issue_tokens
from tests.conftest import ADMIN_EMAIL, PASSWORD, Store, build_test_app, ensure_admin, login

pytestmark = pytest.mark.fuzz

EXAMPLES = int(os.environ.get("FINANCE_FUZZ_EXAMPLES", "10"))
SEED = int(os.environ.get("FINANCE_FUZZ_SEED", "20261129"))
ROLES = ("viewer", "analyst", "admin")


@pytest.fixture(autouse=True)
def in_process_transport_takes_no_socket_options(monkeypatch: pytest.MonkeyPatch) -> None:
    """Schemathesis' engine hands its WSGI transport the socket options of a network run
    (``max_redirects``, ``verify``…), which Werkzeug's test client refuses; drop them."""
    send = wsgi.WSGITransport.send

    def without_socket_options(self: Any, case: Any, *, session: Any = None, **kw: Any) -> Any:
        for name in ("max_redirects", "verify", "cert", "proxies"):
            kw.pop(name, None)
        return send(self, case, session=session, **kw)

    monkeypatch.setattr(wsgi.WSGITransport, "send", without_socket_options)


def seeded_app(store: Store) -> Flask:
    """Users of each role and a few records for each, so ids in the spec's links resolve."""
    app = build_test_app(store)
    ensure_admin(app)
    client = app.test_client()
    admin = {"Authorization": f"Bearer {login(client, ADMIN_EMAIL)['access']}"}
    for role in ("viewer", "analyst"):
        body = {"email": f"{role}@example.com", "name": role, "password": PASSWORD, "role": role}
        owner = client.post("/api/users/", json=body, headers=admin).json["id"]
        for day in range(1, 4):
            record = {
                "amount": f"{day}0.00",
                "type": "expense" if day % 2 else "income",
                "category": "Food",
                "date": f"2026-01-0{day}",
                "owner_id": owner,
            }
            assert client.post("/api/records/", json=record, headers=admin).status_code == 201
    return app


def bearer_provider(app: Flask, email: str) -> type:
    """Tokens for one user, minted afresh for every request from the user's current state,
    so a run that changes the user's password or revokes a token does not lock itself out."""

    class Bearer:
        def get(self, case: Any, ctx: Any) -> str:
            with app.app_context(), app.container.read_uow() as uow:  # type: ignore[attr-defined]
                user = uow.users.get_by_email(email)
                assert user is not None
                access: str = issue_tokens(user, int(timedelta(minutes=15).total_seconds()))[
                    "access"
                ]
            return access

        def set(self, case: Any, data: str, ctx: Any) -> None:
            case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}

    return Bearer


@dataclass(frozen=True)
class Failure:
    operation: str
    check: str
    title: str
    message: str
    reproduce: str

    def __str__(self) -> str:
        return f"{self.operation}: {self.check}: {self.title}\n  {self.message}\n  {self.reproduce}"


@dataclass
class Run:
    failures: list[Failure] = field(default_factory=list)
    #: Operations that answered at least once with a status other than 401: their bearer token
    #: was taken, so their views (or the checks before them) ran.
    authenticated: set[str] = field(default_factory=set)
    operations: set[str] = field(default_factory=set)


def fuzz(app: Flask, email: str) -> Run:
    config = schemathesis.Config.from_dict(
        {
            "seed": SEED,
            "generation": {"max-examples": EXAMPLES, "mode": "all"},
            "checks": {"enabled": True, "positive_data_acceptance": {"enabled": False}},
            "phases": {"stateful": {"enabled": True, "max-steps": 20}},
            "operations": [
                {
                    # A deleted record's history stays readable to admins, by design: it is
                    # how they see who deleted it, and when.
                    "include-path": "/api/records/{record_id}/history/",
                    "checks": {"use_after_free": {"enabled": False}},
                },
                {
                    # Restoring a record that is not deleted is a 404 by contract, so a record
                    # just created is "not available" there.
                    "include-path": "/api/records/{record_id}/restore/",
                    "checks": {"ensure_resource_availability": {"enabled": False}},
                },
            ],
        }
    )
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app, config=config)
    schema.auth(refresh_interval=None)(bearer_provider(app, email))
    run = Run(operations={result.ok().label for result in schema.get_all_operations()})
    seen: set[tuple[str, str, str]] = set()
    for event in from_schema(schema).execute():
        if isinstance(event, events.NonFatalError | events.FatalError):
            raise AssertionError(f"schemathesis could not run: {event}")
        if not isinstance(event, events.ScenarioFinished):
            continue
        recorder = event.recorder
        for case_id, interaction in recorder.interactions.items():
            if interaction.response is not None and interaction.response.status_code != 401:
                run.authenticated.add(recorder.cases[case_id].value.operation.label)
        for checks in recorder.checks.values():
            for check in checks:
                if check.failure_info is None:
                    continue
                failure = check.failure_info.failure
                key = (str(event.label), check.name, failure.title)
                if key not in seen:
                    seen.add(key)
                    run.failures.append(
                        Failure(
                            operation=str(event.label or "stateful sequence"),
                            check=check.name,
                            title=failure.title,
                            message=(failure.message or "")[:500],
                            reproduce=check.failure_info.code_sample[:800],
                        )
                    )
    return run


@pytest.mark.parametrize("role", ROLES)
def test_the_api_keeps_its_spec_for_every_input(sqlite_store: Store, role: str) -> None:
    app = seeded_app(sqlite_store)
    email = ADMIN_EMAIL if role == "admin" else f"{role}@example.com"
    run = fuzz(app, email)
    assert not run.failures, f"seed {SEED}:\n" + "\n".join(str(f) for f in run.failures)
    assert run.authenticated == run.operations, run.operations - run.authenticated
