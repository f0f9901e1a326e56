"""GET /healthz: the process answers and the database does too."""
import sqlalchemy as sa
from flask import Blueprint, jsonify

from server.extensions import db

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    """{"status": "ok"} after a round trip to the database."""
    try:
        db.session.execute(sa.text("SELECT 1"))
    except Exception:
        return jsonify(status="error", message="数据库不可用"), 503
    return jsonify(status="ok")
