"""Visit tasks: assign one or many, list, reassign, cancel, and close when an inspection is done."""
from datetime import date

import sqlalchemy as sa

from server.account.models import User
from server.account.service import require_admin
from server.core.clock import utcnow
from server.core.errors import Invalid, NotFound
from server.extensions import db
from server.station.service import scope_clause
from server.unit import lifecycle
from server.unit.models import Unit, UnitYear
from server.unit.service import get_unit
from server.visit.models import TASK_KINDS, VisitTask


def _inspector(user, inspector_id: int | None, station_id: int) -> int | None:
    if inspector_id is None:
        return None
    person = db.session.get(User, inspector_id)
    if person is None or person.station_id != station_id or not person.active:
        raise Invalid("执行人须为本所（分局）在岗人员", fields={"assignee_id": ["执行人须为本所（分局）在岗人员"]})
    return person.id


def create_task(user, *, unit_id: int, kind: str, due_date: date, assignee_id: int | None = None,
                note: str = "", year: int | None = None, source_inspection_id: int | None = None) -> VisitTask:
    """One visit task for a unit of the user's scope."""
    unit = get_unit(user, unit_id)
    if kind not in TASK_KINDS:
        raise Invalid("任务类型不正确", fields={"kind": ["任务类型不正确"]})
    task = VisitTask(county_id=unit.county_id, station_id=unit.station_id, unit_id=unit.id, kind=kind,
                     assignee_id=_inspector(user, assignee_id, unit.station_id), due_date=due_date,
                     note=note[:500], year=year or due_date.year, created_by_id=user.id,
                     source_inspection_id=source_inspection_id)
    db.session.add(task)
    db.session.flush()
    return task


def units_awaiting_post_evaluation(user, station_id: int, year: int) -> list[int]:
    """Units of the station entered for the year (系统录入) with no open post-evaluation task."""
    open_task = sa.select(VisitTask.id).where(VisitTask.unit_id == Unit.id, VisitTask.kind == "post_evaluation",
                                              VisitTask.status == "open", VisitTask.year == year)
    q = (sa.select(Unit.id).join(UnitYear, UnitYear.unit_id == Unit.id)
         .where(scope_clause(user, Unit.station_id, Unit.county_id), Unit.station_id == station_id,
                UnitYear.year == year, UnitYear.stage == "profiled", ~sa.exists(open_task))
         .order_by(Unit.name, Unit.id))
    return db.session.scalars(q).all()


def assign_in_bulk(user, *, unit_ids: list[int], inspector_ids: list[int], kind: str, due_date: date,
                   year: int, note: str = "") -> list[VisitTask]:
    """A task for every unit, spread evenly over the inspectors in turn."""
    require_admin(user)
    if not unit_ids:
        raise Invalid("没有可分配的单位", fields={"unit_ids": ["没有可分配的单位"]})
    if not inspector_ids:
        raise Invalid("请至少选择一名执行人", fields={"inspector_ids": ["请至少选择一名执行人"]})
    return [create_task(user, unit_id=uid, kind=kind, due_date=due_date, note=note, year=year,
                        assignee_id=inspector_ids[i % len(inspector_ids)])
            for i, uid in enumerate(unit_ids)]


def get_task(user, task_id: int) -> VisitTask:
    """A task of the user's scope; inspectors see only their own and unassigned ones."""
    task = db.session.get(VisitTask, task_id)
    if task is None:
        raise NotFound("找不到该任务")
    try:
        get_unit(user, task.unit_id)
    except NotFound:
        raise NotFound("找不到该任务") from None
    if user.role == "inspector" and task.assignee_id not in (None, user.id):
        raise NotFound("找不到该任务")
    return task


def list_tasks(user, *, status: str | None = "open", station_id=None, assignee_id=None, kind=None,
               limit: int = 500) -> list[VisitTask]:
    """Tasks in the user's scope by due date, overdue first."""
    q = sa.select(VisitTask).where(scope_clause(user, VisitTask.station_id, VisitTask.county_id))
    if user.role == "inspector":
        q = q.where(sa.or_(VisitTask.assignee_id == user.id, VisitTask.assignee_id.is_(None)))
    for col, value in ((VisitTask.status, status), (VisitTask.station_id, station_id),
                       (VisitTask.assignee_id, assignee_id), (VisitTask.kind, kind)):
        if value:
            q = q.where(col == value)
    return db.session.scalars(q.order_by(VisitTask.due_date, VisitTask.id).limit(limit)).all()


def update_task(user, task_id: int, *, assignee_id=None, due_date=None, status=None) -> VisitTask:
    """Reassign, move the due date, or cancel an open task (admins)."""
    require_admin(user)
    task = get_task(user, task_id)
    if task.status != "open":
        raise Invalid("只能修改待完成的任务")
    if assignee_id is not None:
        task.assignee_id = _inspector(user, assignee_id, task.station_id)
    if due_date is not None:
        task.due_date = due_date
    if status == "cancelled":
        task.status = "cancelled"
    db.session.flush()
    return task


def close_task(task: VisitTask, inspection_id: int) -> None:
    """Mark a task done by an inspection."""
    if task.status == "open":
        task.status = "done"
        task.done_at = utcnow()
        task.done_inspection_id = inspection_id


@lifecycle.on("moved")
def _move_open_tasks(unit, old_station_id: int, user_id: int | None) -> None:
    """Open tasks follow their unit to its new station; one assigned to an inspector of the old station
    waits unassigned for the new station's admin (the old inspector's phone hears it is gone)."""
    for task in db.session.scalars(sa.select(VisitTask).where(VisitTask.unit_id == unit.id,
                                                              VisitTask.status == "open")):
        task.station_id = unit.station_id
        if task.assignee_id is not None:
            person = db.session.get(User, task.assignee_id)
            if person is None or person.station_id != unit.station_id:
                task.assignee_id = None
    db.session.flush()
