"""Complaints and reports: the station's list with deadlines, intake, import, every handling step."""
from datetime import date

from flask import flash, g, redirect, render_template, request, url_for

from schemas.complaint import ComplaintIntakeSchema
from server.admin.bp import bp
from server.admin.helpers import parse_form
from server.complaint import hooks  # noqa: F401  (patrol items and bulletin sections)
from server.complaint import importer, moves, service
from server.complaint.models import ACTIONS, OUTCOMES, SOURCES, STATUSES
from server.complaint.benchmark import benchmark_for, compare, set_benchmark
from server.complaint.rates import rates, year_to_date
from server.admin.helpers import cst
from server.core.clock import today, utcnow
from server.core.bounds import to_day, to_int
from server.core.errors import DomainError
from server.extensions import db
from server.station.service import list_stations


def _date(name: str) -> date | None:
    """The form's date, None when empty (the service takes today); an impossible date is refused, never
    replaced."""
    text = request.form.get(name, "").strip()
    try:
        return to_day(text) if text else None
    except ValueError:
        msg = f"日期“{text}”不正确（应为 2026-11-29）"
        raise service.Invalid(msg, fields={name: [msg]}) from None


def _days(name: str) -> int:
    text = request.form.get(name, "").strip()
    if not text.isdigit():
        raise service.Invalid("检测、鉴定天数应为1到365之间的整数", fields={name: ["请填写1到365之间的整数"]})
    return int(text)


def _unit_choices():
    """Names and credit codes of the units in scope, for the intake form's search list."""
    import sqlalchemy as sa

    from server.extensions import db
    from server.station.service import scope_clause
    from server.unit.models import Unit
    return db.session.execute(sa.select(Unit.name, Unit.uscc).where(scope_clause(g.user, Unit.station_id,
                                                                                 Unit.county_id))
                              .order_by(Unit.name).limit(5000)).all()


PER_PAGE = 50


def _filters() -> dict:
    """The list's filters from the query string; unknown values are ignored."""
    status = request.args.get("status") or None
    kind = request.args.get("kind") or None
    station_id = request.args.get("station_id", type=to_int)
    return {"status": status if status in STATUSES else None, "kind": kind if kind in ("complaint", "report")
            else None, "station_id": station_id}


@bp.get("/complaints")
def complaints():
    """The list (paged), each running deadline, and the four rates of the year so far (today included) per
    station and for the county, the mediation rate against the national and provincial averages."""
    page = max(request.args.get("page", 1, type=to_int), 1)
    rows, total = service.list_complaints(g.user, **_filters(), page=page, per_page=PER_PAGE)
    start, end = year_to_date(today())
    bench = benchmark_for(g.user.county_id, today().year)
    return render_template("admin/complaints.html", rows=rows, total=total, page=page, per_page=PER_PAGE,
                           rates=rates(g.user, start, end), stations=list_stations(g.user), today=today(),
                           STATUSES=STATUSES, SOURCES=SOURCES, service=service, bench=bench, compare=compare,
                           year=today().year, errors={})


@bp.post("/complaints/benchmark")
def complaint_benchmark():
    """A county admin enters the year's national and provincial mediation success rates."""
    try:
        set_benchmark(g.user, request.form.get("year"), request.form.get("national"),
                      request.form.get("provincial"))
    except DomainError as err:
        if err.status != 422:
            raise
        flash("；".join(m for ms in err.fields.values() for m in ms) or err.message, "error")
        return redirect(url_for("admin.complaints")), 303
    flash("已保存全国、全省平均调解成功率", "ok")
    return redirect(url_for("admin.complaints"))


@bp.route("/complaints/new", methods=["GET", "POST"])
def complaint_new():
    """Staff enter a complaint or report from the 12315 hotline or platform, or at the counter."""
    errors = {}
    if request.method == "POST":
        data, errors = parse_form(ComplaintIntakeSchema(), request.form)
        if not errors:
            try:
                c = service.intake(g.user, data)
                return redirect(url_for("admin.complaint_detail", complaint_id=c.id))
            except DomainError as err:
                errors = err.fields or {"_": [err.message]}
    return render_template("admin/complaint_new.html", errors=errors, form=request.form,
                           stations=list_stations(g.user), units=_unit_choices(),
                           now=cst(utcnow(), "%Y-%m-%dT%H:%M")), (422 if errors else 200)


@bp.route("/complaints/import", methods=["GET", "POST"])
def complaint_import():
    """Import a 12315 export: bad rows listed, all or nothing."""
    result = None
    if request.method == "POST":
        f = request.files.get("file")
        try:
            if f is None or not f.filename:
                raise service.Invalid("请选择文件")
            count, problems = importer.import_file(g.user, f.filename, f.read(),
                                                   confirm=request.form.get("confirm") == "1")
            result = {"count": count, "problems": problems, "confirmed": request.form.get("confirm") == "1"}
            if problems:
                return render_template("admin/complaint_import.html", result=result), 422
        except DomainError as err:
            flash(err.message, "error")
            return render_template("admin/complaint_import.html", result=None), 422
    return render_template("admin/complaint_import.html", result=result)


@bp.get("/complaints/<int:complaint_id>")
def complaint_detail(complaint_id: int, errors=None, form=None):
    """One complaint: facts, running deadlines, the steps so far, and the next actions."""
    c = service.get_complaint(g.user, complaint_id)
    from server.admin.tasks import station_staff
    return render_template("admin/complaint_detail.html", c=c, steps=service.steps(c), due=service.due_items(c),
                           staff=station_staff(c.station_id), errors=errors or {}, form=form or {},
                           personal=service.may_see_personal(g.user, c), ACTIONS=ACTIONS, OUTCOMES=OUTCOMES,
                           STATUSES=STATUSES, SOURCES=SOURCES, service=service, today=today(),
                           stations=_county_stations())


def _county_stations():
    """Every station of the user's county: a complaint may be transferred to any of them."""
    import sqlalchemy as sa

    from server.station.models import Station
    return db.session.scalars(sa.select(Station).where(Station.county_id == g.user.county_id)
                              .order_by(Station.position, Station.id)).all()


ACT_FIELDS = {"action", "on", "outcome", "days", "note", "assignee_id", "station_id", "into_id"}


@bp.post("/complaints/<int:complaint_id>/act")
def complaint_act(complaint_id: int):
    """Take the next step of the handling: all of it stored, or nothing and the page again with the error beside
    the field (422, so the request rolls back)."""
    action, note = request.form.get("action", ""), request.form.get("note", "")
    try:
        if action in ("accepted", "rejected", "case_opened", "not_opened"):
            service.decide(g.user, complaint_id, action, note, _date("on"))
        elif action == "assign":
            service.assign(g.user, complaint_id, request.form.get("assignee_id", type=to_int) or 0)
        elif action == "extend":
            service.extend(g.user, complaint_id, note)
        elif action == "appraisal":
            service.record_appraisal(g.user, complaint_id, _days("days"), note)
        elif action == "clue":
            service.record_clue(g.user, complaint_id, _date("on"), note)
        elif action == "clue_verified":
            service.clue_verified(g.user, complaint_id, _date("on"), request.form.get("violation") == "1", note)
        elif action == "end":
            service.end_mediation(g.user, complaint_id, request.form.get("outcome", ""), _date("on"), note)
        elif action == "notify":
            service.notify_end(g.user, complaint_id, _date("on"), note)
        elif action == "transfer":
            moves.transfer(g.user, complaint_id, request.form.get("station_id", type=to_int), note)
        elif action == "return":
            moves.return_to_distribution(g.user, complaint_id, _date("on"), note)
        elif action == "merge":
            moves.merge_reports(g.user, complaint_id, request.form.get("into_id", type=to_int), note)
        else:
            raise service.Invalid("请选择操作", fields={"action": ["请选择操作"]})
    except DomainError as err:
        db.session.rollback()
        if err.status == 404:
            raise
        errors = dict(err.fields)
        if not set(errors) & ACT_FIELDS:  # not a field of these forms: said above them
            errors["_"] = [err.message]
        return complaint_detail(complaint_id, errors=errors, form=request.form), 422
    flash("已记录", "ok")
    return redirect(url_for("admin.complaint_detail", complaint_id=complaint_id))


@bp.get("/complaints/export.xlsx")
def complaint_export():
    """The list as XLSX under the page's filters; personal data masked unless the user may see it; what the
    public typed is written as text, never a formula."""
    from flask import Response

    from server.core.tables import xlsx_bytes
    rows, _ = service.list_complaints(g.user, **_filters())
    data = xlsx_bytes("投诉举报", service.EXPORT_HEADER, service.export_rows(g.user, rows))
    return Response(data, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": "attachment; filename=complaints.xlsx"})
