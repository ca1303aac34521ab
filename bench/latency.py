"""Single requests and concurrent logins, measured from Python on 127.0.0.1: the cost of one
request with nothing else running, and whether signing in slows down everything else."""

from __future__ import annotations

import http.client
import json
import statistics
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from bench import load


@dataclass(frozen=True)
class Latency:
    p50_ms: float
    p99_ms: float
    count: int


def percentiles(samples: list[float]) -> Latency:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return Latency(statistics.median(ordered) * 1000, p99 * 1000, len(ordered))


class Client:
    """One keep-alive connection, like a browser's or wrk's."""

    def __init__(self, base: str, timeout: float = 30) -> None:
        parts = urlsplit(base)
        self._connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)

    def send(self, method: str, path: str, body: Any = None, token: str | None = None) -> int:
        headers = {"Content-Type": "application/json"} if body is not None else {}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        data = json.dumps(body).encode() if body is not None else None
        self._connection.request(method, path, body=data, headers=headers)
        response = self._connection.getresponse()
        response.read()
        return response.status

    def close(self) -> None:
        self._connection.close()


def single_request(base: str, method: str, path: str, body: Any, token: str | None) -> Latency:
    """The median and p99 of 60 requests sent one after another (the first 10 to warm up)."""
    client = Client(base)
    try:
        samples = []
        for n in range(70):
            started = time.perf_counter()
            client.send(method, path, body, token)
            if n >= 10:
                samples.append(time.perf_counter() - started)
    finally:
        client.close()
    return percentiles(samples)


@dataclass(frozen=True)
class LoginRow:
    connections: int
    logins: Latency
    creates_per_s: float


@dataclass(frozen=True)
class LoginResults:
    creates_alone_per_s: float
    rows: list[LoginRow]


def _login_loop(
    base: str, email: str, password: str, stop: threading.Event, samples: list[float]
) -> None:
    client = Client(base)
    body = {"email": email, "password": password}
    try:
        while not stop.is_set():
            started = time.perf_counter()
            status = client.send("POST", "/api/auth/login/", body)
            if status != 200:
                raise RuntimeError(f"login of {email} answered {status}")
            samples.append(time.perf_counter() - started)
    finally:
        client.close()


def concurrent_logins(
    base: str,
    emails: list[str],
    password: str,
    creates: Callable[[int], load.LoadResult],
    seconds: int,
) -> LoginResults:
    """Creates alone for ``seconds``, then the same create load while 1, 2 and 4 connections
    sign in back to back (each as another user)."""
    alone = creates(seconds).requests_per_s
    rows = []
    for connections in (1, 2, 4):
        stop = threading.Event()
        samples: list[float] = []
        threads = [
            threading.Thread(
                target=_login_loop, args=(base, emails[n], password, stop, samples), daemon=True
            )
            for n in range(connections)
        ]
        for thread in threads:
            thread.start()
        try:
            during = creates(seconds).requests_per_s
        finally:
            stop.set()
            for thread in threads:
                thread.join(timeout=30)
        rows.append(LoginRow(connections, percentiles(samples), during))
    return LoginResults(alone, rows)


def login_table(results: LoginResults) -> str:
    single = results.rows[0].logins.p50_ms
    lines = [
        "| login connections | logins | login p50 ms | login p99 ms | p99 / single-login p50 "
        "| creates/s beside them | share of creates/s alone |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        f"| 0 | - | - | - | - | {results.creates_alone_per_s:,.0f} | 100% |",
    ]
    for row in results.rows:
        share = row.creates_per_s / results.creates_alone_per_s
        lines.append(
            f"| {row.connections} | {row.logins.count} | {row.logins.p50_ms:.1f} "
            f"| {row.logins.p99_ms:.1f} | {row.logins.p99_ms / single:.2f}x "
            f"| {row.creates_per_s:,.0f} | {share:.0%} |"
        )
    return "\n".join(lines)
