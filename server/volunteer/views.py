"""The 消费义工's own page (/v/): their assignments and, for each, the visit's evaluation form.

A page of its own rather than a mode of the field app (/app/): the field app pulls a station's units,
tasks and checklists with a bureau device token — the very internals a volunteer must not see — while a
volunteer needs a list of a few visits and one form. So: server-rendered pages, which work without
JavaScript (a plain form post), and a small script (static/volunteer.js) with a service worker scoped to
/v/ (static/volunteer-sw.js) that keeps the pages for offline use and keeps a visit sent offline on the
phone (IndexedDB) until the server has acknowledged it.
"""
from pathlib import Path

from flask import Blueprint, flash, g, jsonify, redirect, render_template, request, send_from_directory, url_for
from marshmallow import ValidationError

from schemas.volunteer import VisitSchema
from server.checklist.service import base_pairs
from server.core.errors import DomainError, Invalid
from server.feedback.service import PHOTO_MAX_BYTES
from server.volunteer import service
from server.volunteer.models import ASSIGNMENT_STATUSES

bp = Blueprint("volunteer", __name__, url_prefix="/v")
STATIC = Path(__file__).resolve().parent.parent / "static"


@bp.before_request
def _volunteers_only():
    service.require_volunteer(g.user)


@bp.get("/")
def home():
    """The volunteer's own assignments: open ones first, by due date."""
    return render_template("volunteer/home.html", assignments=service.my_assignments(g.user),
                           STATUSES=ASSIGNMENT_STATUSES, overdue=service.overdue)


def _form(assignment, errors=None, values=None, status=200, message=""):
    return render_template("volunteer/visit.html", a=assignment, pairs=base_pairs(assignment.county_id),
                           errors=errors or {}, values=values or {}, message=message,
                           max_photos=service.MAX_PHOTOS), status


@bp.get("/assignments/<int:assignment_id>")
def visit_form(assignment_id: int):
    """The visit's evaluation form (or what was sent, once sent)."""
    return _form(service.own_assignment(g.user, assignment_id))


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


@bp.post("/assignments/<int:assignment_id>")
def visit_submit(assignment_id: int):
    """Send a visit: a form post from the page, or the script sending one kept offline (asks for JSON)."""
    assignment = service.own_assignment(g.user, assignment_id)
    form = {k: v for k, v in request.form.items() if v.strip() and k != "csrf_token" and not k.startswith("pair.")}
    form["pair_stars"] = {k[len("pair."):]: v for k, v in request.form.items() if k.startswith("pair.") and v}
    uploads = [f for f in request.files.getlist("photos") if f and f.filename]
    try:
        data = VisitSchema().load(form, unknown="exclude")
        if len(uploads) > service.MAX_PHOTOS:
            raise Invalid(f"照片最多{service.MAX_PHOTOS}张", fields={"photos": [f"照片最多{service.MAX_PHOTOS}张"]})
        photos = [f.stream.read(PHOTO_MAX_BYTES + 1) for f in uploads]
        service.submit_visit(g.user, assignment.id, data, photos)
    except ValidationError as err:
        errors, message, status = err.messages, "填写的内容有误，请按提示修改", 422
    except DomainError as err:
        errors, message, status = err.fields or {}, err.message, err.status
    else:
        if _wants_json():
            return jsonify(status="done", assignment_id=assignment.id), 200
        flash("暗访评价已提交，谢谢！", "ok")
        return redirect(url_for("volunteer.home"), 303)
    if _wants_json():
        return jsonify(error={"code": "invalid", "message": message, "fields": errors}), status
    return _form(assignment, errors, request.form, 422 if status == 422 else status, message)


@bp.get("/sw.js")
def service_worker():
    """The service worker of /v/: keeps the volunteer's pages for offline use (always revalidated)."""
    resp = send_from_directory(STATIC, "volunteer-sw.js", max_age=0, mimetype="text/javascript")
    resp.headers["Cache-Control"] = "no-cache"
    resp.headers["Service-Worker-Allowed"] = "/v/"
    return resp
