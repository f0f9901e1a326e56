"""Sign pages: who waits for a sign, issuing in bulk, printing (PNG, a batch PDF as a job), replacing, revoking."""
from flask import Response, flash, g, redirect, render_template, request, url_for

from schemas.sign import SignBatchSchema, SignReplaceSchema, SignRevokeSchema
from server.account.service import require_admin
from server.admin.bp import bp
from server.core.bounds import ids as form_ids, to_int
from server.admin.helpers import parse_form
from server.core.errors import DomainError, Invalid
from server.dashboard.service import default_year
from server.job import service as jobs
from server.qrsign.font import FontError
from server.signage import printing, service
from server.signage.models import ACTIONS, REVOKE_REASONS, SIGN_TITLES, STATUSES
from server.station.service import get_station, list_stations

LABELS = {"SIGN_TITLES": SIGN_TITLES, "SIGN_STATUSES": STATUSES, "REVOKE_REASONS": REVOKE_REASONS,
          "SIGN_ACTIONS": ACTIONS}


def _station_year():
    stations = list_stations(g.user)
    wanted = request.values.get("station_id", type=to_int) or (g.user.station_id or (stations[0].id if stations else None))
    station = get_station(g.user, wanted) if wanted else None
    year = request.values.get("year", type=to_int) or default_year(g.user)
    kind = request.values.get("type") if request.values.get("type") in SIGN_TITLES else None
    return stations, station, year, kind


@bp.get("/signs")
def signs():
    """A station's signs of a year: units waiting for one, and every sign with its state and photo."""
    stations, station, year, kind = _station_year()
    waiting = service.issuable_units(g.user, station.id, year, kind) if station else []
    rows = service.list_signs(g.user, station_id=station.id, year=year, type=kind) if station else []
    return render_template("admin/signs.html", stations=stations, station=station, year=year, kind=kind,
                           waiting=waiting, rows=rows, **LABELS)


@bp.post("/signs/issue")
def signs_issue():
    """Issue signs to the ticked units, or to every unit waiting."""
    stations, station, year, kind = _station_year()
    if request.form.get("all"):
        ids = [u.id for u in service.issuable_units(g.user, station.id, year, kind)]
    else:
        ids = form_ids(request.form.getlist("unit_ids"))
    if not ids:
        flash("请先勾选要发放标识的单位", "error")
    else:
        issued, refused = service.issue_signs(g.user, ids, year)
        flash(f"已发放 {len(issued)} 张标识" + (f"，{len(refused)} 家未发放：" + "；".join(sorted(set(refused.values())))
                                             if refused else ""), "ok" if not refused else "error")
    return redirect(url_for("admin.signs", station_id=station.id, year=year, type=kind or None), 303)


@bp.get("/signs/<int:sign_id>")
def sign_detail(sign_id: int):
    """One sign: what it says, where it stands, and its history."""
    sign = service.get_sign(g.user, sign_id)
    return render_template("admin/sign_detail.html", sign=sign, url=printing.sign_url(sign), errors={}, **LABELS)


@bp.get("/signs/<int:sign_id>/preview.png")
def sign_preview(sign_id: int):
    """The sign as it will print (not counted as a print)."""
    sign = service.get_sign(g.user, sign_id)
    return Response(printing.render_png(sign), mimetype="image/png")


@bp.post("/signs/<int:sign_id>/print")
def sign_print(sign_id: int):
    """Print one sign: a 300-DPI PNG to download; counted (the first print, then 补打)."""
    sign = service.record_print(g.user, service.get_sign(g.user, sign_id))
    try:
        data = printing.render_png(sign)
    except FontError as err:
        raise Invalid(err.message) from None
    resp = Response(data, mimetype="image/png")
    resp.headers["Content-Disposition"] = f'attachment; filename="{sign.serial}.png"'
    return resp


@bp.post("/signs/batch")
def signs_batch():
    """Start a job making a station's signs in force for a year and type as one PDF; to its page."""
    require_admin(g.user)
    data, errors = parse_form(SignBatchSchema(), request.form)
    if errors:
        raise Invalid("打印条件有误", fields=errors)
    station = get_station(g.user, data["station_id"])
    try:
        specs = printing.batch_specs(station.id, data["year"], data["type"])  # refused now, not in the job
    except FontError as err:
        raise Invalid(err.message) from None
    if not specs:
        flash("没有可打印的标识", "error")
        return redirect(url_for("admin.signs", station_id=station.id, year=data["year"]), 303)
    label = f"{station.name} {data['year']}年度 {SIGN_TITLES[data['type']] if data['type'] else '全部类型'}"
    job = jobs.start(g.user, "sign_batch", {**data, "label": label}, station_id=station.id, total=len(specs))
    return redirect(url_for("admin.job_page", job_id=job.id), 303)


def _act(sign_id: int, schema, action):
    sign = service.get_sign(g.user, sign_id)
    data, errors = parse_form(schema, request.form)
    if not errors:
        try:
            result = action(sign, data)
        except DomainError as err:
            errors = {"_": [err.message], **err.fields}
        else:
            return result
    errors.setdefault("_", ["操作未完成：" + "；".join(m for v in errors.values() for m in v)])
    return render_template("admin/sign_detail.html", sign=sign, url=printing.sign_url(sign), errors=errors,
                           **LABELS), 422


@bp.post("/signs/<int:sign_id>/replace")
def sign_replace(sign_id: int):
    """Replace a sign: a new serial and token; the old one's page says 已更换."""
    def action(sign, data):
        new = service.replace_sign(g.user, sign.id, data["note"])
        flash(f"已更换为新标识 {new.serial}，请打印后张贴", "ok")
        return redirect(url_for("admin.sign_detail", sign_id=new.id), 303)
    return _act(sign_id, SignReplaceSchema(), action)


@bp.post("/signs/<int:sign_id>/revoke")
def sign_revoke(sign_id: int):
    """Revoke a sign with a reason."""
    def action(sign, data):
        service.revoke_sign(g.user, sign.id, data["reason"], data["note"])
        flash(f"标识 {sign.serial} 已撤销", "ok")
        return redirect(url_for("admin.sign_detail", sign_id=sign.id), 303)
    return _act(sign_id, SignRevokeSchema(), action)
