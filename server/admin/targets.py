"""Yearly targets per station and kind (county admins only)."""
from flask import flash, g, redirect, render_template, request, url_for
from marshmallow import ValidationError

from schemas.station import TargetsSchema
from server.admin.bp import bp
from server.core.bounds import to_int
from server.admin.dashboard import chosen_year
from server.admin.helpers import require_county
from server.core.errors import DomainError
from server.dashboard.service import default_year
from server.station import service as stations
from server.station.models import TARGET_KINDS

STATION_KINDS = ["general", "no_reason_return", "factory", "district", "village"]
COUNTY_KINDS = ["liaison"]


def cells(station_list) -> list[tuple]:
    """(input name, station id or None, kind) of every cell of the grid."""
    out = [(f"t-{s.id}-{k}", s.id, k) for s in station_list for k in STATION_KINDS]
    return out + [(f"t-county-{k}", None, k) for k in COUNTY_KINDS]


def render_grid(year, values, errors, status=200):
    """The targets grid page."""
    return render_template("admin/targets.html", year=year, values=values, errors=errors,
                           stations=stations.list_stations(g.user), station_kinds=STATION_KINDS,
                           county_kinds=COUNTY_KINDS, years=stations.target_years(g.user),
                           kinds=TARGET_KINDS), status


@bp.get("/targets")
def targets():
    """The grid of a year's targets, station by kind, plus the county-level liaison target."""
    require_county()
    year = chosen_year(request.args)
    current = stations.targets_for(g.user, year)
    values = {name: current.get((sid, kind), "") for name, sid, kind in cells(stations.list_stations(g.user))}
    return render_grid(year, values, {})


@bp.post("/targets")
def targets_save():
    """Save the grid; blank cells are left as they are."""
    require_county()
    entries = [{"station_id": sid, "kind": kind, "count": request.form.get(name, "").strip()}
               for name, sid, kind in cells(stations.list_stations(g.user))]
    raw = {"year": request.form.get("year", ""), "entries": [e for e in entries if e["count"] != ""]}
    year = request.form.get("year", type=to_int) or default_year(g.user)
    try:
        data = TargetsSchema().load(raw)
        stations.set_targets(g.user, data["year"], data["entries"])
    except ValidationError as err:
        return render_grid(year, request.form, _cell_errors(err.messages, raw), 422)
    except DomainError as err:
        return render_grid(year, request.form, {"_": [err.message]}, err.status)
    flash(f"已保存{data['year']}年度目标", "ok")
    return redirect(url_for("admin.targets", year=data["year"]), 303)


def _cell_errors(messages: dict, raw: dict) -> dict:
    """Schema messages keyed by the grid's input names."""
    errors = {"_": ["填写的内容有误，请按提示修改"]}
    if "year" in messages:
        errors["year"] = messages["year"]
    for i, msg in (messages.get("entries") or {}).items():
        e = raw["entries"][int(i)]
        name = f"t-{e['station_id'] if e['station_id'] else 'county'}-{e['kind']}"
        errors[name] = [m for v in msg.values() for m in v] if isinstance(msg, dict) else msg
    return errors


@bp.post("/targets/copy")
def targets_copy():
    """Copy the previous year's targets into this year (existing ones are overwritten)."""
    require_county()
    year = request.form.get("year", type=to_int) or 0
    previous = stations.targets_for(g.user, year - 1)
    if not previous:
        flash(f"{year - 1}年度没有目标可复制", "error")
        return redirect(url_for("admin.targets", year=year), 303)
    stations.set_targets(g.user, year, [{"station_id": s, "kind": k, "count": n} for (s, k), n in previous.items()])
    flash(f"已将{year - 1}年度目标复制到{year}年度", "ok")
    return redirect(url_for("admin.targets", year=year), 303)
