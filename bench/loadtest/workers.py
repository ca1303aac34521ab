"""Client threads: each signs in, then does a weighted mix of operations until the budget
closes. A worker that crashes keeps its traceback for the report instead of raising."""

from __future__ import annotations

import random
import threading
import traceback
from collections.abc import Callable

from bench.loadtest.accounts import Account, login
from bench.loadtest.ledger import Ledger
from bench.loadtest.transport import Answer, Budget, Client, Recorder

Operation = Callable[[], None]
WRONG_PASSWORD_SHARE = 0.3


class Worker(threading.Thread):
    def __init__(
        self, name: str, ports: list[int], recorder: Recorder, budget: Budget, seed: int
    ) -> None:
        super().__init__(name=name, daemon=True)
        self.client = Client(ports, recorder, budget)
        self.budget = budget
        self.rng = random.Random(f"{seed}-{name}")
        self.crash: str | None = None

    def run(self) -> None:
        try:
            self.work()
        except Exception:
            self.crash = traceback.format_exc()
        finally:
            self.client.close()

    def work(self) -> None:
        raise NotImplementedError


class MixWorker(Worker):
    """A user of one role: signs in, then picks operations by weight. ``owners`` are the ids of
    every account, the owners an admin may give a record to."""

    def __init__(
        self,
        name: str,
        account: Account,
        owners: list[int],
        ledger: Ledger,
        ports: list[int],
        recorder: Recorder,
        budget: Budget,
        seed: int,
    ) -> None:
        super().__init__(name, ports, recorder, budget, seed)
        self.account = account
        self.owners = owners
        self.ledger = ledger

    def mix(self) -> list[tuple[Operation, float]]:
        raise NotImplementedError

    def work(self) -> None:
        if login(self.client, self.account).status != 200:
            raise RuntimeError(f"{self.account.email} could not sign in")
        operations, weights = zip(*self.mix(), strict=True)
        while self.budget.open():
            self.rng.choices(operations, weights)[0]()

    def sign_in_again(self) -> None:
        """Sign in afresh, sometimes after a wrong password (401, then the right one works)."""
        if self.rng.random() < WRONG_PASSWORD_SHARE:
            login(self.client, self.account, password="not-the-password", expect=(401,))
        login(self.client, self.account)

    def get(self, path: str, group: str, expect: tuple[int, ...] = (200,)) -> Answer:
        return self.client.call("GET", path, group=group, expect=expect, token=self.account.access)
