"""/api/v1/checklists: templates and their versions."""
from flask import g

from schemas.checklist import ChecklistTemplateSchema, ChecklistVersionSchema, PublishItemsSchema
from server.checklist import service
from server.core.blueprint import Blueprint

api_bp = Blueprint("checklists", __name__, url_prefix="/checklists", description="检查表（1+X）")


@api_bp.get("")
@api_bp.response(200, ChecklistTemplateSchema(many=True))
def list_templates():
    """The county's templates with their versions."""
    return service.list_templates(g.user)


@api_bp.get("/versions/<int:version_id>")
@api_bp.response(200, ChecklistVersionSchema)
def get_version(version_id):
    """One version exactly as it was published."""
    return service.get_version(g.user, version_id)


@api_bp.post("/<int:template_id>/versions")
@api_bp.arguments(PublishItemsSchema)
@api_bp.response(201, ChecklistVersionSchema)
def publish(data, template_id):
    """Publish new items for a template (county admins); earlier versions never change."""
    return service.publish_items(g.user, template_id, data["items"], data["note"])
