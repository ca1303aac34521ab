"""HTTP/1.1 keep-alive clients for the instances on 127.0.0.1, timing and checking each answer.

Every request is recorded as a sample (endpoint group, status, latency); an answer whose status
is not among those the caller expected is recorded too. Status 0 stands for a connection error
or a timeout: the request's outcome is unknown.
"""

from __future__ import annotations

import http.client
import itertools
import json
import threading
import time
from collections import Counter
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from bench.server import HOST

CONNECTION_ERROR = 0
# gunicorn closes a keep-alive connection after 2 s of silence: open a new one before that.
IDLE_LIMIT = 1.0
TIMEOUT = 30.0
TOKEN_GROUPS = ("auth.login", "auth.refresh")
RACE_START_TIMEOUT = 10
_request_ids = itertools.count(1)


@dataclass(frozen=True)
class Answer:
    status: int
    headers: Mapping[str, str]
    body: bytes
    instance: int

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


@dataclass(frozen=True)
class Sample:
    group: str
    status: int
    seconds: float


@dataclass(frozen=True)
class Unexpected:
    group: str
    method: str
    path: str
    status: int
    expected: tuple[int, ...]
    instance: int
    detail: str


@dataclass
class Recorder:
    """Every sample and every unexpected answer of one phase (load or reconciliation), and
    the answers that broke a rule every answer must keep (headers, error shape)."""

    samples: list[Sample] = field(default_factory=list)
    unexpected: list[Unexpected] = field(default_factory=list)
    nonconforming: Counter[str] = field(default_factory=Counter)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, sample: Sample, unexpected: Unexpected | None, problems: list[str]) -> None:
        with self._lock:
            self.samples.append(sample)
            if unexpected is not None:
                self.unexpected.append(unexpected)
            self.nonconforming.update(f"{sample.group}: {problem}" for problem in problems)


def conformance(answer: Answer, request_id: str, group: str) -> list[str]:
    """What the contract asks of every answer: nosniff, the client's X-Request-ID back,
    no-store on answers carrying tokens, and errors as JSON with their status as `code`."""
    if answer.status == CONNECTION_ERROR:
        return []
    problems = []
    if answer.headers.get("x-content-type-options") != "nosniff":
        problems.append("no X-Content-Type-Options: nosniff")
    if answer.headers.get("x-request-id") != request_id:
        problems.append("X-Request-ID not echoed")
    carries_tokens = group in TOKEN_GROUPS and answer.status == 200
    if carries_tokens and "no-store" not in answer.headers.get("cache-control", ""):
        problems.append("tokens without Cache-Control: no-store")
    if answer.status >= 400 and not _error_shaped(answer):
        problems.append(f"{answer.status} not in the JSON error shape")
    return problems


def _error_shaped(answer: Answer) -> bool:
    try:
        body = answer.json()
    except ValueError:
        return False
    return isinstance(body, dict) and body.get("code") == answer.status and "message" in body


class Budget:
    """When clients stop starting new work: a deadline, a cap on requests, or an abort."""

    def __init__(self, seconds: float, max_requests: int) -> None:
        self.started = time.monotonic()
        self.deadline = self.started + seconds
        self.max_requests = max_requests
        self.stopped = threading.Event()
        self.sent = 0
        self._lock = threading.Lock()

    def spend(self) -> None:
        with self._lock:
            self.sent += 1

    def open(self) -> bool:
        if self.stopped.is_set():
            return False
        return time.monotonic() < self.deadline and self.sent < self.max_requests

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def wait(self, seconds: float) -> bool:
        """Sleep unless stopped first; whether there is still time for work."""
        self.stopped.wait(max(0.0, min(seconds, self.deadline - time.monotonic())))
        return self.open()


class Client:
    """One thread's connections, one per instance; calls go to each instance in turn unless
    the caller names one."""

    def __init__(self, ports: list[int], recorder: Recorder, budget: Budget | None = None) -> None:
        self.ports = ports
        self._recorder = recorder
        self._budget = budget
        self._connections: dict[int, http.client.HTTPConnection] = {}
        self._last_used: dict[int, float] = {}
        self._turn = itertools.count()

    def next_instance(self) -> int:
        return next(self._turn) % len(self.ports)

    def other_instance(self, instance: int) -> int:
        return (instance + 1) % len(self.ports)

    def call(
        self,
        method: str,
        path: str,
        *,
        group: str,
        expect: Collection[int],
        token: str | None = None,
        json_body: Any = None,
        body: bytes | None = None,
        content_type: str | None = None,
        headers: Mapping[str, str] | None = None,
        instance: int | None = None,
    ) -> Answer:
        chosen = self.next_instance() if instance is None else instance
        request_id = f"loadtest-{next(_request_ids)}"
        sent_headers = {
            **_headers(token, json_body, content_type, headers),
            "X-Request-ID": request_id,
        }
        payload = json.dumps(json_body).encode() if json_body is not None else body
        if self._budget is not None:
            self._budget.spend()
        start = time.perf_counter()
        answer = self._exchange(chosen, method, path, payload, sent_headers)
        seconds = time.perf_counter() - start
        unexpected = None
        if answer.status not in expect:
            detail = answer.body[:300].decode("utf-8", "replace")
            unexpected = Unexpected(
                group, method, path, answer.status, tuple(sorted(expect)), chosen, detail
            )
        problems = conformance(answer, request_id, group)
        self._recorder.add(Sample(group, answer.status, seconds), unexpected, problems)
        return answer

    def close(self) -> None:
        for connection in self._connections.values():
            connection.close()
        self._connections.clear()

    def _connection(self, instance: int) -> http.client.HTTPConnection:
        connection = self._connections.get(instance)
        idle = time.monotonic() - self._last_used.get(instance, 0.0)
        if connection is not None and idle > IDLE_LIMIT:
            connection.close()
            connection = None
        if connection is None:
            connection = http.client.HTTPConnection(HOST, self.ports[instance], timeout=TIMEOUT)
            self._connections[instance] = connection
        return connection

    def _exchange(
        self,
        instance: int,
        method: str,
        path: str,
        payload: bytes | None,
        headers: dict[str, str],
    ) -> Answer:
        connection = self._connection(instance)
        try:
            connection.request(method, path, body=payload, headers=headers)
            response = connection.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException) as error:
            connection.close()
            self._connections.pop(instance, None)
            return Answer(CONNECTION_ERROR, {}, repr(error).encode(), instance)
        self._last_used[instance] = time.monotonic()
        if response.will_close:
            connection.close()
            self._connections.pop(instance, None)
        answer_headers = {name.lower(): value for name, value in response.getheaders()}
        return Answer(response.status, answer_headers, data, instance)


def at_once(*calls: Callable[[], Answer]) -> list[Answer]:
    """Run each call (each on its own Client) in its own thread, released together: the
    requests race on the server. The answers in the order of the calls."""
    start = threading.Barrier(len(calls))
    answers: dict[int, Answer] = {}

    def send(index: int, call: Callable[[], Answer]) -> None:
        start.wait(timeout=RACE_START_TIMEOUT)
        answers[index] = call()

    others = [
        threading.Thread(target=send, args=(index, call))
        for index, call in enumerate(calls[1:], start=1)
    ]
    for thread in others:
        thread.start()
    send(0, calls[0])
    for thread in others:
        thread.join()
    return [answers[index] for index in sorted(answers)]


def _headers(
    token: str | None,
    json_body: Any,
    content_type: str | None,
    extra: Mapping[str, str] | None,
) -> dict[str, str]:
    headers: dict[str, str] = {}
    if json_body is not None:
        headers["Content-Type"] = "application/json"
    if content_type is not None:
        headers["Content-Type"] = content_type
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    if extra:
        headers.update(extra)
    return headers
