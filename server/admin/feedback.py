"""Consumer feedback pages: evaluations and complaints that reached the user's station (county: all)."""
from flask import Response, g, render_template, request

from server.admin.bp import bp
from server.core.bounds import to_int
from server.feedback import service
from server.feedback.models import COMPLAINT_KINDS as KIND_LABELS, COMPLAINT_STATUSES
from server.station.service import list_stations


@bp.get("/feedback")
def feedback():
    """Complaints and evaluations of the station's units, newest first."""
    stations = list_stations(g.user)
    station_id = request.args.get("station_id", type=to_int) if g.user.is_county else None
    complaints = service.list_complaints(g.user, station_id)
    evaluations = service.list_evaluations(g.user, station_id)
    phones = {c.id: (c.phone if service.can_see_phone(g.user, c) else service.masked(c.phone)) for c in complaints}
    return render_template("admin/feedback.html", stations=stations, station_id=station_id, complaints=complaints,
                           evaluations=evaluations, phones=phones, KIND_LABELS=KIND_LABELS,
                           COMPLAINT_STATUSES=COMPLAINT_STATUSES)


@bp.get("/feedback/complaints/<int:complaint_id>/photo")
def complaint_photo(complaint_id: int):
    """A complaint's photo (thumbnail, metadata stripped) for those who may see the complaint."""
    sha, data = service.complaint_thumb(g.user, complaint_id)
    resp = Response(data, mimetype="image/jpeg")
    resp.set_etag(sha)
    resp.cache_control.private, resp.cache_control.max_age = True, 86400
    resp.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return resp.make_conditional(request)
