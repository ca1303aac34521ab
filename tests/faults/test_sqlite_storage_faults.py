"""SQLite's file system fails under a running server: it fills up, or turns read-only.

The database lives on a small tmpfs mounted by the test (as root; skipped where mounting is not
permitted) and unmounted afterwards, whatever happened."""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.faults.conftest import (
    RECORD,
    Serve,
    Server,
    assert_served_or_unavailable,
    assert_unavailable,
    first_success,
    is_gone,
    records_csv,
    wait_for,
)

pytestmark = pytest.mark.e2e

DISK_SIZE = "8m"
#: A record as large as the contract allows, so each one needs fresh pages.
LARGE = {**RECORD, "description": "x" * 1000}


def _mount(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["mount", *args], capture_output=True, text=True, timeout=10, check=False)


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A tmpfs of DISK_SIZE, unmounted (lazily if something still holds it) at the end.
    Request it before ``serve``, so that the server stops first."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    mount_point = tmp_path / "disk"
    mount_point.mkdir()
    try:
        mounted = _mount(
            "-t", "tmpfs", "-o", f"size={DISK_SIZE},mode=0700", "tmpfs", str(mount_point)
        )
    except FileNotFoundError:
        pytest.skip("no mount command")
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        yield mount_point
    finally:
        _mount("-o", "remount,rw", str(mount_point))
        unmounted = subprocess.run(
            ["umount", str(mount_point)], capture_output=True, timeout=10, check=False
        )
        if unmounted.returncode != 0:
            subprocess.run(["umount", "-l", str(mount_point)], timeout=10, check=True)


def fill(path: Path) -> None:
    """Write ``path`` until its file system has no space left."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        for size in (1 << 20, 1 << 12, 1 << 9):
            block = b"\0" * size
            while True:
                try:
                    os.write(fd, block)
                except OSError as error:
                    if error.errno != errno.ENOSPC:
                        raise
                    break
    finally:
        os.close(fd)


def integrity(database: Path) -> list[Any]:
    conn = sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=10)
    try:
        return conn.execute("PRAGMA integrity_check").fetchall()
    finally:
        conn.close()


def assert_kept(server: Server, acknowledged: list[dict[str, Any]]) -> None:
    """Every record acknowledged with a 201 is stored, unchanged."""
    for record in acknowledged:
        reply = server.call("GET", f"/api/records/{record['id']}/")
        assert reply.status == 200, reply.describe()
        assert reply.json() == record


def assert_writes_refused(server: Server, record_id: int) -> None:
    """Every kind of write answers a proper 503."""
    writes: list[tuple[str, str, dict[str, Any]]] = [
        ("POST", "/api/records/", {"json_body": LARGE}),
        ("PATCH", f"/api/records/{record_id}/", {"json_body": {"category": "Changed"}}),
        ("DELETE", f"/api/records/{record_id}/", {}),
        (
            "POST",
            "/api/records/import/",
            {"body": records_csv(50), "content_type": "text/csv"},
        ),
    ]
    for method, path, kwargs in writes:
        assert_unavailable(server.call(method, path, **kwargs), f"{method} {path}")


def assert_reads_answer(server: Server, record_id: int) -> None:
    """Reads are served if SQLite can read, and are a proper 503 otherwise: never a 500."""
    for path in (
        "/api/health/",
        "/api/records/",
        f"/api/records/{record_id}/",
        "/api/dashboard/summary/",
        "/api/auth/me/",
    ):
        assert_served_or_unavailable(server.call("GET", path), f"GET {path}")


def test_a_full_disk_refuses_writes_with_503_and_loses_nothing(
    small_disk: Path, serve: Serve
) -> None:
    """With no space left, writes answer 503 with Retry-After (not 500) and reads still work;
    once space is freed, the same worker writes again, and every record acknowledged before
    (or during) the fault is there, unchanged."""
    database = small_disk / "finance.db"
    server = serve(f"sqlite:///{database}")
    worker = server.worker()
    acknowledged = [server.create_record(**{**LARGE, "category": f"Before {n}"}) for n in range(3)]

    filler = small_disk / "filler"
    fill(filler)
    for attempt in range(20):
        reply = server.call("POST", "/api/records/", json_body={**LARGE, "category": "Full"})
        if reply.status != 201:
            assert_unavailable(reply, f"POST /api/records/ on a full disk (attempt {attempt})")
            break
        acknowledged.append(reply.json())
    else:
        pytest.fail("20 records were stored on a full disk: the fault never happened")
    assert_writes_refused(server, acknowledged[0]["id"])
    for path in ("/api/records/", f"/api/records/{acknowledged[0]['id']}/"):
        reply = server.call("GET", path)
        assert reply.status == 200, f"GET {path} on a full disk: {reply.describe()}"
    assert_reads_answer(server, acknowledged[0]["id"])
    assert_kept(server, acknowledged)

    filler.unlink()
    first_success(
        lambda: server.call("POST", "/api/records/", json_body=LARGE),
        "POST /api/records/",
        expected=201,
    )
    assert_kept(server, acknowledged)
    assert server.count() == len(acknowledged) + 1
    assert server.worker() == worker, "the worker was replaced: recovery needed a restart"
    assert integrity(database) == [("ok",)]


@contextlib.contextmanager
def paused(server: Server) -> Iterator[None]:
    """gunicorn's master stopped (SIGSTOP), so that it starts no worker until resumed."""
    os.kill(server.process.pid, signal.SIGSTOP)
    try:
        yield
    finally:
        os.kill(server.process.pid, signal.SIGCONT)


def holders(mount_point: Path) -> list[str]:
    """Processes with a file open under ``mount_point`` (for a helpful failure)."""
    found = []
    for fd_dir in Path("/proc").glob("[0-9]*/fd"):
        with contextlib.suppress(OSError):
            for fd in fd_dir.iterdir():
                with contextlib.suppress(OSError):
                    target = os.readlink(fd)
                    if target.startswith(str(mount_point)):
                        found.append(f"{fd_dir.parent.name}: {target}")
    return found


def test_a_read_only_disk_refuses_writes_with_503_and_loses_nothing(
    small_disk: Path, serve: Serve
) -> None:
    """With the database's file system read-only, writes answer 503 JSON with Retry-After
    and reads are served or a proper 503 (never a 500 or HTML); remounted read-write, the
    same worker writes again and every acknowledged record is there.

    Linux refuses to remount a file system read-only while a process has a file on it open
    for writing, and a worker keeps its SQLite connections open. So the fault is made as it
    happens when gunicorn replaces a worker (crash, timeout, max-requests) on a disk that has
    turned read-only: with the master paused, the worker is killed and the tmpfs remounted
    read-only; the master, resumed, starts a worker over the read-only database."""
    database = small_disk / "finance.db"
    server = serve(f"sqlite:///{database}")
    acknowledged = [server.create_record(category=f"Before {n}") for n in range(3)]

    with paused(server):
        old = server.kill_worker()
        wait_for(lambda: is_gone(old), "the killed worker to exit")
        # The kernel releases a dead process's files a moment after it has exited.
        wait_for(
            lambda: _mount("-o", "remount,ro", str(small_disk)).returncode == 0,
            f"remounting read-only (files open there: {holders(small_disk)})",
        )
    worker = server.wait_for_new_worker(old)

    assert_writes_refused(server, acknowledged[0]["id"])
    assert_reads_answer(server, acknowledged[0]["id"])

    remounted = _mount("-o", "remount,rw", str(small_disk))
    assert remounted.returncode == 0, remounted.stderr
    first_success(
        lambda: server.call("POST", "/api/records/", json_body=RECORD),
        "POST /api/records/",
        expected=201,
    )
    assert_kept(server, acknowledged)
    assert server.count() == len(acknowledged) + 1
    assert server.worker() == worker, "the worker was replaced: recovery needed a restart"
    assert integrity(database) == [("ok",)]
