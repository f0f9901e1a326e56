"""Visit tasks: the station's list by due date, one new task, bulk assignment, reassign / move / cancel."""
import re
from datetime import date

import sqlalchemy as sa
from flask import flash, g, redirect, render_template, request, url_for

from schemas.visit import TaskCreateSchema, TaskUpdateSchema
from server.account.models import User
from server.account.service import require_admin
from server.admin.bp import bp
from server.admin.helpers import parse_form
from server.core.bounds import ids as form_ids, to_day, to_int
from server.core.clock import today
from server.core.errors import DomainError, NotFound
from server.dashboard.service import default_year
from server.extensions import db
from server.station.service import get_station, list_stations
from server.unit.service import get_unit, search_units
from server.visit import service
from server.visit.models import TASK_KINDS, TASK_STATUSES

LIST_LIMIT = 500


def station_staff(station_id: int | None) -> list[User]:
    """The active people of a station who can be given a visit: inspectors first, then admins."""
    if not station_id:
        return []
    q = sa.select(User).where(User.station_id == station_id, User.active.is_(True),
                              User.role.in_(("inspector", "station_admin")))
    return sorted(db.session.scalars(q), key=lambda u: (u.role != "inspector", u.name, u.id))


def _int(value) -> int | None:
    found = form_ids([value]) if value else []
    return found[0] if found else None


@bp.get("/tasks")
def tasks():
    """Tasks of the station by due date, overdue first, filtered by status, kind, assignee (and station)."""
    args = request.args
    status = args.get("status", "open")
    status = status if status in TASK_STATUSES or status == "all" else "open"
    kind = args.get("kind") if args.get("kind") in TASK_KINDS else None
    station_id = _int(args.get("station_id")) if g.user.is_county else g.user.station_id
    rows = service.list_tasks(g.user, status=None if status == "all" else status, station_id=station_id,
                              assignee_id=_int(args.get("assignee_id")), kind=kind, limit=LIST_LIMIT)
    return render_template("admin/tasks.html", rows=rows, today=today(), limit=LIST_LIMIT,
                           args={"status": status, "kind": kind, "station_id": station_id,
                                 "assignee_id": _int(args.get("assignee_id"))},
                           stations=list_stations(g.user), staff=station_staff(station_id),
                           TASK_KINDS=TASK_KINDS, TASK_STATUSES=TASK_STATUSES)


@bp.route("/tasks/new", methods=["GET", "POST"])
def task_new():
    """One task: first find the unit (or come with ?unit_id= from its page), then kind, date and assignee."""
    require_admin(g.user)
    unit_id = request.values.get("unit_id", type=to_int)
    if unit_id is None:
        q = request.args.get("q", "").strip()[:100]
        found = search_units(g.user, q=q, per_page=20)[0] if q else []
        return render_template("admin/task_new.html", unit=None, q=q, found=[u for u, _ in found],
                               values={}, errors={}, TASK_KINDS=TASK_KINDS)
    unit = get_unit(g.user, unit_id)
    if request.method == "GET":
        values = {"kind": request.args.get("kind", "service_visit"), "due_date": ""}
        return render_task_form(unit, values, {})
    data, errors = parse_form(TaskCreateSchema(), request.form)
    if not errors:
        try:
            task = service.create_task(g.user, **data)
        except DomainError as err:
            errors = {"_": [err.message], **err.fields}
        else:
            flash(f"已安排“{unit.name}”的{TASK_KINDS[task.kind]}，期限 {task.due_date}", "ok")
            return redirect(url_for("admin.task_detail", task_id=task.id), 303)
    return render_task_form(unit, request.form, errors, 422)


def render_task_form(unit, values, errors, status=200):
    """The new-task form for a chosen unit."""
    return render_template("admin/task_new.html", unit=unit, values=values, errors=errors,
                           staff=station_staff(unit.station_id), TASK_KINDS=TASK_KINDS), status


@bp.route("/tasks/<int:task_id>", methods=["GET", "POST"])
def task_detail(task_id: int):
    """One task; an admin may reassign it, move its due date or cancel it while it is open."""
    task = service.get_task(g.user, task_id)
    errors, status = {}, 200
    if request.method == "POST":
        require_admin(g.user)
        data, errors = parse_form(TaskUpdateSchema(), request.form)
        if not errors and not data:
            errors = {"_": ["没有要修改的内容"]}
        if not errors:
            try:
                service.update_task(g.user, task.id, **data)
            except DomainError as err:
                errors = {"_": [err.message], **err.fields}
            else:
                flash("已取消该任务" if data.get("status") == "cancelled" else "已保存任务", "ok")
                return redirect(url_for("admin.task_detail", task_id=task.id), 303)
        status = 422
    return render_template("admin/task_detail.html", task=task, errors=errors, today=today(),
                           staff=station_staff(task.station_id), values=request.form,
                           TASK_KINDS=TASK_KINDS, TASK_STATUSES=TASK_STATUSES), status


# ---- Bulk assignment: fill in, see what would be made, confirm ----

UNIT_ID_SPLIT = re.compile(r"[\s,，、;；]+")


def parse_unit_ids(text: str) -> tuple[list[int], list[str]]:
    """Pasted unit ids (any separators), in order without repeats, and the tokens that are not ids."""
    tokens = [t for t in UNIT_ID_SPLIT.split(text or "") if t]
    bad = [t for t in tokens if not form_ids([t])]
    return form_ids(tokens), bad


def check_bulk(form, station, staff) -> tuple[dict, list, dict]:
    """The bulk form checked: (values, units to assign, errors). Nothing is written."""
    errors: dict = {}
    kind = form.get("kind", "")
    if kind not in TASK_KINDS:
        errors["kind"] = ["请选择任务类型"]
    due, year = form.get("due_date", "").strip(), form.get("year", "").strip()
    try:
        due_date = to_day(due)
    except ValueError as err:
        due_date = None
        errors["due_date"] = [str(err) if due else "请填写完成期限（日期，如2023-11-30）"]
    if not (year.isdigit() and 2000 <= int(year) <= 2100):
        errors["year"] = ["年份应在2000到2100之间"]
    staff_ids = {u.id for u in staff}
    inspector_ids = form_ids(form.getlist("inspector_ids"))
    if not inspector_ids:
        errors["inspector_ids"] = ["请至少选择一名执行人"]
    elif not set(inspector_ids) <= staff_ids:
        errors["inspector_ids"] = ["执行人须为本所（分局）在岗人员"]
    units = []
    if form.get("source") == "ids":
        ids, bad = parse_unit_ids(form.get("unit_ids", ""))
        if bad:
            errors["unit_ids"] = [f"这些不是单位编号：{'、'.join(bad[:10])}"]
        for uid in ids:
            try:
                unit = get_unit(g.user, uid)
            except NotFound:
                unit = None
            if unit is None or unit.station_id != station.id:
                errors.setdefault("unit_ids", []).append(f"编号 {uid} 不是{station.name}的单位")
            else:
                units.append(unit)
    elif "year" not in errors:
        ids = service.units_awaiting_post_evaluation(g.user, station.id, int(year))
        units = [get_unit(g.user, uid) for uid in ids]
    if not units and "unit_ids" not in errors and "year" not in errors:
        errors["unit_ids"] = ["没有可分配的单位"]
    values = {"kind": kind, "due_date": due_date, "year": int(year) if not errors.get("year") else None,
              "inspector_ids": inspector_ids, "note": form.get("note", "").strip()[:500]}
    return values, units, errors


@bp.route("/tasks/bulk", methods=["GET", "POST"])
def task_bulk():
    """Assign many visits at once, spread evenly over the chosen inspectors of the station."""
    require_admin(g.user)
    sid = request.values.get("station_id", type=to_int) or g.user.station_id
    station = get_station(g.user, sid) if sid else None
    staff = station_staff(station.id if station else None)
    ctx = {"station": station, "stations": list_stations(g.user), "staff": staff, "TASK_KINDS": TASK_KINDS,
           "form": request.form if request.method == "POST" else
           {"kind": "post_evaluation", "year": default_year(g.user), "source": "awaiting"}}
    if station is not None and request.method == "GET":
        ctx["awaiting"] = len(service.units_awaiting_post_evaluation(g.user, station.id, default_year(g.user)))
    if request.method == "GET" or station is None:
        return render_template("admin/task_bulk.html", errors={}, **ctx)
    values, units, errors = check_bulk(request.form, station, staff)
    if errors:
        return render_template("admin/task_bulk.html", errors=errors, **ctx), 422
    if request.form.get("confirm") != "1":
        names = {u.id: u.name for u in staff}
        share = [(names[iid], len(units[i::len(values["inspector_ids"])]))
                 for i, iid in enumerate(values["inspector_ids"])]
        return render_template("admin/task_bulk_confirm.html", values=values, units=units, share=share, **ctx)
    try:
        made = service.assign_in_bulk(g.user, unit_ids=[u.id for u in units], **values)
    except DomainError as err:
        return render_template("admin/task_bulk.html", errors={"_": [err.message], **err.fields}, **ctx), err.status
    flash(f"已分配 {len(made)} 个{TASK_KINDS[values['kind']]}任务给 {len(values['inspector_ids'])} 名执行人", "ok")
    return redirect(url_for("admin.tasks", station_id=station.id if g.user.is_county else None), 303)
