"""Carriers: streets/districts, villages and liaison stations, with their member units."""
from flask import flash, g, redirect, render_template, request, url_for

from schemas.carrier import CarrierFieldsSchema, CarrierUpdateSchema
from server.admin.bp import bp
from server.core.bounds import ids as form_ids, to_int
from server.admin.helpers import blanks, parse_form
from server.carrier import service as carrier_service
from server.core.errors import Conflict, DomainError
from server.dashboard import service as progress
from server.station.service import get_station, list_stations
from server.unit.service import search_units

TEXTS = ("address", "leader_name", "leader_phone")


@bp.get("/carriers")
def carriers():
    """Carriers by kind, with this year's counts against the targets."""
    year = progress.default_year(g.user)
    items = carrier_service.list_carriers(g.user)
    by_kind = {k: [c for c in items if c.kind == k] for k in ("district", "village", "liaison")}
    return render_template("admin/carriers.html", year=year, by_kind=by_kind,
                           totals=progress.dashboard(g.user, year)["carriers"])


def station_units(station_id):
    """The units a carrier of this station may have as members."""
    if not station_id:
        return []
    rows, _ = search_units(g.user, station_id=station_id, per_page=5000)
    return [u for u, _ in rows]


def render_form(values, errors, status=200, *, carrier=None, station=None, **extra):
    """The carrier form page."""
    chosen = set(values.get("member_ids", []))
    units = sorted(station_units(station.id if station else None), key=lambda u: u.id not in chosen)
    return render_template("admin/carrier_form.html", values=values, errors=errors, carrier=carrier,
                           station=station, stations=list_stations(g.user), units=units, **extra), status


def form_values(form) -> dict:
    """The submitted form as the template reads it (member ids as a list of ints)."""
    return form.to_dict() | {"member_ids": form_ids(form.getlist("member_ids"))}


@bp.route("/carriers/new", methods=["GET", "POST"])
def carrier_new():
    """Create a carrier; a county admin first chooses its station."""
    sid = request.values.get("station_id", type=to_int) or g.user.station_id
    station = get_station(g.user, sid) if sid else None
    if request.method == "GET" or station is None:
        return render_form({"kind": request.args.get("kind", "district"), "active": "true",
                            "since_year": progress.default_year(g.user), "member_ids": []}, {}, station=station)
    data, errors = parse_form(CarrierFieldsSchema(), request.form, lists=("member_ids",))
    if not errors:
        try:
            carrier = carrier_service.create_carrier(g.user, data | {"station_id": station.id})
        except DomainError as err:
            errors = {"_": [err.message], **err.fields}
        else:
            flash(f"已新增“{carrier.name}”", "ok")
            return redirect(url_for("admin.carriers"), 303)
    return render_form(form_values(request.form), errors, 422, station=station)


@bp.route("/carriers/<int:carrier_id>/edit", methods=["GET", "POST"])
def carrier_edit(carrier_id: int):
    """Edit a carrier; the hidden version detects someone else's edit in between."""
    carrier = carrier_service.get_carrier(g.user, carrier_id)
    if request.method == "GET":
        values = {k: getattr(carrier, k) for k in carrier_service.FIELDS}
        values |= {"active": "true" if carrier.active else "false", "member_ids": [u.id for u in carrier.members]}
        return render_form(values, {}, carrier=carrier, station=carrier.station, version=carrier.version)
    data, errors = parse_form(CarrierUpdateSchema(), request.form, lists=("member_ids",))
    if not errors:
        data = blanks(request.form, data, texts=TEXTS)
        try:
            carrier_service.update_carrier(g.user, carrier.id, data, base_version=data.pop("version"))
        except Conflict as err:
            return render_form(form_values(request.form), {"_": [err.message]}, 409, carrier=carrier,
                               station=carrier.station, version=err.current.version, conflict=err.current)
        except DomainError as err:
            errors = {"_": [err.message], **err.fields}
        else:
            flash(f"已保存“{carrier.name}”", "ok")
            return redirect(url_for("admin.carriers"), 303)
    return render_form(form_values(request.form), errors, 422, carrier=carrier, station=carrier.station,
                       version=request.form.get("version"))
