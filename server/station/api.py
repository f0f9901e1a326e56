"""/api/v1: stations, targets and the dashboard."""
from flask import g

from schemas.station import DashboardSchema, StationSchema, TargetEntrySchema, TargetsSchema, YearQuerySchema
from server.core.blueprint import Blueprint
from server.dashboard import service as dashboards
from server.station import service

api_bp = Blueprint("stations", __name__, url_prefix="", description="所（分局）、年度目标与进度")


@api_bp.get("/stations")
@api_bp.response(200, StationSchema(many=True))
def list_stations():
    """The stations I may see."""
    return service.list_stations(g.user)


@api_bp.get("/targets")
@api_bp.arguments(YearQuerySchema, location="query")
@api_bp.response(200, TargetsSchema)
def get_targets(args):
    """The year's targets within my scope."""
    year = args.get("year") or dashboards.default_year(g.user)
    entries = [{"station_id": s, "kind": k, "count": n} for (s, k), n in service.targets_for(g.user, year).items()]
    return {"year": year, "entries": entries}


@api_bp.put("/targets")
@api_bp.arguments(TargetsSchema)
@api_bp.response(200, TargetsSchema)
def put_targets(data):
    """Set targets for a year (county admins)."""
    service.set_targets(g.user, data["year"], data["entries"])
    entries = [{"station_id": s, "kind": k, "count": n}
               for (s, k), n in service.targets_for(g.user, data["year"]).items()]
    return {"year": data["year"], "entries": TargetEntrySchema(many=True).dump(entries)}


@api_bp.get("/dashboard")
@api_bp.arguments(YearQuerySchema, location="query")
@api_bp.response(200, DashboardSchema)
def dashboard(args):
    """Every station × unit type against the year's targets, with the plan's deadlines."""
    return dashboards.dashboard(g.user, args.get("year") or dashboards.default_year(g.user))
