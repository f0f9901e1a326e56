"""/api/v1/inspections."""
from flask import g, request

from schemas.inspection import InspectionSchema, InspectionSubmitSchema
from server.core.blueprint import Blueprint
from server.core.errors import Conflict, Invalid, NotFound
from server.inspection import service
from server.sync.push import apply_change

api_bp = Blueprint("inspections", __name__, url_prefix="/inspections", description="现场检查记录")


def _with_status(inspection):
    inspection.missing_photos = sorted(service.missing_photos(inspection))
    return inspection


@api_bp.get("")
@api_bp.response(200, InspectionSchema(many=True))
def list_inspections():
    """Recent inspections of my scope (inspectors: my own)."""
    return [_with_status(i) for i in service.list_inspections(g.user)]


@api_bp.post("")
@api_bp.arguments(InspectionSubmitSchema)
@api_bp.response(201, InspectionSchema)
@api_bp.alt_response(200, schema=InspectionSchema, description="同一 client_id、同样内容已提交过：返回当时保存的记录")
@api_bp.alt_response(409, description="同一 client_id 已以不同内容提交过（或为他人所用）")
def submit(data):
    """Submit one inspection directly: a push of one change (same client_id and content = the record stored
    then, 200; other content = 409), sharing its receipts with /sync/push."""
    result = apply_change(g.user, {"id": data["client_id"], "type": "inspection", "data": request.get_json()},
                          alone=True)
    status = result["status"]
    if status == "conflict":
        raise Conflict(result["message"])
    if status == "invalid":
        raise Invalid(result["message"], fields=result.get("fields"))
    if status == "gone":
        raise NotFound(result["message"])
    if status == "error":
        raise RuntimeError(result["message"])
    record = service.get_inspection(g.user, result["record"]["id"])
    return _with_status(record), (201 if status == "applied" else 200)


@api_bp.get("/<int:inspection_id>")
@api_bp.response(200, InspectionSchema)
def get_inspection(inspection_id):
    """One inspection, with the photos it still waits for."""
    return _with_status(service.get_inspection(g.user, inspection_id))
