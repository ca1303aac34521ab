"""Revocation by account changes, tried again and again while the load runs: when an admin
changes a user's role, or deactivates the user, on one instance, the other instance must
refuse every token issued before (401), and an inactive user cannot sign in."""

from __future__ import annotations

from bench.loadtest.accounts import Account, login
from bench.loadtest.ledger import Ledger
from bench.loadtest.transport import Answer, Budget, Recorder
from bench.loadtest.workers import Worker

PAUSE = 0.3
ROLE_SWAP = {"viewer": "analyst", "analyst": "viewer"}


class AccountChangeWorker(Worker):
    def __init__(
        self,
        admin: Account,
        changing: Account,
        ledger: Ledger,
        ports: list[int],
        recorder: Recorder,
        budget: Budget,
        seed: int,
    ) -> None:
        super().__init__("changes", ports, recorder, budget, seed)
        self.admin = admin
        self.changing = changing
        self.ledger = ledger

    def work(self) -> None:
        trials = (self.role_trial, self.deactivation_trial)
        turn = 0
        while self.budget.wait(PAUSE):
            trials[turn % len(trials)]()
            turn += 1

    def _change(self, body: dict[str, object], instance: int) -> Answer:
        return self.client.call(
            "PATCH",
            f"/api/users/{self.changing.id}/",
            group="users.change",
            expect=(200,),
            token=self.admin.access,
            json_body=body,
            instance=instance,
        )

    def _deactivate(self, instance: int) -> Answer:
        return self.client.call(
            "DELETE",
            f"/api/users/{self.changing.id}/",
            group="users.deactivate",
            expect=(204,),
            token=self.admin.access,
            instance=instance,
        )

    def _old_token_refused(self, access: str, instance: int, kind: str) -> None:
        answer = self.client.call(
            "GET", "/api/auth/me/", group="auth.me", expect=(401,), token=access, instance=instance
        )
        self.ledger.count(kind)
        if answer.status == 200:
            self.ledger.violations.add(kind, f"token from before accepted on {instance}")

    def role_trial(self) -> None:
        here = self.client.next_instance()
        there = self.client.other_instance(here)
        if login(self.client, self.changing, instance=here).status != 200:
            return
        access = self.changing.access
        role = ROLE_SWAP[self.changing.role]
        if self._change({"role": role}, here).status != 200:
            return
        self.changing.role = role
        self._old_token_refused(access, there, "revocation-role")
        if login(self.client, self.changing, instance=there).status == 200:
            me = self.client.call(
                "GET", "/api/auth/me/", group="auth.me", expect=(200,), token=self.changing.access
            )
            if me.status == 200 and me.json()["role"] != role:
                self.ledger.violations.add("revocation-role", f"me says {me.json()['role']}")

    def deactivation_trial(self) -> None:
        here = self.client.next_instance()
        there = self.client.other_instance(here)
        if login(self.client, self.changing, instance=here).status != 200:
            return
        access = self.changing.access
        if self._deactivate(here).status != 204:
            return
        self._old_token_refused(access, there, "revocation-deactivated")
        if login(self.client, self.changing, instance=there, expect=(401,)).status == 200:
            self.ledger.violations.add("revocation-deactivated", "an inactive user signed in")
        if self._change({"is_active": True}, there).status == 200:
            login(self.client, self.changing, instance=here)
