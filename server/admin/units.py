"""Unit pages: the searchable list, one unit's profile, lifecycle and history, and lifecycle steps."""
from flask import flash, g, redirect, render_template, request, url_for

from schemas.unit import TransitionSchema, UnitQuerySchema
from server.admin.bp import bp
from server.core.bounds import to_int
from server.admin.helpers import parse_form
from server.core.errors import DomainError
from server.dashboard.service import default_year
from server.station.service import list_stations
from server.unit import lifecycle, service
from server.unit.models import STAGES

PER_PAGE = 20


@bp.get("/units")
def units():
    """Search and filter the units the user may see."""
    args, errors = parse_form(UnitQuerySchema(), request.args)
    if errors:
        args = {"q": request.args.get("q", "")[:100], "page": 1}
    args.setdefault("year", default_year(g.user))
    args["per_page"] = PER_PAGE
    if not g.user.is_county:
        args.pop("station_id", None)
    rows, total = service.search_units(g.user, **args)
    return render_template("admin/units.html", rows=rows, total=total, args=args, errors=errors,
                           stations=list_stations(g.user))


def detail_context(unit, year: int) -> dict:
    """Everything the unit page shows for a year."""
    record = lifecycle.unit_year(unit, year)
    stage = record.stage if record else None
    return {"unit": unit, "year": year, "record": record, "stage": stage,
            "next_steps": [s for s in lifecycle.allowed_next(stage) if s != "removed"],
            "can_remove": "removed" in lifecycle.allowed_next(stage),
            "years": sorted(unit.years.all(), key=lambda y: y.year, reverse=True),
            "events": lifecycle.lifecycle_events(unit),
            "changes": service.unit_history(g.user, unit.id),
            "station_names": {str(s.id): s.name for s in list_stations(g.user)}}


@bp.get("/units/<int:unit_id>")
def unit_detail(unit_id: int):
    """One unit: profile, this year's stage with the next steps, and its history."""
    unit = service.get_unit(g.user, unit_id)
    year = request.args.get("year", type=to_int) or default_year(g.user)
    return render_template("admin/unit_detail.html", errors={}, **detail_context(unit, year))


@bp.post("/units/<int:unit_id>/transition")
def unit_transition(unit_id: int):
    """Move the unit one lifecycle step (or enrol, or remove it with a reason)."""
    unit = service.get_unit(g.user, unit_id)
    data, errors = parse_form(TransitionSchema(), request.form)
    year = data.get("year") or request.form.get("year", type=to_int) or default_year(g.user)
    if not errors:
        try:
            lifecycle.transition(g.user, unit, year, data["to_stage"], reason=data.get("reason"),
                                 note=data["note"])
        except DomainError as err:
            errors = {"_": [err.message], **err.fields}
        else:
            flash(f"已更新为“{STAGES[data['to_stage']]}”", "ok")
            return redirect(url_for("admin.unit_detail", unit_id=unit.id, year=year), 303)
    errors.setdefault("_", ["操作未完成：" + "；".join(m for v in errors.values() for m in v)])
    return render_template("admin/unit_detail.html", errors=errors, **detail_context(unit, year)), 422
