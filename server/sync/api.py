"""/api/v1/sync: the field app's pull and push."""
from flask import g

from schemas.sync import PullQuerySchema, PullSchema, PushResultSchema, PushSchema
from server.core.blueprint import Blueprint
from server.extensions import db
from server.sync import pull as pulls
from server.sync import push as pushes

api_bp = Blueprint("sync", __name__, url_prefix="/sync", description="现场App的同步：拉取与推送")


@api_bp.get("/pull")
@api_bp.arguments(PullQuerySchema, location="query")
@api_bp.response(200, PullSchema)
def pull(args):
    """Records of my scope changed after the cursor, in commit order, with tombstones."""
    return pulls.pull(g.user, args["cursor"], args["limit"])


@api_bp.post("/push")
@api_bp.arguments(PushSchema)
@api_bp.response(200, PushResultSchema)
def push(data):
    """Apply device-made changes once each; a result per change."""
    results = pushes.push(g.user, data["changes"])
    db.session.commit()  # before the response is made: on SQLite the one writer's turn ends with the writes
    return results
