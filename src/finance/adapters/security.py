"""Password hashing with argon2id."""

from __future__ import annotations

from argon2 import PasswordHasher as _Argon2
from argon2.exceptions import InvalidHashError, VerificationError

#: OWASP's argon2id configuration (Password Storage Cheat Sheet: 19 MiB, 2 iterations, one
#: lane): about 18 ms of one core a check on this machine, against 140 ms (and four threads)
#: for argon2-cffi's default, so that sign-ins at the same time do not starve every other
#: request of CPU. ``needs_rehash`` moves stored hashes to these parameters at sign-in.
TIME_COST = 2
MEMORY_COST_KIB = 19_456
PARALLELISM = 1


class Argon2PasswordHasher:
    """argon2id; ``needs_rehash`` notices when the parameters change so logins can move old
    hashes to the new ones."""

    def __init__(self, time_cost: int | None = None, memory_cost: int | None = None) -> None:
        self._argon2 = _Argon2(
            time_cost=time_cost or TIME_COST,
            memory_cost=memory_cost or MEMORY_COST_KIB,
            parallelism=PARALLELISM,
        )
        # Verifying against this hash when the email is unknown keeps timing alike.
        self._dummy_hash = self._argon2.hash("not a real password")

    def hash(self, password: str) -> str:
        return self._argon2.hash(password)

    def verify(self, password_hash: str, password: str) -> bool:
        try:
            return self._argon2.verify(password_hash or self._dummy_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, password_hash: str) -> bool:
        return self._argon2.check_needs_rehash(password_hash)
