"""Where the CPU time of the load went: the servers' gunicorn processes, this load generator,
and everything else on the machine (PostgreSQL, other people's processes), from /proc."""

from __future__ import annotations

import os
import resource
from dataclasses import dataclass
from pathlib import Path

from bench.server import children

TICKS = os.sysconf("SC_CLK_TCK")


def _machine_busy() -> float:
    fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(v) for v in fields[:8])
    return (user + nice + system + irq + softirq + steal) / TICKS


def _process(pid: int) -> float:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(stat[11]) + int(stat[12])) / TICKS


def _servers(masters: list[int]) -> float:
    return sum(_process(pid) for master in masters for pid in [master, *children(master)])


def _self() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


@dataclass(frozen=True)
class CpuSnapshot:
    machine: float
    servers: float
    generator: float

    @classmethod
    def take(cls, masters: list[int]) -> CpuSnapshot:
        return cls(_machine_busy(), _servers(masters), _self())


@dataclass(frozen=True)
class CpuUse:
    """CPU seconds spent between two snapshots."""

    servers: float
    generator: float
    others: float

    @classmethod
    def between(cls, before: CpuSnapshot, after: CpuSnapshot) -> CpuUse:
        servers = after.servers - before.servers
        generator = after.generator - before.generator
        others = max(0.0, after.machine - before.machine - servers - generator)
        return cls(servers, generator, others)
