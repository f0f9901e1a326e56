"""The one blueprint of the admin pages; the view modules attach their routes to it."""
from flask import Blueprint

bp = Blueprint("admin", __name__)
