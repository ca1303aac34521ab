"""/api/records/export/ and /api/records/import/: records as CSV files, out and in."""

from __future__ import annotations

from typing import Any, NoReturn

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


def _uploaded_text() -> str:
    """The CSV sent as the body or as the multipart field ``file``."""
    location = "body"
    if request.mimetype == "multipart/form-data":
        location = "files"
        upload = request.files.get("file")
        if upload is None:
            _refuse(location, "Send the CSV as the multipart field 'file'.")
        data = upload.read()
    elif request.mimetype in CSV_TYPES:
        data = request.get_data(cache=False)
    else:
        raise UnsupportedMediaType()
    try:
        text: str = data.decode("utf-8-sig")
        return text
    except UnicodeDecodeError:
        _refuse(location, "Must be UTF-8 text.")


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
    imported = import_records.execute(
        ImportRecordsRequest(
            current_actor(), lambda: read_csv(_uploaded_text()), args.get("owner_id")
        )
    )
    return {"imported": imported}, 201
