from __future__ import annotations

from finance.application.errors import Unavailable
from finance.application.ports import HealthProbe


class CheckHealth:
    """The service is healthy when its database answers a query."""

    def __init__(self, probe: HealthProbe) -> None:
        self._probe = probe

    def execute(self) -> None:
        if not self._probe.database_ok():
            raise Unavailable("The database is unreachable.")
