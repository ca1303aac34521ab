"""The admin user: creates, changes, deletes, restores and imports records, contends for the
shared records, and reads lists, details, histories and users."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from bench.loadtest import contention, creation, importing, record_reads, record_writes
from bench.loadtest.accounts import Account
from bench.loadtest.creation import AdminContext
from bench.loadtest.ledger import Ledger
from bench.loadtest.transport import Budget, Client, Recorder
from bench.loadtest.workers import MixWorker, Operation

MIX: dict[Callable[[AdminContext], None], float] = {
    creation.create: 26,
    record_writes.patch: 14,
    record_writes.put: 4,
    record_writes.stale_write: 4,
    record_writes.delete: 7,
    record_writes.restore: 5,
    record_reads.detail: 10,
    record_reads.history: 4,
    record_reads.list_records: 9,
    record_reads.list_deleted: 2,
    record_reads.list_users: 1,
    importing.import_file: 4,
    contention.update_shared: 8,
}
SIGN_IN_WEIGHT = 1


class AdminWorker(MixWorker):
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
        self.context = AdminContext(
            name=name,
            client=self.client,
            twin=Client(ports, recorder, budget),
            account=account,
            partition=ledger.partition(name),
            ledger=ledger,
            rng=self.rng,
            owners=owners,
        )

    def mix(self) -> list[tuple[Operation, float]]:
        operations = [(partial(action, self.context), weight) for action, weight in MIX.items()]
        return [*operations, (self.sign_in_again, SIGN_IN_WEIGHT)]

    def run(self) -> None:
        try:
            super().run()
        finally:
            self.context.twin.close()
