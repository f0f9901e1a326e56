"""Admin pages: importing the view modules attaches their routes to the one blueprint `bp`."""
from server.admin.bp import bp
from server.admin import accounts, carriers, dashboard, imports, targets, tokens, unit_forms, units  # noqa: F401
from server.admin import checklists, flags, inspections, tasks  # noqa: F401
from server.admin import feedback, signs  # noqa: F401
from server.admin import audit, complaints, rhythm  # noqa: F401
from server.admin import findings, jobs  # noqa: F401
from server.admin import redblack, volunteers  # noqa: F401

__all__ = ["bp"]
