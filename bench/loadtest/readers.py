"""Analysts and viewers: dashboards (analysts), lists, details and exports of their own
records, and the things their role may not do (403) or see (404). Everything they are shown
must be their own."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from itertools import count
from typing import Any
from urllib.parse import urlencode

from bench.loadtest.accounts import Account
from bench.loadtest.data import date_range_query, list_query, random_fields
from bench.loadtest.ledger import Ledger
from bench.loadtest.transport import Budget, Recorder
from bench.loadtest.workers import MixWorker, Operation

EXPORT_HEADER = [
    "id",
    "date",
    "type",
    "category",
    "amount",
    "description",
    "owner_id",
    "created_by",
    "created_at",
]


class ReaderWorker(MixWorker):
    """What analysts and viewers both do."""

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
        super().__init__(name, account, owners, ledger, ports, recorder, budget, seed)
        self.others = [owner for owner in owners if owner != account.id]
        self.seen_ids: list[int] = []
        self.sequence = count(1)

    def check_scope(self, owner_ids: Iterable[Any], where: str) -> None:
        self.ledger.count("scope")
        strangers = {int(owner) for owner in owner_ids} - {self.account.id}
        if strangers:
            self.ledger.violations.add(
                "scope", f"{self.account.email} saw owners {sorted(strangers)} in {where}"
            )

    def list_own(self) -> None:
        answer = self.get(f"/api/records/?{list_query(self.rng)}", "records.list")
        if answer.status == 200:
            results = answer.json()["results"]
            self.check_scope((item["owner_id"] for item in results), "records.list")
            self.seen_ids = [item["id"] for item in results][:20] or self.seen_ids

    def detail_own(self) -> None:
        if not self.seen_ids:
            self.list_own()
            return
        record_id = self.rng.choice(self.seen_ids)
        answer = self.get(f"/api/records/{record_id}/", "records.detail", expect=(200, 404))
        if answer.status == 200:
            self.check_scope([answer.json()["owner_id"]], "records.detail")

    def export_own(self) -> None:
        query = list_query(self.rng)
        answer = self.get(f"/api/records/export/?{query}", "records.export")
        if answer.status != 200:
            return
        reader = csv.reader(io.StringIO(answer.body.decode()))
        header = next(reader, None)
        if header != EXPORT_HEADER:
            self.ledger.violations.add("export-header", f"{header}")
            return
        self.check_scope((row[6] for row in reader), "records.export")

    def create_forbidden(self) -> None:
        tag = f"[n-{self.name}-{next(self.sequence):06d}]"
        self.client.call(
            "POST",
            "/api/records/",
            group="forbidden",
            expect=(403,),
            token=self.account.access,
            json_body={**random_fields(self.rng), "description": tag},
        )

    def others_records_forbidden(self) -> None:
        other = self.rng.choice(self.others)
        self.get(f"/api/records/?owner_id={other}", "forbidden", expect=(403,))

    def users_forbidden(self) -> None:
        self.get("/api/users/", "forbidden", expect=(403,))

    def shared_records_hidden(self) -> None:
        """A record of another owner is a 404, as if it did not exist."""
        hot = self.ledger.hot.initial
        foreign = [rid for rid, state in hot.items() if state.owner_id != self.account.id]
        if foreign:
            record_id = self.rng.choice(foreign)
            self.get(f"/api/records/{record_id}/", "records.detail.foreign", expect=(404,))


class AnalystWorker(ReaderWorker):
    def mix(self) -> list[tuple[Operation, float]]:
        return [
            (self.summary, 14),
            (self.category_totals, 12),
            (self.monthly_trends, 12),
            (self.recent_transactions, 10),
            (self.list_own, 14),
            (self.detail_own, 8),
            (self.export_own, 4),
            (self.dashboard_of_others_forbidden, 2),
            (self.others_records_forbidden, 1),
            (self.users_forbidden, 1),
            (self.create_forbidden, 1),
            (self.shared_records_hidden, 2),
            (self.sign_in_again, 1),
        ]

    def summary(self) -> None:
        query = urlencode(date_range_query(self.rng))
        self.get(f"/api/dashboard/summary/?{query}", "dashboard.summary")

    def category_totals(self) -> None:
        params = date_range_query(self.rng)
        if self.rng.random() < 0.5:
            params["type"] = self.rng.choice(("income", "expense"))
        self.get(f"/api/dashboard/category-totals/?{urlencode(params)}", "dashboard.categories")

    def monthly_trends(self) -> None:
        if self.rng.random() < 0.5:
            query = urlencode({"date_from": "2025-01-01", "date_to": "2025-12-31"})
        else:
            query = urlencode({"months": self.rng.randint(1, 24)})
        self.get(f"/api/dashboard/monthly-trends/?{query}", "dashboard.trends")

    def recent_transactions(self) -> None:
        limit = self.rng.randint(1, 20)
        answer = self.get(f"/api/dashboard/recent-transactions/?limit={limit}", "dashboard.recent")
        if answer.status == 200:
            owners = (item["owner_id"] for item in answer.json()["results"])
            self.check_scope(owners, "dashboard.recent")

    def dashboard_of_others_forbidden(self) -> None:
        other = self.rng.choice(self.others)
        self.get(f"/api/dashboard/summary/?owner_id={other}", "forbidden", expect=(403,))


class ViewerWorker(ReaderWorker):
    def mix(self) -> list[tuple[Operation, float]]:
        return [
            (self.list_own, 30),
            (self.detail_own, 25),
            (self.export_own, 5),
            (self.dashboard_forbidden, 6),
            (self.others_records_forbidden, 2),
            (self.users_forbidden, 1),
            (self.create_forbidden, 2),
            (self.shared_records_hidden, 4),
            (self.sign_in_again, 1),
        ]

    def dashboard_forbidden(self) -> None:
        path = self.rng.choice(("summary", "category-totals", "monthly-trends"))
        self.get(f"/api/dashboard/{path}/", "forbidden", expect=(403,))
