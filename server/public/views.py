"""The public sign page /s/<token> (being built)."""
from flask import Blueprint

bp = Blueprint("public", __name__)
