"""消费义工 for county admins: the volunteers, the random draw of anonymous visits, and every assignment with
who made it (county admins alone see who)."""
from flask import Response, flash, g, redirect, render_template, request, url_for

from schemas.volunteer import AssignSchema
from server.admin.bp import bp
from server.admin.helpers import parse_form
from server.carrier.service import list_carriers
from server.core.clock import today
from server.core.errors import DomainError
from server.photo.service import thumbnail_of
from server.station.service import list_stations
from server.volunteer import service
from server.volunteer.models import ASSIGNMENT_STATUSES


def _page(values=None, errors=None, status=200):
    return render_template("admin/volunteers.html", volunteers=service.volunteers(g.user),
                           assignments=service.list_assignments(g.user), stations=list_stations(g.user),
                           carriers=list_carriers(g.user), values=values or {}, errors=errors or {},
                           STATUSES=ASSIGNMENT_STATUSES, overdue=service.overdue, today=today()), status


@bp.get("/volunteers")
def volunteers_page():
    """The county's volunteers, the draw form and the assignments (county admins)."""
    service.require_county(g.user)
    return _page()


@bp.post("/volunteers/assign")
def volunteers_assign():
    """Draw units at random within a station or carrier and assign them to the chosen volunteers."""
    service.require_county(g.user)
    data, errors = parse_form(AssignSchema(), request.form, lists=("volunteer_ids",))
    if not errors:
        try:
            made = service.assign_visits(g.user, **data)
        except DomainError as err:
            errors = {"_": [err.message], **err.fields}
        else:
            flash(f"已随机安排{len(made)}家单位的暗访", "ok")
            return redirect(url_for("admin.volunteers_page"), 303)
    errors.setdefault("_", ["安排未完成：" + "；".join(m for v in errors.values() for m in v)])
    return _page(request.form, errors, 422)


@bp.get("/volunteers/assignments/<int:assignment_id>/photos/<sha>")
def volunteer_photo(assignment_id: int, sha: str):
    """A photo of a visit (thumbnail, metadata stripped), for county admins of its county."""
    service.visit_photo(g.user, assignment_id, sha)
    resp = Response(thumbnail_of(sha), mimetype="image/jpeg")
    resp.set_etag(sha)
    resp.cache_control.private, resp.cache_control.max_age = True, 86400
    resp.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return resp.make_conditional(request)
