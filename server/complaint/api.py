"""/api/v1/complaints: a complaint or report registered by another system (12315 platform relay, hotline)."""
from flask import g

from schemas.complaint import ComplaintIntakeSchema, ComplaintSchema
from server.complaint import service
from server.core.blueprint import Blueprint

api_bp = Blueprint("complaints", __name__, url_prefix="/complaints", description="投诉举报登记")


@api_bp.post("")
@api_bp.arguments(ComplaintIntakeSchema)
@api_bp.response(201, ComplaintSchema)
def register(data):
    """Register a complaint or report with its time of receipt (default now, never in the future)."""
    return service.intake(g.user, data)
