"""Revocation across instances, tried again and again while the load runs.

Logout trial: sign in on one instance, log out there (with the refresh token), then both
tokens must be refused by the other instance. Reuse trial: the same refresh token sent to
two instances at the same moment must succeed exactly once, and never again afterwards.
Password trial: change the password on one instance; the other must refuse every token issued
before, and the old password."""

from __future__ import annotations

from typing import Any

from bench.loadtest.accounts import Account, fresh_password, login
from bench.loadtest.ledger import Ledger
from bench.loadtest.transport import Answer, Budget, Client, Recorder, at_once
from bench.loadtest.workers import Worker

PAUSE = 0.2


class SessionWorker(Worker):
    def __init__(
        self,
        account: Account,
        ledger: Ledger,
        ports: list[int],
        recorder: Recorder,
        budget: Budget,
        seed: int,
    ) -> None:
        super().__init__("sessions", ports, recorder, budget, seed)
        self.account = account
        self.ledger = ledger
        self.twin = Client(ports, recorder, budget)

    def work(self) -> None:
        try:
            trials = (self.logout_trial, self.reuse_trial, self.password_trial)
            turn = 0
            while self.budget.wait(PAUSE):
                trials[turn % len(trials)]()
                turn += 1
        finally:
            self.twin.close()

    def _me(self, client: Client, access: str, instance: int, expect: int) -> Answer:
        return client.call(
            "GET",
            "/api/auth/me/",
            group="auth.me",
            expect=(expect,),
            token=access,
            instance=instance,
        )

    def _refresh(
        self, client: Client, refresh: str, instance: int, expect: tuple[int, ...]
    ) -> Answer:
        return client.call(
            "POST",
            "/api/auth/refresh/",
            group="auth.refresh",
            expect=expect,
            json_body={"refresh": refresh},
            instance=instance,
        )

    def logout_trial(self) -> None:
        here = self.client.next_instance()
        there = self.client.other_instance(here)
        if login(self.client, self.account, instance=here).status != 200:
            return
        access, refresh = self.account.access, self.account.refresh
        self._me(self.client, access, there, 200)
        logout = self.client.call(
            "POST",
            "/api/auth/logout/",
            group="auth.logout",
            expect=(204,),
            token=access,
            json_body={"refresh": refresh},
            instance=here,
        )
        if logout.status != 204:
            return
        self.ledger.count("revocation-logout")
        if self._me(self.client, access, there, 401).status == 200:
            self.ledger.violations.add("revocation-logout", f"access token alive on {there}")
        if self._refresh(self.client, refresh, there, (401,)).status == 200:
            self.ledger.violations.add("revocation-logout", f"refresh token alive on {there}")

    def reuse_trial(self) -> None:
        here = self.client.next_instance()
        there = self.client.other_instance(here)
        if login(self.client, self.account, instance=here).status != 200:
            return
        refresh = self.account.refresh
        answers = at_once(
            lambda: self._refresh(self.client, refresh, here, (200, 401)),
            lambda: self._refresh(self.twin, refresh, there, (200, 401)),
        )
        self.ledger.count("revocation-reuse")
        winners = [answer for answer in answers if answer.status == 200]
        if len(winners) != 1:
            statuses = sorted(answer.status for answer in answers)
            self.ledger.violations.add("revocation-reuse", f"answers {statuses}")
        if not winners:
            return
        tokens: dict[str, Any] = winners[0].json()
        self._me(
            self.client, tokens["access"], self.client.other_instance(winners[0].instance), 200
        )
        if self._refresh(self.client, refresh, here, (401,)).status == 200:
            self.ledger.violations.add("revocation-reuse", "used refresh token accepted later")
        self.client.call(
            "POST",
            "/api/auth/logout/",
            group="auth.logout",
            expect=(204,),
            token=tokens["access"],
            json_body={"refresh": tokens["refresh"]},
        )

    def password_trial(self) -> None:
        here = self.client.next_instance()
        there = self.client.other_instance(here)
        if login(self.client, self.account, instance=here).status != 200:
            return
        old = Account(self.account.email, self.account.password, self.account.role)
        access, refresh = self.account.access, self.account.refresh
        new_password = fresh_password()
        changed = self.client.call(
            "POST",
            "/api/auth/password/",
            group="auth.password",
            expect=(204,),
            token=access,
            json_body={"current_password": old.password, "new_password": new_password},
            instance=here,
        )
        if changed.status != 204:
            return
        self.account.password = new_password
        self.ledger.count("revocation-password")
        if self._me(self.client, access, there, 401).status == 200:
            self.ledger.violations.add("revocation-password", f"old access token alive on {there}")
        if self._refresh(self.client, refresh, there, (401,)).status == 200:
            self.ledger.violations.add("revocation-password", f"old refresh token alive on {there}")
        if login(self.client, old, instance=there, expect=(401,)).status == 200:
            self.ledger.violations.add("revocation-password", f"old password accepted on {there}")
        login(self.client, self.account, instance=there)
