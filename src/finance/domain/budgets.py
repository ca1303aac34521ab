"""Budgets: a monthly spending limit for one owner's expense category, from a month on, and
what a month of one comes to against what was spent."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from finance.domain.errors import InvalidValue
from finance.domain.money import Money, amount_of_cents
from finance.domain.months import month_label, months_spanned
from finance.domain.records import audit_value, category_key, clean_category

#: The fields a change may touch, in the order a diff lists them.
BUDGET_FIELDS = ("owner_id", "category", "amount", "start_month", "end_month", "rollover")


def check_month(field: str, month: date) -> date:
    if month.day != 1:
        raise InvalidValue(field, "Must be a month (its first day).")
    return month


@dataclass
class Budget:
    """``amount`` a month for ``owner_id``'s expenses in ``category`` (any case), from
    ``start_month`` to ``end_month`` (both included; None: open-ended). With ``rollover``, what
    is left (or overspent) in a month carries into the next."""

    owner_id: int
    category: str
    amount: Money
    start_month: date
    created_at: datetime
    updated_at: datetime
    end_month: date | None = None
    rollover: bool = False
    version: int = 1
    id: int | None = field(default=None)

    @classmethod
    def create(
        cls,
        *,
        owner_id: int,
        category: str,
        amount: Money,
        start_month: date,
        end_month: date | None,
        rollover: bool,
        now: datetime,
    ) -> Budget:
        budget = cls(
            owner_id=owner_id,
            category=clean_category(category),
            amount=amount,
            start_month=check_month("start_month", start_month),
            end_month=end_month,
            rollover=rollover,
            created_at=now,
            updated_at=now,
        )
        budget._check_months()
        return budget

    @property
    def category_key(self) -> str:
        return category_key(self.category)

    def in_force(self, month: date) -> bool:
        return self.start_month <= month and (self.end_month is None or month <= self.end_month)

    def overlaps(self, other: Budget) -> bool:
        """Whether both limit the same owner's same category in some month."""
        if (self.owner_id, self.category_key) != (other.owner_id, other.category_key):
            return False
        starts_before_other_ends = other.end_month is None or self.start_month <= other.end_month
        ends_after_other_starts = self.end_month is None or other.start_month <= self.end_month
        return starts_before_other_ends and ends_after_other_starts

    def apply(self, changes: dict[str, Any], now: datetime) -> dict[str, list[Any]]:
        """Apply new field values and return ``{field: [old, new]}`` for those that differ;
        the version always moves on."""
        unknown = set(changes) - set(BUDGET_FIELDS)
        if unknown:
            raise InvalidValue(sorted(unknown)[0], "Cannot be changed.")
        cleaned = dict(changes)
        if "category" in cleaned:
            cleaned["category"] = clean_category(cleaned["category"])
        if "start_month" in cleaned:
            check_month("start_month", cleaned["start_month"])
        diff: dict[str, list[Any]] = {}
        for name in BUDGET_FIELDS:
            if name in cleaned and cleaned[name] != getattr(self, name):
                diff[name] = [_shown(getattr(self, name)), _shown(cleaned[name])]
                setattr(self, name, cleaned[name])
        self._check_months()
        self.version += 1
        self.updated_at = now
        return diff

    def _check_months(self) -> None:
        if self.end_month is not None:
            check_month("end_month", self.end_month)
            if self.end_month < self.start_month:
                raise InvalidValue("end_month", "Must not be before start_month.")


def _shown(value: Any) -> Any:
    return month_label(value) if isinstance(value, date) else audit_value(value)


@dataclass(frozen=True)
class BudgetMonth:
    """One budget in one month. ``carried`` is what the earlier months left over (negative:
    overspent) with rollover, else zero; ``percent_used`` is ``spent / available`` in percent
    with one decimal rounded half up, None when nothing is available."""

    budget: Budget
    month: date
    budgeted: Decimal
    carried: Decimal
    spent: Decimal

    @classmethod
    def of(
        cls, budget: Budget, month: date, spent_cents: int, spent_before_cents: int
    ) -> BudgetMonth:
        """``spent_before_cents``: the expenses of every month from the budget's first to the
        one before ``month`` (only used with rollover)."""
        if not budget.in_force(month):
            raise InvalidValue("month", "The budget is not in force that month.")
        carried_cents = 0
        if budget.rollover:
            months_before = months_spanned(budget.start_month, month) - 1
            carried_cents = months_before * budget.amount.cents - spent_before_cents
        return cls(
            budget,
            month,
            budget.amount.amount,
            amount_of_cents(carried_cents),
            amount_of_cents(spent_cents),
        )

    @property
    def available(self) -> Decimal:
        return self.budgeted + self.carried

    @property
    def remaining(self) -> Decimal:
        return self.available - self.spent

    @property
    def percent_used(self) -> Decimal | None:
        if self.available <= 0:
            return None
        return (self.spent * 100 / self.available).quantize(Decimal("0.1"), ROUND_HALF_UP)
