"""Every operation the API serves, with who may call it (the contract's Roles table), a request
that would succeed for an allowed caller, and the targets those requests act on."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from tests.conftest import PASSWORD
from tests.security.conftest import RECORD, Caller, World

ANYONE = frozenset({"anonymous", "viewer", "analyst", "admin"})
SIGNED_IN = frozenset({"viewer", "analyst", "admin"})
ANALYSTS = frozenset({"analyst", "admin"})
ADMINS = frozenset({"admin"})

_numbers = itertools.count(1)


@dataclass(frozen=True)
class Targets:
    """What one test's requests act on, all made for that test: a live and a soft-deleted
    record of the caller (of the root admin for anonymous), another user, and credentials and a
    refresh token (the caller's, or a spare user's for anonymous)."""

    record_id: int
    deleted_id: int
    budget_id: int
    schedule_id: int
    user_id: int
    email: str
    password: str
    refresh: str


def make_targets(world: World, caller: Caller) -> Targets:
    owner = caller.id if caller.user is not None else world.root.id
    signed_in = caller if caller.user is not None else world.caller("viewer")
    assert signed_in.user is not None and signed_in.refresh_token is not None
    return Targets(
        record_id=world.record(owner)["id"],
        deleted_id=world.deleted_record(owner)["id"],
        budget_id=world.budget(owner)["id"],
        schedule_id=world.schedule(owner)["id"],
        user_id=world.new_user("viewer")["id"],
        email=signed_in.email,
        password=signed_in.password,
        refresh=signed_in.refresh_token,
    )


Body = Callable[[Targets], Any]


@dataclass(frozen=True)
class Operation:
    method: str
    url: str  # with ``{record_id}``-style fields of Targets
    allowed: frozenset[str]
    success: int
    json: Body | None = None
    csv: str | None = None
    needs_database: bool = True

    @property
    def id(self) -> str:
        return f"{self.method} {self.url}"

    @property
    def shape(self) -> str:
        """The path with every parameter as ``{}``, to compare with Flask rules and the spec."""
        return re.sub(r"\{[^}]*\}", "{}", self.url)

    @property
    def bearer(self) -> bool:
        return "anonymous" not in self.allowed

    def expected(self, role: str) -> int:
        if role in self.allowed:
            return self.success
        return 401 if role == "anonymous" else 403


def _new_user(_t: Targets) -> dict[str, Any]:
    return {
        "email": f"made-{next(_numbers)}@example.com",
        "name": "Made",
        "password": PASSWORD,
        "role": "viewer",
    }


IMPORT_CSV = "date,type,category,amount\r\n2026-01-05,expense,Food,1.00\r\n"
SCHEDULE = {
    "amount": "20.00",
    "type": "income",
    "category": "Allowance",
    "frequency": "weekly",
    "start_date": "2026-02-01",
}


def _new_budget() -> dict[str, Any]:
    return {"category": f"Planned {next(_numbers)}", "amount": "75.00", "start_month": "2026-03"}


OPERATIONS = [
    Operation("GET", "/", ANYONE, 200, needs_database=False),
    Operation("GET", "/api/health/", ANYONE, 200),
    Operation("GET", "/api/docs/", ANYONE, 200, needs_database=False),
    Operation("GET", "/api/docs/static/{asset}", ANYONE, 200, needs_database=False),
    Operation("GET", "/api/openapi.json", ANYONE, 200, needs_database=False),
    # The web pages are the same for everyone; what they show comes from the API above.
    Operation("GET", "/app/", ANYONE, 200, needs_database=False),
    Operation("GET", "/app/login/", ANYONE, 200, needs_database=False),
    Operation("GET", "/app/records/", ANYONE, 200, needs_database=False),
    Operation("GET", "/app/users/", ANYONE, 200, needs_database=False),
    Operation("GET", "/app/static/{page_asset}", ANYONE, 200, needs_database=False),
    Operation(
        "POST",
        "/api/auth/login/",
        ANYONE,
        200,
        json=lambda t: {"email": t.email, "password": t.password},
    ),
    Operation("POST", "/api/auth/refresh/", ANYONE, 200, json=lambda t: {"refresh": t.refresh}),
    Operation("POST", "/api/auth/logout/", SIGNED_IN, 204, json=lambda t: {"refresh": t.refresh}),
    Operation("GET", "/api/auth/me/", SIGNED_IN, 200),
    Operation(
        "POST",
        "/api/auth/password/",
        SIGNED_IN,
        204,
        json=lambda t: {"current_password": t.password, "new_password": "a-brand-new-secret"},
    ),
    Operation("GET", "/api/users/", ADMINS, 200),
    Operation("POST", "/api/users/", ADMINS, 201, json=_new_user),
    Operation("GET", "/api/users/{user_id}/", ADMINS, 200),
    Operation("PATCH", "/api/users/{user_id}/", ADMINS, 200, json=lambda t: {"name": "Renamed"}),
    Operation("DELETE", "/api/users/{user_id}/", ADMINS, 204),
    Operation("GET", "/api/records/", SIGNED_IN, 200),
    Operation("POST", "/api/records/", ADMINS, 201, json=lambda t: dict(RECORD)),
    Operation("GET", "/api/records/deleted/", ADMINS, 200),
    Operation("GET", "/api/records/{record_id}/", SIGNED_IN, 200),
    Operation(
        "PUT",
        "/api/records/{record_id}/",
        ADMINS,
        200,
        json=lambda t: {**RECORD, "category": "Replaced"},
    ),
    Operation(
        "PATCH", "/api/records/{record_id}/", ADMINS, 200, json=lambda t: {"category": "Patched"}
    ),
    Operation("DELETE", "/api/records/{record_id}/", ADMINS, 204),
    Operation("POST", "/api/records/{deleted_id}/restore/", ADMINS, 200),
    Operation("GET", "/api/records/{record_id}/history/", ADMINS, 200),
    Operation("GET", "/api/records/export/", SIGNED_IN, 200),
    Operation("POST", "/api/records/import/", ADMINS, 201, csv=IMPORT_CSV),
    Operation("GET", "/api/dashboard/summary/", ANALYSTS, 200),
    Operation("GET", "/api/dashboard/category-totals/", ANALYSTS, 200),
    Operation("GET", "/api/dashboard/recent-transactions/", ANALYSTS, 200),
    Operation("GET", "/api/dashboard/monthly-trends/", ANALYSTS, 200),
    Operation("GET", "/api/dashboard/budgets/", ANALYSTS, 200),
    Operation("GET", "/api/dashboard/forecast/", ANALYSTS, 200),
    Operation("GET", "/api/budgets/", SIGNED_IN, 200),
    Operation("POST", "/api/budgets/", ADMINS, 201, json=lambda t: _new_budget()),
    Operation("GET", "/api/budgets/{budget_id}/", SIGNED_IN, 200),
    Operation("PUT", "/api/budgets/{budget_id}/", ADMINS, 200, json=lambda t: _new_budget()),
    Operation("PATCH", "/api/budgets/{budget_id}/", ADMINS, 200, json=lambda t: {"amount": "9"}),
    Operation("DELETE", "/api/budgets/{budget_id}/", ADMINS, 204),
    Operation("GET", "/api/recurring/", SIGNED_IN, 200),
    Operation("POST", "/api/recurring/", ADMINS, 201, json=lambda t: dict(SCHEDULE)),
    Operation("GET", "/api/recurring/{schedule_id}/", SIGNED_IN, 200),
    Operation("PUT", "/api/recurring/{schedule_id}/", ADMINS, 200, json=lambda t: dict(SCHEDULE)),
    Operation(
        "PATCH", "/api/recurring/{schedule_id}/", ADMINS, 200, json=lambda t: {"interval": 2}
    ),
    Operation("DELETE", "/api/recurring/{schedule_id}/", ADMINS, 204),
    Operation("GET", "/api/recurring/{schedule_id}/upcoming/", SIGNED_IN, 200),
    Operation("POST", "/api/recurring/{schedule_id}/run/", ADMINS, 200),
]

SWAGGER_ASSET = "swagger-ui.css"
PAGE_ASSET = "js/api.js"
#: Served to browsers, not operations of the API: not in the OpenAPI spec.
WEB_PAGES = {o.shape for o in OPERATIONS if o.url.startswith("/app/")}


def url_of(operation: Operation, targets: Targets) -> str:
    return operation.url.format(asset=SWAGGER_ASSET, page_asset=PAGE_ASSET, **asdict(targets))


def send(caller: Caller, operation: Operation, targets: Targets, **kw: Any) -> Any:
    """The operation's request, as ``caller`` would send it."""
    url = url_of(operation, targets)
    if operation.csv is not None:
        kw.setdefault("data", operation.csv.encode())
        kw.setdefault("content_type", "text/csv")
    elif operation.json is not None:
        kw.setdefault("json", operation.json(targets))
    return caller.open(operation.method, url, **kw)


def state(world: World, targets: Targets) -> dict[str, Any]:
    """What a refused call must leave as it was: the counts, the targets as an admin sees them."""
    return {
        **world.counts(),
        "record": world.root.get(f"/api/records/{targets.record_id}/").json,
        "user": world.root.get(f"/api/users/{targets.user_id}/").json,
    }
