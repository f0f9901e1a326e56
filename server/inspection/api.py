"""/api/v1/inspections."""
from flask import g

from schemas.inspection import InspectionSchema, InspectionSubmitSchema
from server.core.blueprint import Blueprint
from server.inspection import service

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
def submit(data):
    """Submit one inspection directly (the field app uses /sync/push, which is idempotent)."""
    return _with_status(service.submit_inspection(g.user, data))


@api_bp.get("/<int:inspection_id>")
@api_bp.response(200, InspectionSchema)
def get_inspection(inspection_id):
    """One inspection, with the photos it still waits for."""
    return _with_status(service.get_inspection(g.user, inspection_id))
