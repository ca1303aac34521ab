"""/api/records/export/ and /api/records/import/: records as CSV files, out and in."""

from __future__ import annotations

import codecs
import io
import tempfile
from contextlib import ExitStack
from typing import IO, Any, NoReturn, TextIO

from dependency_injector.wiring import Provide, inject
from flask import Response, request, stream_with_context
from flask_jwt_extended import jwt_required
from flask_smorest import abort
from werkzeug.exceptions import UnsupportedMediaType

from finance.application.records.export_records import ExportRecords, ExportRecordsRequest
from finance.application.records.import_records import ImportRecords, ImportRecordsRequest
from finance.entrypoints.csv_io import EXPORT_COLUMNS, export_csv, read_csv
from finance.entrypoints.http.api import BEARER, ApiBlueprint
from finance.entrypoints.http.record_schemas import (
    ImportQuerySchema,
    ImportRejectedSchema,
    ImportResultSchema,
    RecordFilterQuerySchema,
)
from finance.entrypoints.http.records import record_filter
from finance.entrypoints.http.security import current_actor

blp = ApiBlueprint(
    "record_files",
    __name__,
    url_prefix="/api/records",
    description="Records as CSV: export what a list shows, import all rows or none.",
)

CSV_TYPES = ("text/csv", "application/csv", "text/plain")


@blp.get("/export/")
@jwt_required()
@blp.arguments(RecordFilterQuerySchema, location="query")
@blp.response(
    200,
    content_type="text/csv",
    description="CSV with the header " + ",".join(EXPORT_COLUMNS),
)
@blp.errors(401, 403)
@blp.doc(security=BEARER, description=ExportRecords.__doc__)
@inject
def export_records(
    args: dict[str, Any], export: ExportRecords = Provide["export_records"]
) -> Response:
    records = export.execute(ExportRecordsRequest(current_actor(), record_filter(args)))
    response = Response(
        stream_with_context(export_csv(records)),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="records.csv"'},
    )
    response.call_on_close(records.close)
    return response


#: An upload is kept in memory up to this size, beyond it in a temporary file.
SPOOL_IN_MEMORY = 1024 * 1024
CHUNK = 64 * 1024


def _uploaded_csv(files: ExitStack) -> TextIO:
    """The CSV sent as the body or as the multipart field ``file``, checked to be UTF-8 as it
    arrives and kept in a temporary file beyond ``SPOOL_IN_MEMORY`` (closed with ``files``),
    to be read row by row: an import's memory does not grow with its file, and the import's
    transaction does not wait on a slow client."""
    location = "body"
    if request.mimetype == "multipart/form-data":
        location = "files"
        upload = request.files.get("file")
        if upload is None:
            _refuse(location, "Send the CSV as the multipart field 'file'.")
        source: IO[bytes] = upload.stream
    elif request.mimetype in CSV_TYPES:
        source = request.stream
    else:
        raise UnsupportedMediaType()
    spooled = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)  # noqa: SIM115
    spool = files.enter_context(spooled)
    utf8 = codecs.getincrementaldecoder("utf-8")()
    try:
        while chunk := source.read(CHUNK):
            utf8.decode(chunk)
            spool.write(chunk)
        utf8.decode(b"", final=True)
    except UnicodeDecodeError:
        _refuse(location, "Must be UTF-8 text.")
    spool.seek(0)
    return files.enter_context(io.TextIOWrapper(spool, encoding="utf-8-sig", newline=""))


def _refuse(location: str, message: str) -> NoReturn:
    abort(422, message="Invalid input.", errors={location: {"file": [message]}})
    raise AssertionError("abort raises")


@blp.post("/import/")
@jwt_required()
@blp.arguments(ImportQuerySchema, location="query")
@blp.response(201, ImportResultSchema)
@blp.errors(401, 403, 413, 415)
@blp.alt_response(422, schema=ImportRejectedSchema, description="Unprocessable Entity")
@blp.doc(
    security=BEARER,
    description=ImportRecords.__doc__,
    requestBody={
        "content": {
            "text/csv": {"schema": {"type": "string"}},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {"file": {"type": "string", "format": "binary"}},
                }
            },
        }
    },
)
@inject
def import_records(
    args: dict[str, Any], import_records: ImportRecords = Provide["import_records"]
) -> Any:
    with ExitStack() as files:
        imported = import_records.execute(
            ImportRecordsRequest(
                current_actor(),
                lambda: read_csv(_uploaded_csv(files)),
                args.get("owner_id"),
            )
        )
    return {"imported": imported}, 201
