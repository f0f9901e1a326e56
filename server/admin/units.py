"""Unit pages: the searchable list, one unit's profile, lifecycle and history, and lifecycle steps."""
from flask import flash, g, redirect, render_template, request, url_for

from schemas.unit import EvaluationResultSchema, PostedFormSchema, StepBackSchema, TransitionSchema, UnitQuerySchema
from server.admin.bp import bp
from server.core.bounds import to_int
from server.admin.helpers import parse_form
from server.admin.unit_story import story
from server.core.errors import DomainError, Forbidden, Invalid
from server.dashboard.service import default_year
from server.station.service import list_stations
from server.unit import lifecycle, service
from server.unit.models import EVIDENCE_KINDS, STAGE_ORDER, STAGES

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
    evidence = lifecycle.passing_evaluation(unit.id, year) if stage == "profiled" else None
    steps = [s for s in lifecycle.allowed_next(stage) if s != "removed" and (s != "evaluated" or evidence)]
    back = []
    if stage and g.user.is_county:
        top = STAGE_ORDER.index(stage) if stage != "removed" else STAGE_ORDER.index("sign_issued")
        back = STAGE_ORDER[:top]
    return {"unit": unit, "year": year, "record": record, "stage": stage, "next_steps": steps,
            "missing_profile": lifecycle.missing_profile(unit) if stage == "committed" else [],
            "step_back_to": back, "EVIDENCE_KINDS": EVIDENCE_KINDS, "story": story(g.user, unit),
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


def _act(unit, schema, form, action, done: str):
    """Parse a form, run a lifecycle action; back to the unit page, or the page again with the errors."""
    data, errors = parse_form(schema, form)
    year = data.get("year") or form.get("year", type=int) or default_year(g.user)
    if not errors:
        try:
            action(data, year)
        except Forbidden:
            raise
        except DomainError as err:
            errors = {"_": [err.message], **err.fields}
        else:
            flash(done, "ok")
            return redirect(url_for("admin.unit_detail", unit_id=unit.id, year=year), 303)
    errors.setdefault("_", ["操作未完成：" + "；".join(m for v in errors.values() for m in v)])
    return render_template("admin/unit_detail.html", errors=errors, **detail_context(unit, year)), 422


@bp.post("/units/<int:unit_id>/evaluation")
def unit_evaluation(unit_id: int):
    """Record a post-evaluation done outside the app, with its document number or photo."""
    unit = service.get_unit(g.user, unit_id)

    def record(data, year):
        data.pop("year", None)
        lifecycle.record_evaluation(g.user, unit, year, **data)
    return _act(unit, EvaluationResultSchema(), request.form, record, "已登记后评价结果")


@bp.post("/units/<int:unit_id>/step-back")
def unit_step_back(unit_id: int):
    """County admins: step the unit back with a reason."""
    unit = service.get_unit(g.user, unit_id)
    return _act(unit, StepBackSchema(), request.form,
                lambda data, year: lifecycle.step_back(g.user, unit, year, data["to_stage"], data["note"]),
                "已退回环节")


@bp.post("/units/<int:unit_id>/posted")
def unit_posted(unit_id: int):
    """Staff confirm the year's sign posted with a photo they upload themselves (issue 15, item 1: the
    photo must be the confirmer's): the photo is checked and stored as theirs, then the posting goes through
    the one service (signage.service.mark_posted), which moves the unit to 标识张贴."""
    import hashlib
    from server.photo.service import MAX_BYTES, read_limited, store_photo
    from server.signage import service as signs
    unit = service.get_unit(g.user, unit_id)

    def post(data, year):
        if signs.active_sign(unit.id, year) is None:  # before storing anything
            raise Invalid("该单位本年度没有有效标识，不能确认张贴", fields={"photo": ["该单位本年度没有有效标识"]})
        upload = request.files.get("photo")
        if upload is None or not upload.filename:
            raise Invalid("请上传本人拍摄的张贴照片", fields={"photo": ["请上传本人拍摄的张贴照片"]})
        content = read_limited(upload.stream, MAX_BYTES)
        if not content:
            raise Invalid("照片是空文件，请重新选择", fields={"photo": ["照片是空文件"]})
        sha = hashlib.sha256(content).hexdigest()
        store_photo(g.user, sha, content)
        try:
            signs.mark_posted(g.user, unit.id, year, sha, data["note"])
        except Invalid as err:  # another's photo: say so beside the file input
            raise Invalid(err.message, fields={"photo": [err.message]}) from None
    return _act(unit, PostedFormSchema(), request.form, post, "已确认标识张贴")
