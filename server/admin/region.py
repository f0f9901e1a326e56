"""The pages of a city or province user: the roll-up of its counties and each county's board (read-only)."""
from flask import Blueprint, g, redirect, render_template, request, url_for

from schemas.station import YearQuerySchema
from server.admin.helpers import parse_form
from server.core.errors import Forbidden
from server.job import service as jobs
from server.region import service

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
    """Every county's targets, certified units, milestones as of their dates and complaint rates, and the sum."""
    year = _year()
    board = service.overview(g.user, year)
    years = sorted(set(board["years"]) | {year}, reverse=True)
    return render_template("admin/region.html", board=board, year=year, years=years,
                           region_name=service.region_name(g.user))


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
