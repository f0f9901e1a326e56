"""GET /api/v1/directory: the public directory as read-only JSON (for the province's mini program)."""
from flask import current_app

from schemas.directory import DirectoryPageSchema, DirectoryQuerySchema
from server.core.blueprint import Blueprint
from server.directory import service

api_bp = Blueprint("directory-api", __name__, url_prefix="/directory",
                   description="放心消费单位名录（公开，只读，无需登录）")


@api_bp.get("")
@api_bp.doc(security=[])  # public: no bearer token
@api_bp.arguments(DirectoryQuerySchema, location="query")
@api_bp.response(200, DirectoryPageSchema)
def directory(args):
    """Trusted units whose sign is in force, 20 a page by name, with the same filters as /directory."""
    f = service.Filters(**args)
    entries, has_next = service.search(f)
    base = current_app.config["PUBLIC_BASE_URL"]
    for e in entries:
        e.url = f"{base}/s/{e.token}"
    return {"page": f.page, "has_next": has_next, "entries": entries}
