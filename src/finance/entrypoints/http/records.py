"""/api/records/: financial records, their history, and CSV import and export."""

from __future__ import annotations

from typing import Any

from dependency_injector.wiring import Provide, inject
from flask import url_for
from flask_jwt_extended import jwt_required

from finance.application.pagination import Page
from finance.application.records.create_record import CreateRecord, CreateRecordRequest
from finance.application.records.delete_record import DeleteRecord, DeleteRecordRequest
from finance.application.records.filters import Ordering, RecordFilter
from finance.application.records.get_record import GetRecord, GetRecordRequest
from finance.application.records.list_records import (
    ListDeletedRecords,
    ListRecords,
    ListRecordsRequest,
    RecordList,
)
from finance.application.records.record_history import RecordHistory, RecordHistoryRequest
from finance.application.records.restore_record import RestoreRecord, RestoreRecordRequest
from finance.application.records.update_record import UpdateRecord, UpdateRecordRequest
from finance.domain.records import RecordType
from finance.entrypoints.http.api import BEARER, ApiBlueprint
from finance.entrypoints.http.pagination import page_request, paginated
from finance.entrypoints.http.record_schemas import (
    AuditPageSchema,
    IdempotencyHeaderSchema,
    RecordListQuerySchema,
    RecordPageSchema,
    RecordPatchSchema,
    RecordSchema,
    RecordWriteSchema,
)
from finance.entrypoints.http.schemas import (
    PageQuerySchema,
)
from finance.entrypoints.http.security import current_actor
from finance.entrypoints.http.versions import (
    ETAG_HEADER,
    IF_MATCH,
    LOCATION_HEADER,
    expected_version,
    with_etag,
)

blp = ApiBlueprint(
    "records", __name__, url_prefix="/api/records", description="Income and expense records."
)


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
@blp.arguments(IdempotencyHeaderSchema, location="headers")
@blp.response(201, RecordSchema, headers={**ETAG_HEADER, **LOCATION_HEADER})
@blp.errors(401, 403, 409, 413)
@blp.doc(security=BEARER, description=CreateRecord.__doc__)
@inject
def create_record(
    body: dict[str, Any], headers: dict[str, Any], create: CreateRecord = Provide["create_record"]
) -> Any:
    record = create.execute(
        CreateRecordRequest(
            actor=current_actor(),
            amount=body["amount"],
            type=RecordType(body["type"]),
            category=body["category"],
            date=body["date"],
            description=body["description"],
            owner_id=body.get("owner_id"),
            idempotency_key=headers.get("idempotency_key"),
        )
    )
    return with_etag(record, 201, Location=url_for("records.get_record", record_id=record.id))


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
    return with_etag(get.execute(GetRecordRequest(current_actor(), record_id)))


def _update(update: UpdateRecord, record_id: int, changes: dict[str, Any]) -> Any:
    if "type" in changes:
        changes["type"] = RecordType(changes["type"])
    record = update.execute(
        UpdateRecordRequest(current_actor(), record_id, changes, expected_version(record_id))
    )
    return with_etag(record)


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
    return with_etag(restore.execute(RestoreRecordRequest(current_actor(), record_id)))


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
    return paginated(
        history.execute(RecordHistoryRequest(current_actor(), record_id, page_request(args)))
    )
