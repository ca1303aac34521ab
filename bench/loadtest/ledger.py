"""Client-side truth: what the server acknowledged to each client, to compare with what it
stored once the load has stopped.

Each admin worker is the only writer of the records it created or imported (its partition), so
the last answer it was given for a record is that record's state. Shared ("hot") records are
written by every admin under `If-Match`; there the acknowledged update with the highest version
is the state. Every description starts with a tag (`[c-a1t0-000042]`) naming the request that
made the record, so duplicates and records no client was told about can be found.
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

TAG = re.compile(r"^\[[a-z]-[a-z0-9]+-\d{6}\]")
EXAMPLES_KEPT = 5


def tag_of(description: str) -> str | None:
    match = TAG.match(description)
    return match.group(0) if match else None


@dataclass(frozen=True)
class RecordState:
    """The fields of a record that a client was told, as the API spells them."""

    id: int
    amount: Decimal
    type: str
    category: str
    date: str
    description: str
    owner_id: int
    version: int
    deleted: bool = False

    @classmethod
    def from_json(cls, data: dict[str, Any], *, deleted: bool = False) -> RecordState:
        return cls(
            id=int(data["id"]),
            amount=Decimal(data["amount"]),
            type=data["type"],
            category=data["category"],
            date=data["date"],
            description=data["description"],
            owner_id=int(data["owner_id"]),
            version=int(data["version"]),
            deleted=deleted,
        )

    @property
    def etag(self) -> str:
        return f'"{self.id}-{self.version}"'

    def deleted_now(self) -> RecordState:
        return replace(self, version=self.version + 1, deleted=True)

    def differences(self, other: RecordState) -> list[str]:
        names = ("amount", "type", "category", "date", "description", "owner_id", "version")
        found = [
            f"{name}: {getattr(self, name)!r} != {getattr(other, name)!r}"
            for name in (*names, "deleted")
            if getattr(self, name) != getattr(other, name)
        ]
        return found


@dataclass
class Partition:
    """One admin worker's records and requests; only that worker's thread changes it."""

    records: dict[int, RecordState] = field(default_factory=dict)
    uncertain: set[int] = field(default_factory=set)
    created: dict[str, int] = field(default_factory=dict)
    imported: dict[str, int] = field(default_factory=dict)
    rejected_imports: list[str] = field(default_factory=list)
    refused_tags: list[str] = field(default_factory=list)
    unknown_tags: list[str] = field(default_factory=list)
    retries: int = 0
    concurrent_retries: int = 0

    def live_ids(self) -> list[int]:
        return [rid for rid, state in self.records.items() if not state.deleted]

    def deleted_ids(self) -> list[int]:
        return [rid for rid, state in self.records.items() if state.deleted]


@dataclass
class HotRecords:
    """Records every admin updates under If-Match: each acknowledged version, by record."""

    initial: dict[int, RecordState] = field(default_factory=dict)
    acknowledged: dict[int, list[RecordState]] = field(default_factory=dict)
    uncertain: set[int] = field(default_factory=set)
    conflicts: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def acknowledge(self, state: RecordState) -> None:
        with self._lock:
            self.acknowledged.setdefault(state.id, []).append(state)

    def conflict(self) -> None:
        with self._lock:
            self.conflicts += 1

    def lose_track(self, record_id: int) -> None:
        with self._lock:
            self.uncertain.add(record_id)

    def expected(self, record_id: int) -> RecordState:
        acks = self.acknowledged.get(record_id, [])
        return max(acks, key=lambda state: state.version, default=self.initial[record_id])


@dataclass
class Violations:
    """Broken rules seen by clients while the load ran, counted by kind, a few kept as examples."""

    counts: Counter[str] = field(default_factory=Counter)
    examples: dict[str, list[str]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind: str, detail: str) -> None:
        with self._lock:
            self.counts[kind] += 1
            kept = self.examples.setdefault(kind, [])
            if len(kept) < EXAMPLES_KEPT:
                kept.append(detail)

    def summary(self, kind: str) -> str:
        count = self.counts[kind]
        if not count:
            return "0"
        return f"{count} (e.g. {'; '.join(self.examples[kind][:2])})"


@dataclass
class Ledger:
    partitions: dict[str, Partition] = field(default_factory=dict)
    hot: HotRecords = field(default_factory=HotRecords)
    violations: Violations = field(default_factory=Violations)
    checked: Counter[str] = field(default_factory=Counter)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def partition(self, name: str) -> Partition:
        with self._lock:
            return self.partitions.setdefault(name, Partition())

    def count(self, kind: str) -> None:
        """One more client-side check of this kind was made (so a zero means something)."""
        with self._lock:
            self.checked[kind] += 1

    def expected_records(self) -> dict[int, RecordState]:
        """The state each record should have now, by id, skipping those with unknown outcomes."""
        expected: dict[int, RecordState] = {}
        for partition in self.partitions.values():
            for record_id, state in partition.records.items():
                if record_id not in partition.uncertain:
                    expected[record_id] = state
        for record_id in self.hot.initial:
            if record_id not in self.hot.uncertain:
                expected[record_id] = self.hot.expected(record_id)
        return expected

    def uncertain_count(self) -> int:
        return len(self.hot.uncertain) + sum(len(p.uncertain) for p in self.partitions.values())
