"""The users of a run: the bootstrap admin, users of each role made through the API, the
victims of the password attack, the account whose sessions are revoked over and over and the
one whose role and activity an admin keeps changing."""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass

from bench.loadtest.data import random_fields
from bench.loadtest.ledger import Ledger, RecordState
from bench.loadtest.settings import Settings
from bench.loadtest.transport import Answer, Client

DOMAIN = "load.example"
HOT_RECORDS = 3


class SetupError(RuntimeError):
    """The run cannot start: the server refused something the load depends on."""


@dataclass
class Account:
    email: str
    password: str
    role: str
    id: int = 0
    access: str = ""
    refresh: str = ""


@dataclass(frozen=True)
class Population:
    admin: Account
    by_role: dict[str, list[Account]]
    victims: list[Account]
    sessions: Account
    changing: Account

    def everyone(self) -> list[Account]:
        """Every account that may own records (not the one deactivated now and then)."""
        members = [account for accounts in self.by_role.values() for account in accounts]
        return [self.admin, *members, *self.victims, self.sessions]

    def owner_ids(self) -> list[int]:
        return [account.id for account in self.everyone()]


def fresh_password() -> str:
    return f"pw-{secrets.token_urlsafe(12)}"


def login(
    client: Client,
    account: Account,
    *,
    password: str | None = None,
    instance: int | None = None,
    expect: tuple[int, ...] = (200,),
) -> Answer:
    """POST login/; on 200 the account keeps the new tokens."""
    answer = client.call(
        "POST",
        "/api/auth/login/",
        group="auth.login",
        expect=expect,
        json_body={"email": account.email, "password": password or account.password},
        instance=instance,
    )
    if answer.status == 200:
        tokens = answer.json()
        account.access, account.refresh = tokens["access"], tokens["refresh"]
    return answer


def _create_user(client: Client, admin: Account, email: str, role: str) -> Account:
    account = Account(email, fresh_password(), role)
    body = {"email": email, "name": email.split("@")[0], "password": account.password, "role": role}
    answer = client.call(
        "POST",
        "/api/users/",
        group="users.create",
        expect=(201,),
        token=admin.access,
        json_body=body,
    )
    if answer.status != 201:
        raise SetupError(f"creating {email} answered {answer.status}: {answer.body[:200]!r}")
    account.id = int(answer.json()["id"])
    return account


def _create_hot_records(
    client: Client, admin: Account, owners: list[int], ledger: Ledger, rng: random.Random
) -> None:
    for number in range(1, HOT_RECORDS + 1):
        tag = f"[h-setup-{number:06d}]"
        body = {
            **random_fields(rng),
            "description": f"{tag} shared",
            "owner_id": rng.choice(owners),
        }
        answer = client.call(
            "POST",
            "/api/records/",
            group="records.create",
            expect=(201,),
            token=admin.access,
            json_body=body,
            headers={"Idempotency-Key": tag},
        )
        if answer.status != 201:
            raise SetupError(f"creating a shared record answered {answer.status}")
        state = RecordState.from_json(answer.json())
        ledger.hot.initial[state.id] = state


def populate(
    client: Client, admin: Account, settings: Settings, ledger: Ledger, rng: random.Random
) -> Population:
    """Sign the bootstrap admin in and make every other account and the shared records."""
    if login(client, admin, instance=0).status != 200:
        raise SetupError(f"the bootstrap admin {admin.email} could not sign in")
    me = client.call("GET", "/api/auth/me/", group="auth.me", expect=(200,), token=admin.access)
    if me.status != 200:
        raise SetupError(f"GET /api/auth/me/ answered {me.status}")
    admin.id = int(me.json()["id"])
    by_role = {
        role: [
            _create_user(client, admin, f"{role}{n}@{DOMAIN}", role) for n in range(1, count + 1)
        ]
        for role, count in settings.users_per_role.items()
    }
    victims = [
        _create_user(client, admin, f"victim{n}@{DOMAIN}", "viewer")
        for n in range(1, settings.victims + 1)
    ]
    population = Population(
        admin=admin,
        by_role=by_role,
        victims=victims,
        sessions=_create_user(client, admin, f"sessions@{DOMAIN}", "viewer"),
        changing=_create_user(client, admin, f"changing@{DOMAIN}", "viewer"),
    )
    _create_hot_records(client, admin, population.owner_ids(), ledger, rng)
    return population
