"""Assessment findings: import (check, then confirm all or nothing), the list with each station's progress,
and the county's decision on findings no unit of ours was found for."""
from flask import flash, g, redirect, render_template, request, url_for

from schemas.finding import FindingDecisionSchema, FindingImportSchema, FindingQuerySchema
from server.admin.bp import bp
from server.admin.helpers import parse_form
from server.core.errors import DomainError, Invalid
from server.finding import hooks  # noqa: F401  (patrol items and bulletin section)
from server.finding import service
from server.finding.models import SOURCES, STATUSES
from server.station.service import list_stations


@bp.get("/findings")
def findings(errors=None):
    """Every finding the user may see, filtered by status and station, with each station's progress."""
    args, _ = parse_form(FindingQuerySchema(), request.args)
    stations = list_stations(g.user)
    rows = service.list_findings(g.user, status=args.get("status"), station_id=args.get("station_id"))
    progress = service.progress(g.user.county_id, [s.id for s in stations])
    return render_template("admin/findings.html", rows=rows, stations=stations, progress=progress, args=args,
                           STATUSES=STATUSES, SOURCES=SOURCES,
                           choices=service.units_for_choice(g.user, args.get("q", "")), q=args.get("q", ""),
                           errors=errors or {})


@bp.route("/findings/import", methods=["GET", "POST"])
def finding_import():
    """Upload the assessment's findings: every bad row named; nothing kept until the whole file is right."""
    if g.user.role != "county_admin":
        raise service.Forbidden("只有县局管理员可以导入评估问题")
    result, form, errors = None, {}, {}
    if request.method == "POST":
        form, errors = parse_form(FindingImportSchema(), request.form)
        upload = request.files.get("file")
        if not errors and (upload is None or not upload.filename):
            errors = {"file": ["请选择文件"]}
        if errors:
            return render_template("admin/finding_import.html", result=None, form=request.form, errors=errors,
                                   SOURCES=SOURCES), 422
        try:
            result = service.import_findings(g.user, upload.filename, upload.read(), source=form["source"],
                                             due_date=form.get("due_date"), confirm=form.get("confirm", False))
        except DomainError as err:
            return render_template("admin/finding_import.html", result=None, form=request.form,
                                   errors=err.fields or {"file": [err.message]}, SOURCES=SOURCES), err.status
        result["confirmed"] = form.get("confirm", False)
        if result["problems"]:
            return render_template("admin/finding_import.html", result=result, form=request.form, errors={},
                                   SOURCES=SOURCES), 422
        if result["confirmed"]:
            flash(f"已导入{result['count']}条评估问题：{result['ours']}条已向单位下达整改，"
                  f"{result['not_ours']}条未匹配到本县单位，待县局确定", "ok")
            return redirect(url_for("admin.findings"), 303)
    return render_template("admin/finding_import.html", result=result, form=request.form, errors=errors,
                           SOURCES=SOURCES)


@bp.post("/findings/<int:finding_id>/decide")
def finding_decide(finding_id: int):
    """The county admin gives an unmatched finding its unit, or records that it is not ours."""
    data, errors = parse_form(FindingDecisionSchema(), request.form)
    try:
        if errors:
            raise Invalid("；".join(m for v in errors.values() for m in v), fields=errors)
        service.decide(g.user, finding_id, unit_id=data.get("unit_id"), not_ours=data.get("not_ours", False),
                       note=data.get("note", ""))
    except DomainError as err:
        flash(err.message, "error")
        return findings(errors={finding_id: err.fields or {"unit_id": [err.message]}}), err.status
    flash("已处理", "ok")
    return redirect(url_for("admin.findings", status="pending"), 303)
