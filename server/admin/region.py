"""The pages of a city or province user: the roll-up of its counties and each county's board (read-only)."""
from flask import Blueprint, g, redirect, render_template, request, url_for

from schemas.station import YearQuerySchema
from server.admin.helpers import parse_form
from server.core.errors import Forbidden
from server.job import service as jobs
from server.extensions import db
from server.region import service, snapshot
from server.station.service import target_years

bp = Blueprint("region", __name__, url_prefix="/region")


@bp.before_request
def _only_region_users():
    if g.user is None or not g.user.is_region:
        raise Forbidden("只有市局、省局账号可以使用此功能")


def _year() -> int:
    data, _ = parse_form(YearQuerySchema(), request.args)
    return data.get("year") or service.default_year(g.user)


@bp.get("/")
def overview():
    """The latest roll-up snapshot of the user's city or province for the year (every county's targets,
    certified units, milestones as of their dates, complaint rates, and the sum) with its time. With none
    yet, a job making one is started (or the one waiting is named) and the page says so."""
    year = _year()
    snap = snapshot.latest(g.user, year)
    job = snapshot.pending(g.user, year)
    started = False
    if snap is None and job is None:
        job, started = snapshot.start(g.user, year), True
        db.session.commit()  # queued now (with JOBS_QUEUE=inline it has run, and the snapshot is there)
        snap = snapshot.latest(g.user, year)
        job = snapshot.pending(g.user, year)
    board = snapshot.for_page(snap.data) if snap else None
    years = sorted(set(board["years"] if board else target_years(g.user)) | {year}, reverse=True)
    return render_template("admin/region.html", board=board, snap=snap, job=job, started=started, year=year,
                           years=years, region_name=service.region_name(g.user))


@bp.post("/refresh")
def refresh():
    """Start counting the roll-up again (a job); its page shows the progress and leads back here."""
    year = _year()
    job = snapshot.start(g.user, year)
    return redirect(url_for("admin.job_page", job_id=job.id), 303)


@bp.get("/counties/<int:county_id>")
def county(county_id: int):
    """One county's dashboard as its county admin sees it, its complaint rates and its contacts masked."""
    year = _year()
    view = service.county_view(g.user, county_id, year)
    years = sorted(set(view["board"]["years"]) | {year}, reverse=True)
    return render_template("admin/region_county.html", board=view["board"], pace=view["pace"],
                           charts=view["charts"], lens_county=view["county"], view=view, year=year, years=years,
                           alerts={}, missing_year=None)


@bp.post("/export")
def export():
    """Start the roll-up's XLSX as a background job; its page shows the counties done and gives the file."""
    year = _year()
    job = jobs.start(g.user, "rollup_export", {"year": year, "label": f"{year}年度各县进度汇总"},
                     total=len(service.region_counties(g.user)))
    return redirect(url_for("admin.job_page", job_id=job.id), 303)
