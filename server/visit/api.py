"""/api/v1/tasks: visit tasks."""
from flask import g

from schemas.visit import BulkAssignSchema, TaskCreateSchema, TaskQuerySchema, TaskSchema, TaskUpdateSchema
from server.core.blueprint import Blueprint
from server.core.errors import Invalid
from server.visit import service

api_bp = Blueprint("tasks", __name__, url_prefix="/tasks", description="走访任务")


@api_bp.get("")
@api_bp.arguments(TaskQuerySchema, location="query")
@api_bp.response(200, TaskSchema(many=True))
def list_tasks(args):
    """Tasks of my scope by due date, overdue first (inspectors: mine and unassigned)."""
    return service.list_tasks(g.user, **args)


@api_bp.post("")
@api_bp.arguments(TaskCreateSchema)
@api_bp.response(201, TaskSchema)
def create_task(data):
    """Assign one visit."""
    from server.account.service import require_admin
    require_admin(g.user)
    return service.create_task(g.user, **data)


@api_bp.post("/bulk")
@api_bp.arguments(BulkAssignSchema)
@api_bp.response(201, TaskSchema(many=True))
def bulk(data):
    """Assign many visits at once, spread over the chosen inspectors; without unit_ids, every unit
    of the station entered for the year and not yet post-evaluated."""
    unit_ids = data.get("unit_ids")
    if unit_ids is None:
        station_id = data.get("station_id") or g.user.station_id
        if station_id is None:
            raise Invalid("请选择所（分局）", fields={"station_id": ["请选择所（分局）"]})
        unit_ids = service.units_awaiting_post_evaluation(g.user, station_id, data["year"])
    return service.assign_in_bulk(g.user, unit_ids=unit_ids, inspector_ids=data["inspector_ids"],
                                  kind=data["kind"], due_date=data["due_date"], year=data["year"],
                                  note=data["note"])


@api_bp.patch("/<int:task_id>")
@api_bp.arguments(TaskUpdateSchema)
@api_bp.response(200, TaskSchema)
def update_task(data, task_id):
    """Reassign, move or cancel an open task."""
    return service.update_task(g.user, task_id, **data)
