"""CSV for records: writing exports safely and reading imports."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Mapping

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


def read_csv(text: str) -> tuple[list[str], Iterator[tuple[int, Mapping[str | None, str | None]]]]:
    """The header's column names and the rows with their line numbers (the header is line 1)."""
    reader = csv.DictReader(io.StringIO(text, newline=""))
    columns = [name.strip() for name in (reader.fieldnames or [])]
    reader.fieldnames = columns

    def rows() -> Iterator[tuple[int, Mapping[str | None, str | None]]]:
        for row in reader:
            if not any((value or "").strip() for key, value in row.items() if key is not None):
                continue
            yield reader.line_num, row

    return columns, rows()
