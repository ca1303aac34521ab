"""Wrong passwords for one victim at a time, from several threads on every instance at once.

The victims are attacked in turn, one wave each spread over the run: at the wave's start all
attackers fire a burst together (the race a per-process or check-then-act throttle loses),
then keep trying at a slow pace; the emails' case varies, as the throttle must not care. At
most 5 attempts per victim may be answered 401, every later one 429 with Retry-After, and
after the burst even the right password is refused."""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field

from bench.loadtest.accounts import Account, login
from bench.loadtest.transport import Budget, Recorder
from bench.loadtest.workers import Worker

BURST = 3
PACE = 0.5
BARRIER_TIMEOUT = 5
WRONG = "wrong-password-123"


def spelling(email: str, variant: int) -> str:
    local, _, domain = email.partition("@")
    options = (email, email.upper(), f"{local.capitalize()}@{domain}", f"{local}@{domain.upper()}")
    return options[variant % len(options)]


@dataclass
class ThrottleTally:
    """Answers to the attack, by victim email."""

    statuses: dict[str, Counter[int]] = field(default_factory=dict)
    missing_retry_after: int = 0
    right_password: dict[str, int] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, victim: str, status: int, has_retry_after: bool) -> None:
        with self._lock:
            self.statuses.setdefault(victim, Counter())[status] += 1
            if status == 429 and not has_retry_after:
                self.missing_retry_after += 1


@dataclass
class AttackPlan:
    victims: list[Account]
    attackers: int
    duration: float
    tally: ThrottleTally = field(default_factory=ThrottleTally)

    def __post_init__(self) -> None:
        self.barriers = [threading.Barrier(self.attackers) for _ in self.victims]

    def wave_start(self, wave: int) -> float:
        return self.duration * wave / len(self.victims)


class Attacker(Worker):
    def __init__(
        self,
        index: int,
        plan: AttackPlan,
        ports: list[int],
        recorder: Recorder,
        budget: Budget,
        seed: int,
    ) -> None:
        super().__init__(f"attacker{index}", ports, recorder, budget, seed)
        self.index = index
        self.plan = plan
        self.instance = index % len(ports)

    def work(self) -> None:
        for wave, victim in enumerate(self.plan.victims):
            if not self.budget.wait(self.plan.wave_start(wave) - self.budget.elapsed()):
                return
            if not self._together(wave):
                return
            for attempt in range(BURST):
                self._attempt(victim, attempt)
            if not self._together(wave):
                return
            if self.index == 0:
                self._right_password(victim)
            self._keep_trying(wave, victim)

    def _together(self, wave: int) -> bool:
        try:
            self.plan.barriers[wave].wait(timeout=BARRIER_TIMEOUT)
        except threading.BrokenBarrierError:
            return False
        return True

    def _keep_trying(self, wave: int, victim: Account) -> None:
        attempt = BURST
        next_wave = self.plan.wave_start(wave + 1)
        while self.budget.elapsed() < next_wave and self.budget.wait(PACE):
            self._attempt(victim, attempt)
            attempt += 1

    def _attempt(self, victim: Account, attempt: int) -> None:
        intruder = Account(spelling(victim.email, self.index + attempt), WRONG, victim.role)
        answer = login(self.client, intruder, instance=self.instance, expect=(401, 429))
        self.plan.tally.add(victim.email, answer.status, "retry-after" in answer.headers)

    def _right_password(self, victim: Account) -> None:
        answer = login(self.client, victim, instance=self.instance, expect=(429,))
        self.plan.tally.right_password[victim.email] = answer.status
