"""CSV for records: writing exports safely and reading imports."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from typing import TextIO

from finance.application.errors import UnreadableRow
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
#: What a spreadsheet may take for the start of a formula (OWASP's CSV injection list).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
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
    read lazily from text or an open file. Blank lines are skipped. A line the CSV reader
    cannot read (a cell over its size limit) ends the rows with ``UnreadableRow``."""
    stream = io.StringIO(source, newline="") if isinstance(source, str) else source
    # Strict: a quote left open would otherwise swallow every row after it into one cell.
    reader = csv.reader(stream, strict=True)
    try:
        columns = [name.strip() for name in next(reader, [])]  # the header
    except csv.Error as error:
        raise UnreadableRow(1, _reason(error)) from error

    def rows() -> Iterator[tuple[int, list[str]]]:
        while True:
            first_line = reader.line_num + 1
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as error:
                raise UnreadableRow(first_line, _reason(error)) from error
            if "".join(cells).strip():
                yield reader.line_num, cells

    return columns, rows()


def _reason(error: csv.Error) -> str:
    if "field larger than field limit" in str(error):
        return f"Has a cell longer than {csv.field_size_limit()} characters."
    if "unexpected end of data" in str(error):
        return "Opens a quoted cell that is never closed."
    return f"Cannot be read as CSV: {error}."
