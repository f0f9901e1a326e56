"""每天网上巡: what needs a station's eyes today, marked handled one by one, and the day marked done.

Each domain contributes items through a provider: fn(station_ids, day) -> list of items
{key, kind, title, unit_id, unit_name, due, overdue}. Keys are stable ("rectification:12"), so a
mark made today still matches tomorrow's list.
"""
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from server.core.clock import china_midnight
from server.account.service import require_admin
from server.core.errors import Invalid
from server.extensions import db
from server.inspection.models import Inspection, Rectification
from server.inspection.service import location_doubt
from server.rhythm.models import PatrolDay, PatrolMark
from server.station.service import get_station, list_stations
from server.unit.models import Unit, UnitChange
from server.visit.models import TASK_KINDS, VisitTask

PROVIDERS = []
SOON_DAYS = 3


def provider(fn):
    """Register a source of patrol items."""
    PROVIDERS.append(fn)
    return fn


def utc_range(day: date) -> tuple[datetime, datetime]:
    """The UTC moments of a China Standard Time day."""
    start = china_midnight(day)
    return start, start + timedelta(days=1)


@provider
def rectifications_due(station_ids, day):
    rows = db.session.execute(sa.select(Rectification, Unit.name).join(Unit, Unit.id == Rectification.unit_id).where(
        Rectification.station_id.in_(station_ids), Rectification.status == "open",
        Rectification.due_date <= day + timedelta(days=SOON_DAYS))).all()
    return [{"key": f"rectification:{r.id}", "kind": "整改到期" if r.due_date >= day else "整改逾期",
             "title": r.demand, "unit_id": r.unit_id, "unit_name": name, "due": r.due_date,
             "overdue": r.due_date < day, "station_id": r.station_id} for r, name in rows]


@provider
def tasks_overdue(station_ids, day):
    rows = db.session.execute(sa.select(VisitTask, Unit.name).join(Unit, Unit.id == VisitTask.unit_id).where(
        VisitTask.station_id.in_(station_ids), VisitTask.status == "open", VisitTask.due_date < day)).all()
    return [{"key": f"task:{t.id}", "kind": "走访任务逾期", "title": TASK_KINDS.get(t.kind, t.kind),
             "unit_id": t.unit_id, "unit_name": name, "due": t.due_date, "overdue": True,
             "station_id": t.station_id} for t, name in rows]


@provider
def business_status_changed(station_ids, day):
    start, end = utc_range(day - timedelta(days=1))
    rows = db.session.execute(sa.select(UnitChange, Unit).join(Unit, Unit.id == UnitChange.unit_id).where(
        Unit.station_id.in_(station_ids), UnitChange.field == "business_status",
        UnitChange.at >= start, UnitChange.at < end + timedelta(days=1))).all()
    return [{"key": f"status:{c.id}", "kind": "经营状态变化", "title": f"{c.old_value} → {c.new_value}",
             "unit_id": u.id, "unit_name": u.name, "due": None, "overdue": False, "station_id": u.station_id}
            for c, u in rows]


@provider
def location_doubtful(station_ids, day):
    """Inspections submitted yesterday or today whose GPS fix was vague or far from the unit (issue 18,
    item 7; thresholds are the GPS_DOUBT_* settings)."""
    settings = current_app.config
    start, end = utc_range(day - timedelta(days=1))
    rows = db.session.execute(sa.select(Inspection, Unit.name).join(Unit, Unit.id == Inspection.unit_id).where(
        Inspection.station_id.in_(station_ids), Inspection.submitted_at >= start,
        Inspection.submitted_at < end + timedelta(days=1),
        sa.or_(Inspection.accuracy_m > settings["GPS_DOUBT_ACCURACY_M"],
               Inspection.distance_m > settings["GPS_DOUBT_DISTANCE_M"]))).all()
    return [{"key": f"location:{i.id}", "kind": "定位存疑",
             "title": f"{i.inspector.name}的检查：{location_doubt(i.accuracy_m, i.distance_m, settings)}",
             "unit_id": i.unit_id, "unit_name": name, "due": None, "overdue": False, "station_id": i.station_id}
            for i, name in rows]


def daily_list(user, station_id: int, day: date) -> dict:
    """Today's items for a station, each with its handled mark if any, and whether the day is done."""
    station = get_station(user, station_id)
    items = [i for p in PROVIDERS for i in p([station.id], day)]
    marks = {m.item_key: m for m in db.session.scalars(sa.select(PatrolMark).where(
        PatrolMark.station_id == station.id, PatrolMark.day == day))}
    for i in items:
        i["mark"] = marks.get(i["key"])
    items.sort(key=lambda i: (i["mark"] is not None, not i["overdue"], i["due"] or day))
    done = db.session.scalar(sa.select(PatrolDay).where(PatrolDay.station_id == station.id, PatrolDay.day == day))
    return {"station": station, "day": day, "items": items, "done": done}


def mark_handled(user, station_id: int, day: date, item_key: str, note: str) -> PatrolMark:
    """Mark one item of the day handled, with a note."""
    require_admin(user)
    station = get_station(user, station_id)
    keys = {i["key"] for p in PROVIDERS for i in p([station.id], day)}
    if item_key not in keys:
        raise Invalid("该事项不在当日巡查清单中")
    mark = db.session.scalar(sa.select(PatrolMark).where(PatrolMark.station_id == station.id,
                                                         PatrolMark.day == day, PatrolMark.item_key == item_key))
    if mark is None:
        mark = PatrolMark(station_id=station.id, day=day, item_key=item_key, user_id=user.id)
        db.session.add(mark)
    mark.note = (note or "").strip()[:500] or "已处理"
    db.session.flush()
    return mark


def complete_day(user, station_id: int, day: date, note: str = "") -> PatrolDay:
    """Mark the station's patrol of the day done."""
    require_admin(user)
    listing = daily_list(user, station_id, day)
    if listing["done"] is not None:
        raise Invalid("当日巡查已完成")
    record = PatrolDay(station_id=station_id, day=day, items=len(listing["items"]), note=(note or "")[:500],
                       handled=sum(1 for i in listing["items"] if i["mark"]), user_id=user.id)
    db.session.add(record)
    db.session.flush()
    return record


def county_overview(user, start: date, end: date) -> dict:
    """Which stations patrolled on which days: {station: {day: PatrolDay or None}}."""
    stations = list_stations(user)
    done = {(p.station_id, p.day): p for p in db.session.scalars(sa.select(PatrolDay).where(
        PatrolDay.station_id.in_([s.id for s in stations]), PatrolDay.day.between(start, end)))}
    days = [start + timedelta(days=i) for i in range((end - start).days + 1)]
    return {"days": days, "rows": [(s, [done.get((s.id, d)) for d in days]) for s in stations]}
