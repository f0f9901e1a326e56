"""The progress dashboard: targets against units at each stage, per station and for the county."""
from flask import g, redirect, render_template, request, url_for

from schemas.station import YearQuerySchema
from server.admin.bp import bp
from server.admin.helpers import parse_form
from server.complaint import service as complaints
from server.core.clock import today
from server.dashboard import chart, pace
from server.dashboard import service as progress
from server.workday import service as workdays


def chosen_year(args) -> int:
    """The ?year= of the request if it is valid, else the user's default year."""
    data, _ = parse_form(YearQuerySchema(), args)
    return data.get("year") or progress.default_year(g.user)


@bp.get("/")
def dashboard():
    """Targets and progress for a year, with the plan's deadlines; a city or province user's is the roll-up."""
    if g.user.is_region:
        return redirect(url_for("region.overview"))
    year = chosen_year(request.args)
    board = progress.dashboard(g.user, year)
    forecast = pace.pace(g.user, year, [r["station"] for r in board["rows"]], progress.targets_for(g.user, year))
    charts = chart.charts(forecast)
    years = sorted(set(board["years"]) | {year}, reverse=True)
    alerts = complaints.deadline_alerts(g.user, today())
    missing = workdays.missing_next_year(today()) if g.user.role == "county_admin" else None
    return render_template("admin/dashboard.html", board=board, year=year, years=years, alerts=alerts,
                           missing_year=missing, pace=forecast, charts=charts)

