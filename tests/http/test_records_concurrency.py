"""Concurrent writers on PostgreSQL (and SQLite): one winner for an If-Match, one record for an
Idempotency-Key, however the requests interleave."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask

from tests.conftest import PASSWORD, Store, build_test_app, ensure_admin, login, requires_postgres

THREADS = 6


def run_together(app: Flask, count: int, request: Callable[[Any], Any]) -> list[Any]:
    """Send ``count`` requests at once, each from its own thread and client."""
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count

    def worker(index: int) -> None:
        client = app.test_client()
        barrier.wait(timeout=10)
        results[index] = request(client)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def _admin_app(store: Store) -> tuple[Flask, dict[str, str]]:
    app = build_test_app(store)
    ensure_admin(app)
    token = login(app.test_client(), "admin@example.com", PASSWORD)["access"]
    return app, {"Authorization": f"Bearer {token}"}


BODY = {"amount": "10.00", "type": "expense", "category": "Food", "date": "2026-01-01"}


def _same_if_match(store: Store) -> None:
    app, auth = _admin_app(store)
    client = app.test_client()
    created = client.post("/api/records/", json=BODY, headers=auth)
    url, etag = f"/api/records/{created.json['id']}/", created.headers["ETag"]
    results = run_together(
        app,
        THREADS,
        lambda c: c.patch(url, json={"category": "Rent"}, headers={**auth, "If-Match": etag}),
    )
    statuses = sorted(r.status_code for r in results)
    assert statuses == [200] + [412] * (THREADS - 1), statuses
    final = client.get(url, headers=auth).json
    assert final["version"] == 2
    history = client.get(f"{url}history/", headers=auth).json["results"]
    assert [e["action"] for e in history] == ["created", "updated"]


def _same_idempotency_key(store: Store) -> None:
    app, auth = _admin_app(store)
    headers = {**auth, "Idempotency-Key": "concurrent-1"}
    results = run_together(
        app, THREADS, lambda c: c.post("/api/records/", json=BODY, headers=headers)
    )
    assert {r.status_code for r in results} == {201}, [r.json for r in results]
    assert len({r.json["id"] for r in results}) == 1
    listing = app.test_client().get("/api/records/", headers=auth).json
    assert listing["count"] == 1


@requires_postgres
@pytest.mark.postgres
def test_concurrent_updates_with_one_if_match_on_postgres(postgres_store: Store) -> None:
    _same_if_match(postgres_store)


@requires_postgres
@pytest.mark.postgres
def test_concurrent_posts_with_one_idempotency_key_on_postgres(postgres_store: Store) -> None:
    _same_idempotency_key(postgres_store)


def test_concurrent_updates_with_one_if_match_on_sqlite(sqlite_store: Store) -> None:
    _same_if_match(sqlite_store)


def test_concurrent_posts_with_one_idempotency_key_on_sqlite(sqlite_store: Store) -> None:
    _same_idempotency_key(sqlite_store)
