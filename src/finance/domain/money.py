"""Money: an exact, positive amount with at most two decimals."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from finance.domain.errors import InvalidValue

MAX_AMOUNT = Decimal("9999999999.99")
MAX_CENTS = 999_999_999_999
_TOO_LARGE = "Must be at most 9999999999.99."
_MAX_WHOLE_DIGITS = 10
_PLAIN = re.compile(r"([0-9]+)(?:\.([0-9]+))?")
_CENT = Decimal("0.01")


@dataclass(frozen=True, order=True)
class Money:
    """A positive amount up to 9,999,999,999.99 with at most two decimals, never rounded."""

    amount: Decimal

    def __post_init__(self) -> None:
        amount = self.amount
        if not isinstance(amount, Decimal) or not amount.is_finite():
            raise InvalidValue("amount", "Must be a finite decimal number.")
        exponent = amount.as_tuple().exponent
        if isinstance(exponent, int) and exponent < -2 and amount != amount.quantize(_CENT):
            raise InvalidValue("amount", "Must have at most two decimal places.")
        if amount <= 0:
            raise InvalidValue("amount", "Must be greater than zero.")
        if amount > MAX_AMOUNT:
            raise InvalidValue("amount", _TOO_LARGE)
        amount = amount.quantize(_CENT)
        object.__setattr__(self, "amount", amount)
        object.__setattr__(self, "_cents", int(amount.scaleb(2)))

    @classmethod
    def parse(cls, value: object, field: str = "amount") -> Money:
        """Read a string or an exact number in plain notation: ``"12.50"``, ``12``, ``12.5``.
        Exponents, a third decimal, zero, negatives, NaN, infinities, floats and surrounding
        spaces are refused."""
        if isinstance(value, str):
            text = value
        elif isinstance(value, Decimal):
            text = _plain_text(value, field)
        elif isinstance(value, int) and not isinstance(value, bool):
            text = str(value)
        else:
            raise InvalidValue(field, "Must be a string or a number in plain notation.")
        plain = _PLAIN.fullmatch(text)
        if plain is None:
            if text.startswith("-"):
                raise InvalidValue(field, "Must be greater than zero.")
            raise InvalidValue(field, 'Must be a number in plain notation, like "1250.00".')
        whole, decimals = plain.groups("")
        if len(decimals) > 2:
            raise InvalidValue(field, "Must have at most two decimal places.")
        if len(whole) > _MAX_WHOLE_DIGITS:
            whole = whole.lstrip("0")
            if len(whole) > _MAX_WHOLE_DIGITS:
                raise InvalidValue(field, _TOO_LARGE)
        cents = int(whole + decimals + "0" * (2 - len(decimals)))
        if cents <= 0:
            raise InvalidValue(field, "Must be greater than zero.")
        if cents > MAX_CENTS:
            raise InvalidValue(field, _TOO_LARGE)
        return cls._of_cents(cents)

    @classmethod
    def from_cents(cls, cents: int) -> Money:
        if cents <= 0:
            raise InvalidValue("amount", "Must be greater than zero.")
        if cents > MAX_CENTS:
            raise InvalidValue("amount", _TOO_LARGE)
        return cls._of_cents(cents)

    @classmethod
    def _of_cents(cls, cents: int) -> Money:
        """Valid by construction, so the checks of ``__post_init__`` (the slow part, which
        a bulk import would pay a million times) are skipped."""
        money = object.__new__(cls)
        object.__setattr__(money, "amount", Decimal(cents).scaleb(-2))
        object.__setattr__(money, "_cents", cents)
        return money

    @property
    def cents(self) -> int:
        cents: int = self._cents  # type: ignore[attr-defined]
        return cents

    def __str__(self) -> str:
        # Quantized to cents, so the plain spelling always has exactly two decimals.
        return str(self.amount)


def _plain_text(value: Decimal, field: str) -> str:
    """A Decimal parsed from a JSON number keeps the number's own spelling, exponent included."""
    if not value.is_finite():
        raise InvalidValue(field, "Must be a finite decimal number.")
    text = str(value)
    if "E" in text or "e" in text:
        raise InvalidValue(field, "Must be a number in plain notation, not an exponent.")
    return text


def amount_of_cents(cents: int) -> Decimal:
    """Any whole number of cents (a sum, maybe negative) as an exact amount, two decimals."""
    return Decimal(cents).scaleb(-2)


def format_amount(amount: Decimal) -> str:
    """Any exact sum, to two decimals, as the API shows money."""
    return f"{amount:.2f}"
