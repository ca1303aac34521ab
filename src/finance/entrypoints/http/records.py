"""/api/records/: financial records, their history, and CSV import and export."""

from __future__ import annotations

from typing import Any

from dependency_injector.wiring import Provide, inject
from flask import Response, request, stream_with_context, url_for
from flask_jwt_extended import jwt_required
from werkzeug.exceptions import UnsupportedMediaType

from finance.application.pagination import Page, PageRequest
from finance.application.records.create_record import CreateRecord, CreateRecordRequest
from finance.application.records.delete_record import DeleteRecord, DeleteRecordRequest
from finance.application.records.export_records import ExportRecords, ExportRecordsRequest
from finance.application.records.filters import Ordering, RecordFilter
from finance.application.records.get_record import GetRecord, GetRecordRequest
from finance.application.records.import_records import ImportRecords, ImportRecordsRequest
from finance.application.records.list_records import (
    ListDeletedRecords,
    ListRecords,
    ListRecordsRequest,
    RecordList,
)
from finance.application.records.record_history import RecordHistory, RecordHistoryRequest
from finance.application.records.restore_record import RestoreRecord, RestoreRecordRequest
from finance.application.records.update_record import UpdateRecord, UpdateRecordRequest
from finance.domain.errors import InvalidValue
from finance.domain.records import Record, RecordType
from finance.entrypoints.http.api import BEARER, ApiBlueprint
from finance.entrypoints.http.csv_io import EXPORT_COLUMNS, export_csv, read_csv
from finance.entrypoints.http.pagination import page_request, paginated
from finance.entrypoints.http.schemas import (
    AuditPageSchema,
    ImportQuerySchema,
    ImportRejectedSchema,
    ImportResultSchema,
    PageQuerySchema,
    RecordFilterQuerySchema,
    RecordListQuerySchema,
    RecordPageSchema,
    RecordPatchSchema,
    RecordSchema,
    RecordWriteSchema,
)
from finance.entrypoints.http.security import current_actor

blp = ApiBlueprint(
    "records", __name__, url_prefix="/api/records", description="Income and expense records."
)

ETAG_HEADER = {"ETag": {"schema": {"type": "string"}, "description": "Current version"}}
IF_MATCH = {
    "parameters": [
        {
            "in": "header",
            "name": "If-Match",
            "required": False,
            "schema": {"type": "string"},
            "description": "ETag from an earlier read; if it is no longer current: 412",
        }
    ]
}
IDEMPOTENCY = {
    "parameters": [
        {
            "in": "header",
            "name": "Idempotency-Key",
            "required": False,
            "schema": {"type": "string", "minLength": 1, "maxLength": 255},
            "description": "Repeat a POST safely within 24 hours",
        }
    ]
}


def etag(record: Record) -> str:
    return f'"{record.id}-{record.version}"'


def expected_version(record_id: int) -> int | None:
    """The version named by If-Match; 0 (never current) when it names none of this record."""
    header = request.headers.get("If-Match")
    if header is None or header.strip() == "*":
        return None
    for tag in header.split(","):
        tag = tag.strip().removeprefix("W/").strip('"')
        number, _, version = tag.partition("-")
        if number == str(record_id) and version.isdigit():
            return int(version)
    return 0


def record_filter(args: dict[str, Any]) -> RecordFilter:
    return RecordFilter(
        type=RecordType(args["type"]) if "type" in args else None,
        category=args.get("category"),
        date_from=args.get("date_from"),
        date_to=args.get("date_to"),
        min_amount=args.get("min_amount"),
        max_amount=args.get("max_amount"),
        q=args.get("q"),
        owner_id=args.get("owner_id"),
        ordering=Ordering(args.get("ordering", "-date")),
    )


def record_page(result: RecordList) -> dict[str, Any]:
    if result.cursor_mode:
        return {
            "count": None,
            "next": None,
            "previous": None,
            "next_cursor": result.next_cursor,
            "results": result.items,
        }
    return paginated(Page(result.items, result.total, result.page), result.next_cursor)


def _with_etag(record: Record, status: int = 200, **headers: str) -> Any:
    return record, status, {"ETag": etag(record), **headers}


def _list(use_case: ListRecords, args: dict[str, Any]) -> dict[str, Any]:
    return record_page(
        use_case.execute(
            ListRecordsRequest(
                actor=current_actor(),
                filter=record_filter(args),
                page=page_request(args),
                cursor=args.get("cursor"),
            )
        )
    )


@blp.get("/")
@jwt_required()
@blp.arguments(RecordListQuerySchema, location="query")
@blp.response(200, RecordPageSchema)
@blp.errors(401, 403)
@blp.doc(security=BEARER, description=ListRecords.__doc__)
@inject
def list_records(args: dict[str, Any], list_records: ListRecords = Provide["list_records"]) -> Any:
    return _list(list_records, args)


@blp.post("/")
@jwt_required()
@blp.arguments(RecordWriteSchema)
@blp.response(
    201, RecordSchema, headers={**ETAG_HEADER, "Location": {"schema": {"type": "string"}}}
)
@blp.errors(401, 403, 409, 413)
@blp.doc(security=BEARER, description=CreateRecord.__doc__, **IDEMPOTENCY)
@inject
def create_record(body: dict[str, Any], create: CreateRecord = Provide["create_record"]) -> Any:
    key = request.headers.get("Idempotency-Key")
    record = create.execute(
        CreateRecordRequest(
            actor=current_actor(),
            amount=body["amount"],
            type=RecordType(body["type"]),
            category=body["category"],
            date=body["date"],
            description=body["description"],
            owner_id=body.get("owner_id"),
            idempotency_key=key,
        )
    )
    return _with_etag(record, 201, Location=url_for("records.get_record", record_id=record.id))


@blp.get("/deleted/")
@jwt_required()
@blp.arguments(RecordListQuerySchema, location="query")
@blp.response(200, RecordPageSchema)
@blp.errors(401, 403)
@blp.doc(security=BEARER, description=ListDeletedRecords.__doc__)
@inject
def list_deleted_records(
    args: dict[str, Any], list_deleted: ListDeletedRecords = Provide["list_deleted_records"]
) -> Any:
    return _list(list_deleted, args)


@blp.get("/<id:record_id>/")
@jwt_required()
@blp.response(200, RecordSchema, headers=ETAG_HEADER)
@blp.errors(401, 404, 422)
@blp.doc(security=BEARER, description=GetRecord.__doc__)
@inject
def get_record(record_id: int, get: GetRecord = Provide["get_record"]) -> Any:
    return _with_etag(get.execute(GetRecordRequest(current_actor(), record_id)))


def _update(update: UpdateRecord, record_id: int, changes: dict[str, Any]) -> Any:
    if "type" in changes:
        changes["type"] = RecordType(changes["type"])
    record = update.execute(
        UpdateRecordRequest(current_actor(), record_id, changes, expected_version(record_id))
    )
    return _with_etag(record)


@blp.put("/<id:record_id>/")
@jwt_required()
@blp.arguments(RecordWriteSchema)
@blp.response(200, RecordSchema, headers=ETAG_HEADER)
@blp.errors(401, 403, 404, 412, 413, 422)
@blp.doc(security=BEARER, description=UpdateRecord.__doc__, **IF_MATCH)
@inject
def replace_record(
    body: dict[str, Any], record_id: int, update: UpdateRecord = Provide["update_record"]
) -> Any:
    return _update(update, record_id, dict(body))


@blp.patch("/<id:record_id>/")
@jwt_required()
@blp.arguments(RecordPatchSchema)
@blp.response(200, RecordSchema, headers=ETAG_HEADER)
@blp.errors(401, 403, 404, 412, 413, 422)
@blp.doc(security=BEARER, description=UpdateRecord.__doc__, **IF_MATCH)
@inject
def update_record(
    body: dict[str, Any], record_id: int, update: UpdateRecord = Provide["update_record"]
) -> Any:
    return _update(update, record_id, dict(body))


@blp.delete("/<id:record_id>/")
@jwt_required()
@blp.response(204)
@blp.errors(401, 403, 404, 412, 422)
@blp.doc(security=BEARER, description=DeleteRecord.__doc__, **IF_MATCH)
@inject
def delete_record(record_id: int, delete: DeleteRecord = Provide["delete_record"]) -> None:
    delete.execute(DeleteRecordRequest(current_actor(), record_id, expected_version(record_id)))


@blp.post("/<id:record_id>/restore/")
@jwt_required()
@blp.response(200, RecordSchema, headers=ETAG_HEADER)
@blp.errors(401, 403, 404, 422)
@blp.doc(security=BEARER, description=RestoreRecord.__doc__)
@inject
def restore_record(record_id: int, restore: RestoreRecord = Provide["restore_record"]) -> Any:
    return _with_etag(restore.execute(RestoreRecordRequest(current_actor(), record_id)))


@blp.get("/<id:record_id>/history/")
@jwt_required()
@blp.arguments(PageQuerySchema, location="query")
@blp.response(200, AuditPageSchema)
@blp.errors(401, 403, 404, 422)
@blp.doc(security=BEARER, description=RecordHistory.__doc__)
@inject
def record_history(
    args: dict[str, Any], record_id: int, history: RecordHistory = Provide["record_history"]
) -> Any:
    entries = history.execute(RecordHistoryRequest(current_actor(), record_id))
    page: PageRequest = page_request(args)
    window = entries[page.offset : page.offset + page.page_size]
    return paginated(Page(window, len(entries), page))


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
    if request.mimetype == "multipart/form-data":
        upload = request.files.get("file")
        if upload is None:
            raise InvalidValue("file", "Send the CSV as the multipart field 'file'.")
        data = upload.read()
    elif request.mimetype in CSV_TYPES:
        data = request.get_data(cache=False)
    else:
        raise UnsupportedMediaType()
    try:
        text: str = data.decode("utf-8-sig")
        return text
    except UnicodeDecodeError as error:
        raise InvalidValue("file", "Must be UTF-8 text.") from error


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
