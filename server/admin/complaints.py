"""Complaints and reports: the station's list with deadlines, intake, import, every handling step."""
from datetime import date

from flask import flash, g, redirect, render_template, request, url_for

from schemas.complaint import ComplaintIntakeSchema
from server.admin.bp import bp
from server.admin.helpers import form_day, parse_form
from server.complaint import hooks  # noqa: F401  (patrol items and bulletin sections)
from server.complaint import importer, service
from server.complaint.models import ACTIONS, OUTCOMES, SOURCES, STATUSES
from server.complaint.rates import rates
from server.core.bounds import to_int
from server.core.clock import today
from server.core.errors import DomainError
from server.station.service import list_stations


def _date(name: str) -> date:
    return form_day(request.form.get(name), today(), name)


@bp.get("/complaints")
def complaints():
    """The list, with each running deadline, and the four rates for the year to date."""
    rows = service.list_complaints(g.user, status=request.args.get("status") or None,
                                   kind=request.args.get("kind") or None)
    start = date(today().year, 1, 1)
    return render_template("admin/complaints.html", rows=rows, rates=rates(g.user, start, today()),
                           stations=list_stations(g.user), today=today(), STATUSES=STATUSES, SOURCES=SOURCES,
                           service=service)


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
                           stations=list_stations(g.user)), (422 if errors else 200)


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
def complaint_detail(complaint_id: int):
    """One complaint: facts, running deadlines, the steps so far, and the next actions."""
    c = service.get_complaint(g.user, complaint_id)
    from server.admin.tasks import station_staff
    return render_template("admin/complaint_detail.html", c=c, steps=service.steps(c), due=service.due_items(c),
                           staff=station_staff(c.station_id),
                           personal=service.may_see_personal(g.user, c), ACTIONS=ACTIONS, OUTCOMES=OUTCOMES,
                           STATUSES=STATUSES, SOURCES=SOURCES, service=service, today=today())


@bp.post("/complaints/<int:complaint_id>/act")
def complaint_act(complaint_id: int):
    """Take the next step of the handling."""
    action, note = request.form.get("action", ""), request.form.get("note", "")
    try:
        if action in ("accepted", "rejected", "case_opened", "not_opened"):
            service.decide(g.user, complaint_id, action, note, _date("on"))
        elif action == "assign":
            service.assign(g.user, complaint_id, request.form.get("assignee_id", type=to_int) or 0)
        elif action == "extend":
            service.extend(g.user, complaint_id, note)
        elif action == "appraisal":
            service.record_appraisal(g.user, complaint_id, request.form.get("days", type=to_int) or 0, note)
        elif action == "clue":
            service.record_clue(g.user, complaint_id, _date("on"), note)
        elif action == "clue_verified":
            service.clue_verified(g.user, complaint_id, _date("on"), request.form.get("violation") == "1", note)
        elif action == "end":
            service.end_mediation(g.user, complaint_id, request.form.get("outcome", ""), _date("on"), note)
        elif action == "notify":
            service.notify_end(g.user, complaint_id, _date("on"), note)
        else:
            raise service.Invalid("不认识的操作")
        flash("已记录", "ok")
    except DomainError as err:
        flash(err.message, "error")
    return redirect(url_for("admin.complaint_detail", complaint_id=complaint_id))


@bp.get("/complaints/export.xlsx")
def complaint_export():
    """The list as XLSX; personal data masked unless the user may see it."""
    import io

    from flask import Response
    from openpyxl import Workbook
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("投诉举报")
    ws.append(["编号", "工单编号", "类型", "登记时间", "诉求人", "联系电话", "被投诉单位", "诉求内容", "状态", "受理/立案期限",
               "调解结果"])
    for row in service.export_rows(g.user, service.list_complaints(g.user, limit=100000)):
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return Response(out.getvalue(), mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": "attachment; filename=complaints.xlsx"})
