"""The server-rendered admin pages for station and county staff (Simplified Chinese)."""
from flask import Flask


def register(app: Flask) -> None:
    """Register every admin blueprint and the template helpers."""
    from server.admin import auth, pages, region
    from server.admin.helpers import cst, template_helpers
    app.register_blueprint(auth.bp)
    app.register_blueprint(pages.bp)
    app.register_blueprint(region.bp)
    app.context_processor(template_helpers)
    app.add_template_filter(cst, "cst")
