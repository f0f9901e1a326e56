"""Unit create and edit forms; an edit based on a stale version is shown side by side, never applied."""
from flask import flash, g, redirect, render_template, request, url_for

from schemas.unit import UnitCreateSchema, UnitUpdateSchema
from server.admin.bp import bp
from server.core.bounds import to_int
from server.admin.helpers import blanks, parse_form
from server.core import uscc
from server.core.errors import Conflict, DomainError
from server.dashboard.service import default_year
from server.station.service import list_stations
from server.unit import service

TEXTS = ("industry", "contact_name", "contact_phone", "return_exclusions")
NULLS = ("lat", "lng", "return_days")
FORM_FIELDS = ["name", "uscc", "address", "industry", "contact_name", "contact_phone", "station_id", "type",
               "return_days", "return_exclusions", "tags", "business_status", "lat", "lng"]


def unit_values(unit) -> dict:
    """A unit's fields as the form shows them (tags as comma separated text)."""
    values = {k: getattr(unit, k) for k in FORM_FIELDS}
    values["tags"] = ", ".join(unit.tags or [])
    return values


def render_form(values, errors, status=200, **extra):
    """The unit form page."""
    return render_template("admin/unit_form.html", values=values, errors=errors,
                           stations=list_stations(g.user), **extra), status


def _messages(err: DomainError) -> dict:
    return {"_": [err.message], **err.fields}


def _with_code_check(form, errors: dict) -> dict:
    """Add the credit code's check-digit problem to schema errors, so all are shown at once."""
    why = uscc.problem(uscc.normalise(form.get("uscc", ""))) if form.get("uscc") else None
    if errors and why and "uscc" not in errors:
        errors = {**errors, "uscc": [why]}
    return errors


@bp.route("/units/new", methods=["GET", "POST"])
def unit_new():
    """Register a new unit, by default into this year's cultivation pool."""
    if request.method == "GET":
        return render_form({"type": "general", "business_status": "open", "year": default_year(g.user),
                            "station_id": g.user.station_id}, {})
    data, errors = parse_form(UnitCreateSchema(), request.form, lists=("tags",))
    errors = _with_code_check(request.form, errors)
    if not errors:
        year = data.pop("year", None)
        try:
            unit = service.create_unit(g.user, data, year=year)
        except DomainError as err:
            errors = _messages(err)
        else:
            flash(f"已新增单位“{unit.name}”", "ok")
            return redirect(url_for("admin.unit_detail", unit_id=unit.id), 303)
    return render_form(request.form, errors, 422)


@bp.route("/units/<int:unit_id>/edit", methods=["GET", "POST"])
def unit_edit(unit_id: int):
    """Edit a unit's profile; the hidden version detects someone else's edit in between."""
    unit = service.get_unit(g.user, unit_id)
    if request.method == "GET":
        return render_form(unit_values(unit), {}, unit=unit, version=unit.version)
    data, errors = parse_form(UnitUpdateSchema(), request.form, lists=("tags",))
    errors = _with_code_check(request.form, errors)
    version = request.form.get("version", type=to_int)
    if not errors:
        data = blanks(request.form, data, texts=TEXTS, nulls=NULLS)
        base, note = data.pop("version"), data.pop("note", "")
        try:
            service.update_unit(g.user, unit.id, data, base_version=base, note=note)
        except Conflict as err:
            return render_form(request.form, {"_": [err.message]}, 409, unit=unit,
                               version=err.current.version, current=unit_values(err.current))
        except DomainError as err:
            errors = _messages(err)
        else:
            flash("已保存", "ok")
            return redirect(url_for("admin.unit_detail", unit_id=unit.id), 303)
    return render_form(request.form, errors, 422, unit=unit, version=version)
