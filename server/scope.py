"""Scope before the body: a writing API route that names a record answers 404 for a record the user may not
see before its body is read.

The API's views get their body parsed and validated (flask-smorest's `arguments`) before the view runs and
looks the record up, so a user of another station sending a bad body to /api/v1/units/<id> would get the
body's 422 rather than the 404 the record's scope gives. Here each id in a path is looked up with its domain's
own getter (the one rule of who sees that record, called from the view too) before anything else; the pages'
forms look their record up first already. tests/api/test_url_scope.py walks every writing route.
"""
from importlib import import_module

from flask import g, request

WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# A path argument → its domain's getter(user, id): raises NotFound (or Forbidden) for a record out of scope.
GETTERS = {
    "unit_id": "server.unit.service:get_unit",
    "sign_id": "server.signage.service:get_sign",
    "carrier_id": "server.carrier.service:get_carrier",
    "task_id": "server.visit.service:get_task",
    "template_id": "server.checklist.service:get_template",
    "user_id": "server.account.service:get_user",
    "inspection_id": "server.inspection.service:get_inspection",
    "complaint_id": "server.complaint.service:get_complaint",
}


def _getter(name: str):
    module, func = GETTERS[name].split(":")
    return getattr(import_module(module), func)


def check_path_records() -> None:
    """For a writing API request by a user: look up each record its path names, in its domain's scope.

    Raises the getter's NotFound / Forbidden (server.core.errors), answered in the API's error shape.
    """
    if request.method not in WRITES or not request.view_args or g.user is None:
        return
    for name, value in request.view_args.items():
        if name in GETTERS and isinstance(value, int):
            _getter(name)(g.user, value)
