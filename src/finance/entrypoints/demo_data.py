"""Seed-data tooling for `finance demo-data`: users of every role and a few years of their money,
realistic and reproducible, written through the same ports and domain rules as everything else."""

from __future__ import annotations

import calendar
import math
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from finance.application.ports import Clock, NoProgress, PasswordHasher, Progress, UnitOfWork
from finance.domain.money import Money
from finance.domain.records import AuditAction, AuditEntry, Record, RecordType
from finance.domain.roles import Role
from finance.domain.users import User, check_password_policy, normalize_email
from finance.entrypoints.demo_plans import add_plans

BATCH_SIZE = 2000
DEMO_DOMAIN = "demo.example"
DELETED_SHARE = 0.003


@dataclass(frozen=True)
class Category:
    """A kind of spending or income: its amount range, how common it is, and the months in
    which it is more (or less) common than usual."""

    name: str
    type: RecordType
    low: int
    high: int
    weight: float
    descriptions: tuple[str, ...]
    season: tuple[tuple[int, float], ...] = ()

    def weight_in(self, month: int) -> float:
        return self.weight * dict(self.season).get(month, 1.0)


EXPENSE, INCOME = RecordType.EXPENSE, RecordType.INCOME
CATEGORIES = (
    Category("Groceries", EXPENSE, 8, 220, 30, ("Supermarket", "Farmers market", "Bakery", "")),
    Category("Restaurants", EXPENSE, 12, 140, 14, ("Lunch", "Dinner out", "Coffee", "Takeaway")),
    Category("Transport", EXPENSE, 2, 90, 14, ("Bus ticket", "Fuel", "Taxi", "Train", "")),
    Category("Utilities", EXPENSE, 35, 260, 5, ("Electricity", "Water", "Internet", "Phone")),
    Category("Entertainment", EXPENSE, 6, 180, 7, ("Cinema", "Concert", "Streaming", "Books")),
    Category(
        "Shopping", EXPENSE, 10, 600, 9, ("Clothes", "Electronics", "Home"), ((11, 1.6), (12, 2.0))
    ),
    Category("Healthcare", EXPENSE, 15, 450, 4, ("Pharmacy", "Dentist", "Doctor")),
    Category(
        "Travel",
        EXPENSE,
        120,
        3500,
        3,
        ("Flights", "Hotel", "Car rental"),
        ((7, 2.5), (8, 2.5), (12, 1.5)),
    ),
    Category("Gifts", EXPENSE, 10, 300, 2, ("Birthday present", "Holiday gifts"), ((12, 5.0),)),
    Category("Insurance", EXPENSE, 40, 300, 2, ("Car insurance", "Home insurance")),
    Category("Education", EXPENSE, 20, 900, 2, ("Course fee", "Textbooks"), ((9, 3.0),)),
    Category("Freelance", INCOME, 150, 4000, 4, ("Consulting invoice", "Design project", "")),
    Category("Interest", INCOME, 1, 60, 2, ("Savings interest",)),
    Category("Refunds", INCOME, 5, 300, 2, ("Store refund", "Tax refund")),
    Category(
        "Dividends", INCOME, 10, 900, 1, ("Quarterly dividend",), ((3, 3.0), (6, 3.0), (9, 3.0))
    ),
)
#: How busy each month is overall: more spending around the holidays, less in January.
MONTH_ACTIVITY = {1: 0.85, 2: 0.9, 7: 1.1, 8: 1.1, 11: 1.15, 12: 1.3}


@dataclass(frozen=True)
class DemoDataRequest:
    """``users_per_role`` users of each role (``viewer1@demo.example``…), sharing
    ``password``, and ``records`` records over the ``months`` months that end with ``until``."""

    records: int
    users_per_role: int
    seed: int
    password: str
    until: date
    months: int = 24
    progress: Progress = field(default_factory=NoProgress)


@dataclass(frozen=True)
class DemoDataResult:
    users: list[User]
    created_users: int
    records: int
    deleted: int
    budgets: int = 0
    schedules: int = 0


@dataclass(frozen=True)
class _Owner:
    id: int
    salary_cents: int
    salary_day: int
    rent_cents: int


class GenerateDemoData:
    """Operators fill a database with demo users of every role and realistic records: a
    monthly salary and rent per person, everyday spending with its own amount range per
    category, seasonal peaks, and a few soft-deleted records. The same seed and end date give
    the same data. Existing demo users are reused, never changed."""

    def __init__(
        self, uow: UnitOfWork, hasher: PasswordHasher, clock: Clock, batch_size: int = BATCH_SIZE
    ) -> None:
        self._uow = uow
        self._hasher = hasher
        self._clock = clock
        self._batch_size = batch_size

    def execute(self, request: DemoDataRequest) -> DemoDataResult:
        if request.records < 0 or request.users_per_role < 1 or request.months < 1:
            raise ValueError("records >= 0, users_per_role >= 1 and months >= 1 are required")
        rng = random.Random(request.seed)
        now = self._clock.now()
        password_hash = self._hash(request)
        with self._uow:
            users, created = self._users(request, password_hash, now)
            self._uow.commit()
        admins = [u.id for u in users if u.role is Role.ADMIN and u.id is not None]
        owners = [_owner(user, rng) for user in users]
        deletions = random.Random(f"{request.seed}:deleted")
        stored = deleted = 0
        request.progress.begin("Making records", request.records)
        with self._uow:
            batch: list[Record] = []
            for record in _records(request, owners, admins, rng, now):
                batch.append(record)
                if len(batch) >= self._batch_size:
                    request.progress.advance(len(batch))
                    stored, deleted = self._store(batch, deletions, stored, deleted)
            request.progress.advance(len(batch))
            stored, deleted = self._store(batch, deletions, stored, deleted)
            self._uow.commit()
        with self._uow:
            first_month = date(*_months(request.until, request.months)[0], 1)
            spend = monthly_spend(request.records / request.months / len(owners))
            budgets, schedules = add_plans(
                self._uow, request.seed, owners, spend, first_month, request.until, admins[0], now
            )
            self._uow.commit()
        return DemoDataResult(users, created, stored, deleted, budgets, schedules)

    def _hash(self, request: DemoDataRequest) -> str:
        """The demo users' password, checked and hashed before any transaction opens."""
        for role in Role:
            for number in range(1, request.users_per_role + 1):
                email = normalize_email(f"{role.value}{number}@{DEMO_DOMAIN}")
                check_password_policy(request.password, email)
        return self._hasher.hash(request.password)

    def _users(
        self, request: DemoDataRequest, password_hash: str, now: datetime
    ) -> tuple[list[User], int]:
        users: list[User] = []
        created = 0
        for role in (Role.VIEWER, Role.ANALYST, Role.ADMIN):
            for number in range(1, request.users_per_role + 1):
                email = normalize_email(f"{role.value}{number}@{DEMO_DOMAIN}")
                user = self._uow.users.get_by_email(email)
                if user is None:
                    name = f"Demo {role.value.capitalize()} {number}"
                    user = self._uow.users.add(User(email, name, role, password_hash, now))
                    created += 1
                users.append(user)
        return users, created

    def _store(
        self, batch: list[Record], rng: random.Random, stored: int, deleted: int
    ) -> tuple[int, int]:
        records = self._uow.records.add_many(list(batch))
        self._uow.audit.add_many(
            [AuditEntry.of_creation(r, r.created_by, AuditAction.CREATED) for r in records]
        )
        for record in records:
            if rng.random() < DELETED_SHARE:
                assert record.id is not None
                changes = record.soft_delete(record.updated_at)
                self._uow.records.save(record)
                self._uow.audit.add(
                    AuditEntry(
                        record.id,
                        record.updated_at,
                        record.created_by,
                        AuditAction.DELETED,
                        changes,
                    )
                )
                deleted += 1
        batch.clear()
        return stored + len(records), deleted


def _owner(user: User, rng: random.Random) -> _Owner:
    assert user.id is not None
    return _Owner(
        id=user.id,
        salary_cents=rng.randrange(2500, 9000) * 100,
        salary_day=rng.choice((1, 15, 25, 28)),
        rent_cents=rng.randrange(700, 2400) * 100,
    )


def monthly_spend(records_per_owner_month: float) -> dict[str, float]:
    """What one owner is expected to spend a month in each category, in cents."""
    weights = sum(c.weight for c in CATEGORIES)
    return {
        c.name: records_per_owner_month
        * c.weight
        / weights
        * (c.high - c.low)
        / math.log(c.high / c.low)
        * 100
        for c in CATEGORIES
    }


def _months(until: date, count: int) -> list[tuple[int, int]]:
    year, month = until.year, until.month
    months = []
    for _ in range(count):
        months.append((year, month))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months[::-1]


def _records(
    request: DemoDataRequest,
    owners: list[_Owner],
    admins: list[int],
    rng: random.Random,
    now: datetime,
) -> Iterator[Record]:
    """Month by month, oldest first; each month's records in date order."""
    months = _months(request.until, request.months)
    fixed_per_month = 2 * len(owners)
    fixed_months = min(len(months), request.records // 2 // fixed_per_month)
    variable = request.records - fixed_months * fixed_per_month
    activity = [MONTH_ACTIVITY.get(month, 1.0) for _, month in months]
    shares = _allocate(variable, activity)
    for index, ((year, month), count) in enumerate(zip(months, shares, strict=True)):
        last_day = min(calendar.monthrange(year, month)[1], _last_day(request.until, year, month))
        drafts: list[tuple[date, _Owner, Category | None, int]] = []
        if index >= len(months) - fixed_months:
            for owner in owners:
                payday = min(owner.salary_day, last_day)
                drafts.append((date(year, month, payday), owner, None, owner.salary_cents))
                drafts.append((date(year, month, 1), owner, None, -owner.rent_cents))
        weights = [c.weight_in(month) for c in CATEGORIES]
        for picked in rng.choices(CATEGORIES, weights, k=count):
            day = date(year, month, rng.randint(1, last_day))
            drafts.append((day, rng.choice(owners), picked, _amount_cents(picked, rng)))
        drafts.sort(key=lambda d: d[0])
        for day, owner, category, cents in drafts:
            yield _record(day, owner, category, cents, admins, rng, now)


def _last_day(until: date, year: int, month: int) -> int:
    return until.day if (year, month) == (until.year, until.month) else 31


def _allocate(total: int, weights: list[float]) -> list[int]:
    """``total`` split in proportion to ``weights``, whole numbers that add up exactly."""
    scale = total / sum(weights)
    shares = [math.floor(w * scale) for w in weights]
    by_remainder = sorted(range(len(weights)), key=lambda i: shares[i] - weights[i] * scale)
    for i in by_remainder[: total - sum(shares)]:
        shares[i] += 1
    return shares


def _amount_cents(category: Category, rng: random.Random) -> int:
    """Log-uniform in the category's range: small amounts are more common than large ones."""
    value = math.exp(rng.uniform(math.log(category.low), math.log(category.high)))
    return max(1, round(value * 100))


def _record(
    day: date,
    owner: _Owner,
    category: Category | None,
    cents: int,
    admins: list[int],
    rng: random.Random,
    now: datetime,
) -> Record:
    moment = datetime.combine(day, time(8), UTC) + timedelta(seconds=rng.randrange(12 * 3600))
    if category is None:
        kind, name, description = (
            (INCOME, "Salary", "Monthly salary") if cents > 0 else (EXPENSE, "Rent", "Rent")
        )
    else:
        kind, name, description = category.type, category.name, rng.choice(category.descriptions)
    return Record.create(
        amount=Money.from_cents(abs(cents)),
        type=kind,
        category=name,
        date=day,
        description=description,
        owner_id=owner.id,
        created_by=rng.choice(admins),
        now=min(moment, now),
    )
