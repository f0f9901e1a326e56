"""每周回头看: each week, follow-up visits for what failed or is still open, new units' profiles
checked, and last week's findings with whether they were closed."""
from datetime import date, timedelta

import sqlalchemy as sa

from server.account.service import require_admin
from server.core.errors import Invalid
from server.extensions import db
from server.inspection.models import Inspection, InspectionAnswer, Rectification
from server.rhythm.models import Lookback
from server.rhythm.patrol import utc_range
from server.station.service import get_station
from server.unit.models import Unit
from server.visit import service as visits
from server.visit.models import VisitTask

PROFILE_FIELDS = {"contact_name": "负责人", "contact_phone": "联系电话", "industry": "行业", "lat": "位置"}


def week_of(day: date) -> date:
    """The Monday of the week a day falls in."""
    return day - timedelta(days=day.weekday())


def _units_needing_follow_up(station_id: int, start: date, end: date) -> list[int]:
    t0, t1 = utc_range(start)[0], utc_range(end)[0]
    failed = (sa.select(Inspection.unit_id).join(InspectionAnswer, InspectionAnswer.inspection_id == Inspection.id)
              .where(Inspection.station_id == station_id, Inspection.submitted_at >= t0, Inspection.submitted_at < t1,
                     InspectionAnswer.result == "no"))
    open_rect = sa.select(Rectification.unit_id).where(Rectification.station_id == station_id,
                                                       Rectification.status == "open")
    ids = set(db.session.scalars(failed)) | set(db.session.scalars(open_rect))
    has_task = set(db.session.scalars(sa.select(VisitTask.unit_id).where(
        VisitTask.unit_id.in_(ids), VisitTask.status == "open", VisitTask.kind == "rectification")))
    return sorted(ids - has_task)


def _incomplete_profiles(station_id: int, start: date, end: date) -> list[dict]:
    t0, t1 = utc_range(start)[0], utc_range(end)[0]
    units = db.session.scalars(sa.select(Unit).where(Unit.station_id == station_id, Unit.created_at >= t0,
                                                     Unit.created_at < t1)).all()
    out = []
    for u in units:
        missing = [label for f, label in PROFILE_FIELDS.items() if getattr(u, f) in (None, "")]
        if missing:
            out.append({"unit_id": u.id, "unit_name": u.name, "missing": missing})
    return out


def _last_week(station_id: int, week_start: date) -> dict | None:
    prev = db.session.scalar(sa.select(Lookback).where(Lookback.station_id == station_id,
                                                       Lookback.week_start == week_start - timedelta(days=7)))
    if prev is None:
        return None
    task_ids = prev.summary.get("task_ids", [])
    done = db.session.scalar(sa.select(sa.func.count()).select_from(VisitTask).where(
        VisitTask.id.in_(task_ids), VisitTask.status == "done")) if task_ids else 0
    return {"week_start": prev.week_start.isoformat(), "follow_ups": len(task_ids), "closed": done}


def past_runs(user, station_id: int, limit: int = 12) -> list[Lookback]:
    """A station's latest look-backs, newest first; NotFound (404) for a station outside the user's scope."""
    station = get_station(user, station_id)
    return db.session.scalars(sa.select(Lookback).where(Lookback.station_id == station.id)
                              .order_by(Lookback.week_start.desc()).limit(limit)).all()


def run_lookback(user, station_id: int, week_start: date) -> Lookback:
    """Look back over the week before week_start (a Monday): create follow-up tasks and keep what was found."""
    require_admin(user)
    station = get_station(user, station_id)
    if week_start.weekday() != 0:
        raise Invalid("回头看以周一为一周的开始", fields={"week_start": ["请选择周一"]})
    if db.session.scalar(sa.select(Lookback.id).where(Lookback.station_id == station.id,
                                                      Lookback.week_start == week_start)):
        raise Invalid("本周已做过回头看")
    start = week_start - timedelta(days=7)
    units = _units_needing_follow_up(station.id, start, week_start)
    tasks = [visits.create_task(user, unit_id=uid, kind="rectification", due_date=week_start + timedelta(days=4),
                                note="每周回头看：复查不符合项或未完成的整改", year=week_start.year)
             for uid in units]
    summary = {"task_ids": [t.id for t in tasks], "unit_ids": units,
               "incomplete_profiles": _incomplete_profiles(station.id, start, week_start),
               "last_week": _last_week(station.id, week_start)}
    record = Lookback(station_id=station.id, week_start=week_start, summary=summary, user_id=user.id)
    db.session.add(record)
    db.session.flush()
    return record
