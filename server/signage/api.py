"""/api/v1/signs (being built)."""
from flask_smorest import Blueprint

api_bp = Blueprint("signs", __name__, url_prefix="/signs", description="放心消费标识")
