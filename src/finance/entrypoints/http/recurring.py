"""/api/recurring/: schedules that make the same record again and again."""

from __future__ import annotations

from typing import Any

from dependency_injector.wiring import Provide, inject
from flask import url_for
from flask_jwt_extended import jwt_required

from finance.application.ports import ScheduleQuery
from finance.application.recurring.create_schedule import CreateSchedule, CreateScheduleRequest
from finance.application.recurring.deactivate_schedule import (
    DeactivateSchedule,
    DeactivateScheduleRequest,
)
from finance.application.recurring.get_schedule import GetSchedule, GetScheduleRequest
from finance.application.recurring.list_schedules import ListSchedules, ListSchedulesRequest
from finance.application.recurring.run_schedule import RunSchedule, RunScheduleRequest
from finance.application.recurring.upcoming_occurrences import (
    UpcomingOccurrences,
    UpcomingOccurrencesRequest,
)
from finance.application.recurring.update_schedule import UpdateSchedule, UpdateScheduleRequest
from finance.domain.records import RecordType, category_key
from finance.domain.schedules import Frequency
from finance.entrypoints.http.api import BEARER, ApiBlueprint
from finance.entrypoints.http.pagination import page_request, paginated
from finance.entrypoints.http.planning_schemas import (
    RunQuerySchema,
    RunResultSchema,
    ScheduleListQuerySchema,
    SchedulePageSchema,
    SchedulePatchSchema,
    ScheduleSchema,
    ScheduleWriteSchema,
    UpcomingQuerySchema,
    UpcomingSchema,
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
    "recurring",
    __name__,
    url_prefix="/api/recurring",
    description="Schedules that make the same record again and again, each occurrence once.",
)


def _fields(body: dict[str, Any]) -> dict[str, Any]:
    """The body's values as the domain takes them."""
    converted = dict(body)
    if "type" in converted:
        converted["type"] = RecordType(converted["type"])
    if "frequency" in converted:
        converted["frequency"] = Frequency(converted["frequency"])
    return converted


@blp.get("/")
@jwt_required()
@blp.arguments(ScheduleListQuerySchema, location="query")
@blp.response(200, SchedulePageSchema)
@blp.errors(401, 403)
@blp.doc(security=BEARER, description=ListSchedules.__doc__)
@inject
def list_schedules(
    args: dict[str, Any], list_schedules: ListSchedules = Provide["list_schedules"]
) -> Any:
    category = args.get("category")
    query = ScheduleQuery(
        owner_id=args.get("owner_id"),
        type=RecordType(args["type"]) if "type" in args else None,
        category_key=category_key(category) if category else None,
        active=args.get("active"),
    )
    return paginated(
        list_schedules.execute(ListSchedulesRequest(current_actor(), query, page_request(args)))
    )


@blp.post("/")
@jwt_required()
@blp.arguments(ScheduleWriteSchema)
@blp.response(201, ScheduleSchema, headers={**ETAG_HEADER, **LOCATION_HEADER})
@blp.errors(401, 403, 413)
@blp.doc(security=BEARER, description=CreateSchedule.__doc__)
@inject
def create_schedule(
    body: dict[str, Any], create: CreateSchedule = Provide["create_schedule"]
) -> Any:
    schedule = create.execute(CreateScheduleRequest(current_actor(), **_fields(body)))
    location = url_for("recurring.get_schedule", schedule_id=schedule.id)
    return with_etag(schedule, 201, Location=location)


@blp.get("/<id:schedule_id>/")
@jwt_required()
@blp.response(200, ScheduleSchema, headers=ETAG_HEADER)
@blp.errors(401, 404, 422)
@blp.doc(security=BEARER, description=GetSchedule.__doc__)
@inject
def get_schedule(schedule_id: int, get: GetSchedule = Provide["get_schedule"]) -> Any:
    return with_etag(get.execute(GetScheduleRequest(current_actor(), schedule_id)))


def _update(update: UpdateSchedule, schedule_id: int, body: dict[str, Any]) -> Any:
    request = UpdateScheduleRequest(
        current_actor(), schedule_id, _fields(body), expected_version(schedule_id)
    )
    return with_etag(update.execute(request))


@blp.put("/<id:schedule_id>/")
@jwt_required()
@blp.arguments(ScheduleWriteSchema)
@blp.response(200, ScheduleSchema, headers=ETAG_HEADER)
@blp.errors(401, 403, 404, 412, 413, 422)
@blp.doc(security=BEARER, description=UpdateSchedule.__doc__, **IF_MATCH)
@inject
def replace_schedule(
    body: dict[str, Any], schedule_id: int, update: UpdateSchedule = Provide["update_schedule"]
) -> Any:
    return _update(update, schedule_id, body)


@blp.patch("/<id:schedule_id>/")
@jwt_required()
@blp.arguments(SchedulePatchSchema)
@blp.response(200, ScheduleSchema, headers=ETAG_HEADER)
@blp.errors(401, 403, 404, 412, 413, 422)
@blp.doc(security=BEARER, description=UpdateSchedule.__doc__, **IF_MATCH)
@inject
def update_schedule(
    body: dict[str, Any], schedule_id: int, update: UpdateSchedule = Provide["update_schedule"]
) -> Any:
    return _update(update, schedule_id, body)


@blp.delete("/<id:schedule_id>/")
@jwt_required()
@blp.response(204)
@blp.errors(401, 403, 404, 412, 422)
@blp.doc(security=BEARER, description=DeactivateSchedule.__doc__, **IF_MATCH)
@inject
def deactivate_schedule(
    schedule_id: int, deactivate: DeactivateSchedule = Provide["deactivate_schedule"]
) -> None:
    deactivate.execute(
        DeactivateScheduleRequest(current_actor(), schedule_id, expected_version(schedule_id))
    )


@blp.get("/<id:schedule_id>/upcoming/")
@jwt_required()
@blp.arguments(UpcomingQuerySchema, location="query")
@blp.response(200, UpcomingSchema)
@blp.errors(401, 404, 422)
@blp.doc(security=BEARER, description=UpcomingOccurrences.__doc__)
@inject
def upcoming_occurrences(
    args: dict[str, Any],
    schedule_id: int,
    upcoming: UpcomingOccurrences = Provide["upcoming_occurrences"],
) -> Any:
    request = UpcomingOccurrencesRequest(current_actor(), schedule_id, args["limit"])
    return {"results": upcoming.execute(request)}


@blp.post("/<id:schedule_id>/run/")
@jwt_required()
@blp.arguments(RunQuerySchema, location="query")
@blp.response(200, RunResultSchema)
@blp.errors(401, 403, 404, 409, 422)
@blp.doc(security=BEARER, description=RunSchedule.__doc__)
@inject
def run_schedule(
    args: dict[str, Any], schedule_id: int, run: RunSchedule = Provide["run_schedule"]
) -> Any:
    made = run.execute(RunScheduleRequest(current_actor(), schedule_id, args.get("until")))
    return {"created": len(made), "records": [record.id for record in made]}
