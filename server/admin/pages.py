"""Admin pages (being built)."""
from flask import Blueprint

bp = Blueprint("admin", __name__)


@bp.get("/")
def dashboard():
    return "dashboard"


for _name in ("units", "carriers", "targets", "accounts", "tokens"):
    bp.add_url_rule(f"/{_name}", _name, lambda: "todo")
