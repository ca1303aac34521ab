"""CSV for records: writing exports safely and reading imports."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from typing import TextIO

from finance.domain.records import Record

EXPORT_COLUMNS = [
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
_FORMULA_STARTS = ("=", "+", "-", "@")
_ROWS_PER_CHUNK = 500


def _safe(cell: object) -> str:
    """Spreadsheets run a cell that starts like a formula; a leading quote keeps it text."""
    text = str(cell)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def _row(record: Record) -> list[str]:
    return [
        _safe(value)
        for value in (
            record.id,
            record.date.isoformat(),
            record.type.value,
            record.category,
            record.amount,
            record.description,
            record.owner_id,
            record.created_by,
            record.created_at.isoformat(),
        )
    ]


def export_csv(records: Iterable[Record]) -> Iterator[str]:
    """The header, then chunks of rows as they are read."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(EXPORT_COLUMNS)
    for count, record in enumerate(records, start=1):
        writer.writerow(_row(record))
        if count % _ROWS_PER_CHUNK == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def read_csv(source: str | TextIO) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    """The header's column names and the rows as (line number, cells), the header being line 1,
    read lazily from text or an open file. Blank lines are skipped."""
    stream = io.StringIO(source, newline="") if isinstance(source, str) else source
    reader = csv.reader(stream)
    columns = [name.strip() for name in next(reader, [])]

    def rows() -> Iterator[tuple[int, list[str]]]:
        for cells in reader:
            if "".join(cells).strip():
                yield reader.line_num, cells

    return columns, rows()
