"""How long work shows its progress on the command line: a live bar on a terminal (click's:
done of total, rate and time left), plain lines every few seconds when the output is a file
or a pipe (a cron log)."""

from __future__ import annotations

import sys
import time
from typing import Any, TextIO

import click

LINE_EVERY_SECONDS = 10.0


class CommandLineProgress:
    """The ``Progress`` port on standard error. ``expected`` is the total of a stage that
    starts without one (an import's rows, which the command counts in the file)."""

    def __init__(self, expected: int | None = None, stream: TextIO | None = None) -> None:
        self._expected = expected
        self._stream = stream or sys.stderr
        self._stage: _Bar | _Lines | None = None

    def begin(self, stage: str, total: int | None) -> None:
        self.close()
        total = total if total is not None else self._expected
        shown = _Bar if self._stream.isatty() else _Lines
        self._stage = shown(stage, total, self._stream)

    def advance(self, done: int) -> None:
        if self._stage is not None:
            self._stage.advance(done)

    def close(self) -> None:
        if self._stage is not None:
            self._stage.close()
            self._stage = None

    def __enter__(self) -> CommandLineProgress:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


class _Stage:
    def __init__(self, label: str, total: int | None, stream: TextIO) -> None:
        self.label = label
        self.total = total
        self.stream = stream
        self.started = time.monotonic()
        self.done = 0

    def rate(self) -> float:
        return self.done / max(time.monotonic() - self.started, 1e-9)


class _Bar(_Stage):
    def __init__(self, label: str, total: int | None, stream: TextIO) -> None:
        super().__init__(label, total, stream)
        self._bar: Any = click.progressbar(
            length=total or 0,
            label=label,
            file=stream,
            show_pos=True,
            show_eta=True,
            item_show_func=lambda _: f"{self.rate():,.0f}/s",
        )
        self._bar.__enter__()

    def advance(self, done: int) -> None:
        self.done += done
        self._bar.update(done, current_item=self.done)

    def close(self) -> None:
        self._bar.__exit__(None, None, None)


class _Lines(_Stage):
    def __init__(self, label: str, total: int | None, stream: TextIO) -> None:
        super().__init__(label, total, stream)
        self._last = self.started

    def advance(self, done: int) -> None:
        self.done += done
        if time.monotonic() - self._last >= LINE_EVERY_SECONDS:
            self._last = time.monotonic()
            self._line()

    def _line(self) -> None:
        rate = self.rate()
        text = f"{self.label}: {self.done:,}"
        if self.total:
            left = max(self.total - self.done, 0) / rate if rate else 0.0
            text += f" of {self.total:,} ({rate:,.0f}/s, {left:,.0f} s left)"
        else:
            text += f" ({rate:,.0f}/s)"
        print(text, file=self.stream, flush=True)

    def close(self) -> None:
        if self.done and time.monotonic() - self.started >= LINE_EVERY_SECONDS:
            self._line()


def count_lines(path: str) -> int:
    """How many lines a file has, read in binary blocks: fast enough to size a bar."""
    lines = 0
    with open(path, "rb") as stream:
        while block := stream.read(1 << 20):
            lines += block.count(b"\n")
    return lines
