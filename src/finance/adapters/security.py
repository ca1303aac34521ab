"""Password hashing with argon2id."""

from __future__ import annotations

from argon2 import PasswordHasher as _Argon2
from argon2.exceptions import InvalidHashError, VerificationError


class Argon2PasswordHasher:
    """argon2id with argon2-cffi's recommended parameters; ``needs_rehash`` notices when those
    parameters change so logins can upgrade old hashes."""

    def __init__(self, time_cost: int | None = None, memory_cost: int | None = None) -> None:
        defaults = _Argon2()
        self._argon2 = _Argon2(
            time_cost=time_cost or defaults.time_cost,
            memory_cost=memory_cost or defaults.memory_cost,
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
