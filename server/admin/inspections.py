"""Inspections: the station's list, one inspection as it was submitted, its photos, and its printable report."""
import base64
import io
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask import Response, flash, g, redirect, render_template, request, send_file, url_for

from server.core.clock import china_midnight
from server.admin.bp import bp
from server.core.bounds import to_int
from server.admin.helpers import form_day
from server.account.models import ADMIN_ROLES
from server.account.service import require_admin
from server.core.errors import DomainError, Invalid, NotFound
from server.extensions import db
from server.inspection import service
from server.inspection.models import CONCLUSIONS, RECTIFICATION_STATUSES, RESULTS, Inspection
from server.photo import service as photos
from server.report import pdf
from server.station.service import list_stations, scope_clause
from server.unit.models import Unit
from server.visit.models import TASK_KINDS

PER_PAGE = 30
LOCKED_DOWN = {"Content-Security-Policy": "default-src 'none'; sandbox", "X-Content-Type-Options": "nosniff"}
SIGNATURE_ORIGINAL_MAX = 2 * 1024 * 1024  # a signature is a small drawing: print the original, not a JPEG thumb
LABELS = {"RESULTS": RESULTS, "CONCLUSIONS": CONCLUSIONS, "TASK_KINDS": TASK_KINDS,
          "RECTIFICATION_STATUSES": RECTIFICATION_STATUSES}


def _date(value, field: str) -> date | None:
    return form_day(value, None, field)


def _cst_start(day: date) -> datetime:
    """The UTC moment a China Standard Time day begins."""
    return china_midnight(day)


def filter_args(args) -> dict:
    """The list's filters from the query string; bad values are dropped."""
    out = {"q": args.get("q", "").strip()[:100], "conclusion": args.get("conclusion") if args.get("conclusion") in CONCLUSIONS else None,
           "date_from": _date(args.get("date_from"), "date_from"), "date_to": _date(args.get("date_to"), "date_to"),
           "unit_id": args.get("unit_id", type=to_int), "page": max(args.get("page", 1, type=to_int), 1)}
    out["station_id"] = args.get("station_id", type=to_int) if g.user.is_county else None
    return out


def search_inspections(user, f: dict) -> tuple[list[Inspection], int]:
    """A page of the inspections in the user's scope (inspectors: their own), newest first; (rows, total)."""
    q = (sa.select(Inspection).join(Unit, Unit.id == Inspection.unit_id)
         .where(scope_clause(user, Inspection.station_id, Inspection.county_id)))
    if user.role == "inspector":
        q = q.where(Inspection.inspector_id == user.id)
    if f["station_id"]:
        q = q.where(Inspection.station_id == f["station_id"])
    if f["unit_id"]:
        q = q.where(Inspection.unit_id == f["unit_id"])
    if f["q"]:
        q = q.where(sa.or_(Unit.name.contains(f["q"], autoescape=True), Unit.uscc == f["q"].upper()))
    if f["conclusion"]:
        q = q.where(Inspection.conclusion == f["conclusion"])
    if f["date_from"]:
        q = q.where(Inspection.started_at >= _cst_start(f["date_from"]))
    if f["date_to"]:
        q = q.where(Inspection.started_at < _cst_start(f["date_to"] + timedelta(days=1)))
    total = db.session.scalar(sa.select(sa.func.count()).select_from(q.subquery()))
    rows = db.session.scalars(q.order_by(Inspection.started_at.desc(), Inspection.id.desc())
                              .limit(PER_PAGE).offset((f["page"] - 1) * PER_PAGE)).all()
    return rows, total


def superseded_ids(ids: list[int]) -> set[int]:
    """Those of the inspections that a later correction superseded."""
    if not ids:
        return set()
    return set(db.session.scalars(sa.select(Inspection.supersedes_id).where(Inspection.supersedes_id.in_(ids))))


@bp.get("/inspections")
def inspections():
    """Inspections of the station, filtered by unit, conclusion and date."""
    f = filter_args(request.args)
    rows, total = search_inspections(g.user, f)
    return render_template("admin/inspections.html", rows=rows, total=total, f=f, per_page=PER_PAGE,
                           superseded=superseded_ids([i.id for i in rows]), stations=list_stations(g.user),
                           **LABELS)


def inspection_view(user, inspection: Inspection) -> dict:
    """What the detail page and the report show: the version's items with their answers, corrections, gaps."""
    answers = {a.item_code: a for a in inspection.answers}
    items = inspection.template_version.items  # the version the inspection answered, never the latest
    rows = [(item, answers.get(item["code"])) for item in items]
    rows += [({"code": a.item_code, "text": a.item_code, "group": "?"}, a)
             for a in inspection.answers if a.item_code not in {i["code"] for i in items}]
    chain = service.correction_chain(inspection)
    at = chain.index(inspection)
    later = chain[at + 1] if at + 1 < len(chain) else None
    counts = {k: sum(1 for _, a in rows if a and a.result == k) for k in RESULTS}
    return {"inspection": inspection, "rows": rows, "counts": counts, "missing": service.missing_photos(inspection),
            "superseded_by": later, "chain": chain if len(chain) > 1 else [], "version": inspection.template_version,
            "may_correct": user.role in ADMIN_ROLES and later is None, **LABELS}


@bp.get("/inspections/<int:inspection_id>")
def inspection_detail(inspection_id: int):
    """One inspection exactly as submitted."""
    inspection = service.get_inspection(g.user, inspection_id)
    return render_template("admin/inspection_detail.html", **inspection_view(g.user, inspection))


def correction_form(form, inspection: Inspection) -> tuple[dict, dict]:
    """The station's correction form as service.correct_by_staff's changes: (changes, errors per field).
    Answers: result-<code>, note-<code>; demands: demand-N, due-N, item-N (N from 0); conclusion, summary,
    reason (required)."""
    errors, answers = {}, {}
    for a in inspection.answers:
        result = form.get(f"result-{a.item_code}", a.result)
        note = form.get(f"note-{a.item_code}", a.note).strip()
        if result not in RESULTS:
            errors[f"result-{a.item_code}"] = ["请选择检查结果"]
        if len(note) > 500:
            errors[f"note-{a.item_code}"] = ["说明不能超过500个字"]
        answers[a.item_code] = {"result": result, "note": note}
    conclusion = form.get("conclusion", "")
    if conclusion not in CONCLUSIONS:
        errors["conclusion"] = ["请选择检查结论"]
    summary = form.get("summary", "").strip()
    if len(summary) > 1000:
        errors["summary"] = ["检查小结不能超过1000个字"]
    reason = form.get("reason", "").strip()
    if not reason:
        errors["reason"] = ["须填写更正原因"]
    elif len(reason) > 500:
        errors["reason"] = ["更正原因不能超过500个字"]
    demands, n = [], 0
    while f"demand-{n}" in form:
        text, due = form.get(f"demand-{n}", "").strip(), form.get(f"due-{n}", "").strip()
        if text:
            if len(text) > 500:
                errors[f"demand-{n}"] = ["整改要求不能超过500个字"]
            try:
                day = form_day(due, None, f"due-{n}")
            except Invalid as err:
                errors.update(err.fields)
            else:
                if day is None:
                    errors[f"due-{n}"] = ["须填写整改期限"]
                demands.append({"item_code": form.get(f"item-{n}") or None, "demand": text, "due_date": day})
        n += 1
    return {"answers": answers, "conclusion": conclusion, "summary": summary, "rectifications": demands,
            "correction_reason": reason}, errors


@bp.route("/inspections/<int:inspection_id>/correct", methods=["GET", "POST"])
def inspection_correct(inspection_id: int):
    """The station's correction of a submitted inspection: a new record superseding it, with a reason
    (issue 18, item 4). Admins of the inspection's station (or county) only; others get 404."""
    require_admin(g.user)
    inspection = service.get_inspection(g.user, inspection_id)
    view = inspection_view(g.user, inspection)
    if view["superseded_by"] is not None:
        flash(f"该记录已被更正，请在最新的记录 #{view['superseded_by'].id} 上更正", "error")
        return redirect(url_for("admin.inspection_detail", inspection_id=view["superseded_by"].id), 303)
    if request.method == "GET":
        return render_template("admin/inspection_correct.html", errors={}, form=None, **view)
    changes, errors = correction_form(request.form, inspection)
    if not errors:
        try:
            new = service.correct_by_staff(g.user, inspection, changes)
        except DomainError as err:
            errors = {"_": [err.message], **{("reason" if k == "correction_reason" else k): v
                                              for k, v in (err.fields or {}).items()}}
        else:
            flash(f"已更正：新记录 #{new.id} 取代原记录 #{inspection.id}，原记录保留", "ok")
            return redirect(url_for("admin.inspection_detail", inspection_id=new.id), 303)
    db.session.rollback()
    return render_template("admin/inspection_correct.html", errors=errors, form=request.form, **view), 422


# ---- Photos for pages logged in by cookie (the API's photo routes want a bearer token) ----

def _locked(resp: Response, sha: str) -> Response:
    resp.set_etag(sha)
    resp.cache_control.private = True
    resp.cache_control.max_age = 86400
    resp.headers.update(LOCKED_DOWN)
    return resp.make_conditional(request)


@bp.get("/photos/<string:sha>/thumb")
def photo_thumb(sha: str):
    """A photo's thumbnail (JPEG) for a photo of the user's scope."""
    photo, data = photos.thumbnail_bytes(g.user, sha)
    return _locked(Response(data, mimetype="image/jpeg"), photo.sha256)


@bp.get("/photos/<string:sha>")
def photo_original(sha: str):
    """A photo's original bytes, shown inline with the type detected from its content."""
    photo, stream = photos.open_original(g.user, sha)
    resp = send_file(stream, mimetype=photo.mime, download_name=f"{photo.sha256}.{photo.mime.split('/')[1]}")
    return _locked(resp, photo.sha256)


# ---- The printable report, as HTML and as PDF from the same template ----

def _data_uri(mime: str, data: bytes) -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def embedded_images(user, inspection: Inspection, missing: set[str]) -> dict[str, str]:
    """{sha: data URI} of every uploaded photo of the inspection (thumbnails; the signature's original)."""
    out = {}
    for sha in service.referenced_photos(inspection):
        if sha in missing:
            continue
        try:
            if sha == inspection.signature_sha256 and photos.get_photo(user, sha).size <= SIGNATURE_ORIGINAL_MAX:
                photo, stream = photos.open_original(user, sha)
                with stream:
                    out[sha] = _data_uri(photo.mime, stream.read())
            else:
                out[sha] = _data_uri("image/jpeg", photos.thumbnail_bytes(user, sha)[1])
        except NotFound:
            continue  # a photo uploaded by someone outside the viewer's scope is left out, not leaked
        except Invalid:
            continue  # an original that cannot be decoded: the report lists it without a picture
    return out


def report_html(inspection: Inspection, *, for_pdf: bool) -> str:
    """The report page; the PDF renders the very same HTML."""
    view = inspection_view(g.user, inspection)
    images = embedded_images(g.user, inspection, view["missing"])
    return render_template("admin/report_inspection.html", images=images, for_pdf=for_pdf,
                           authority=inspection.unit.station.county.authority,
                           **view)


@bp.get("/inspections/<int:inspection_id>/report")
def inspection_report(inspection_id: int):
    """The inspection report as a printable A4 page."""
    return report_html(service.get_inspection(g.user, inspection_id), for_pdf=False)


@bp.get("/inspections/<int:inspection_id>/report.pdf")
def inspection_report_pdf(inspection_id: int):
    """The same report as a PDF; 503 with a clear message when the server has no Chinese font."""
    inspection = service.get_inspection(g.user, inspection_id)
    if not pdf.cjk_font_available():
        return render_template("error.html", status=503, message=pdf.MISSING_FONT_MESSAGE), 503
    try:
        content = pdf.html_to_pdf(report_html(inspection, for_pdf=True))
    except pdf.MissingFont as err:
        return render_template("error.html", status=503, message=err.message), 503
    name = f"检查报告-{inspection.unit.name}-{inspection.id}.pdf"
    resp = send_file(io.BytesIO(content), mimetype="application/pdf", download_name=name)
    resp.headers["Cache-Control"] = "private, no-store"
    return resp
