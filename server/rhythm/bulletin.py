"""每月一通报: the month's and the year-to-date figures per station and for the county.

A bulletin is computed once and kept (Bulletin.data): what was published never changes, even as
the records behind it do. Other domains add sections (complaints, evaluations) through
`section`: fn(county_id, station_ids, start, end) -> {station_id or "county": figures}.
"""
from datetime import date, timedelta

import sqlalchemy as sa

from server.core.errors import Invalid
from server.extensions import db
from server.inspection.models import Inspection, InspectionAnswer, Rectification
from server.rhythm.models import Bulletin
from server.rhythm.patrol import utc_range
from server.station.service import list_stations, targets_for
from server.core.clock import today
from server.dashboard.pace import pace
from server.dashboard.service import stage_counts
from server.checklist.models import ChecklistVersion

SECTIONS = {}


def section(name: str):
    """Register a section of the bulletin computed by another domain."""
    def wrap(fn):
        SECTIONS[name] = fn
        return fn
    return wrap


def month_bounds(month: str) -> tuple[date, date]:
    """(first day, first day of next month) of "YYYY-MM"."""
    try:
        y, m = (int(p) for p in month.split("-"))
        start = date(y, m, 1)
    except ValueError:
        raise Invalid("月份格式应为YYYY-MM", fields={"month": ["月份格式应为YYYY-MM"]}) from None
    end = date(y + (m == 12), m % 12 + 1, 1)
    return start, end


def _by_station(query) -> dict:
    return {sid: n for sid, n in db.session.execute(query)}


def _visits(ids, start, end) -> dict:
    t0, t1 = utc_range(start)[0], utc_range(end)[0]
    return _by_station(sa.select(Inspection.station_id, sa.func.count()).where(
        Inspection.station_id.in_(ids), Inspection.submitted_at >= t0, Inspection.submitted_at < t1)
        .group_by(Inspection.station_id))


def _rectifications(ids, start, end) -> dict:
    t0, t1 = utc_range(start)[0], utc_range(end)[0]
    opened = (sa.select(Rectification.station_id, sa.func.count()).join(Inspection, Inspection.id == Rectification.inspection_id)
              .where(Rectification.station_id.in_(ids), Inspection.submitted_at >= t0, Inspection.submitted_at < t1)
              .group_by(Rectification.station_id))
    closed = (sa.select(Rectification.station_id, sa.func.count()).where(
        Rectification.station_id.in_(ids), Rectification.closed_at >= t0, Rectification.closed_at < t1)
        .group_by(Rectification.station_id))
    overdue = (sa.select(Rectification.station_id, sa.func.count()).where(
        Rectification.station_id.in_(ids), Rectification.status == "open", Rectification.due_date < end)
        .group_by(Rectification.station_id))
    return {"opened": _by_station(opened), "closed": _by_station(closed), "overdue": _by_station(overdue)}


def _failed_items(ids, start, end, top=10) -> list[dict]:
    t0, t1 = utc_range(start)[0], utc_range(end)[0]
    rows = db.session.execute(sa.select(InspectionAnswer.item_code, sa.func.count(), sa.func.max(Inspection.template_version_id))
                              .join(Inspection, Inspection.id == InspectionAnswer.inspection_id)
                              .where(Inspection.station_id.in_(ids), Inspection.submitted_at >= t0,
                                     Inspection.submitted_at < t1, InspectionAnswer.result == "no")
                              .group_by(InspectionAnswer.item_code)
                              .order_by(sa.func.count().desc(), InspectionAnswer.item_code).limit(top)).all()
    texts = {}
    for v in db.session.scalars(sa.select(ChecklistVersion).where(ChecklistVersion.id.in_({r[2] for r in rows}))):
        texts.update({i["code"]: i["text"] for i in v.items})
    return [{"code": code, "text": texts.get(code, code), "count": n} for code, n, _ in rows]


def compute(user, month: str) -> dict:
    """Every figure of the bulletin for the user's county (or station), as plain data."""
    start, end = month_bounds(month)
    year_start = date(start.year, 1, 1)
    stations = list_stations(user)
    ids = [s.id for s in stations]
    counts, targets = stage_counts(user, start.year), targets_for(user, start.year)
    data = {"month": month, "year": start.year, "stations": [{"id": s.id, "name": s.name} for s in stations],
            "progress": {}, "visits": {"month": _visits(ids, start, end), "ytd": _visits(ids, year_start, end)},
            "rectifications": _rectifications(ids, start, end), "failed_items": _failed_items(ids, start, end),
            "failed_items_ytd": _failed_items(ids, year_start, end)}
    for s in stations:
        stages = {}
        for (sid, _type, stage), n in counts.items():
            if sid == s.id:
                stages[stage] = stages.get(stage, 0) + n
        target = sum(n for (sid, kind), n in targets.items() if sid == s.id and kind in
                     ("general", "no_reason_return", "factory"))
        data["progress"][s.id] = {"target": target, "stages": stages}
    # Pace as of the month's last day (or today, for the month under way).
    data["pace"] = pace(user, start.year, stations, targets, min(end - timedelta(days=1), today()))
    for name, fn in SECTIONS.items():
        data[name] = fn(user, ids, start, end, year_start)
    return _json_keys(data)


def _json_keys(value):
    """JSON objects have string keys: make it so now, so a kept bulletin reads back the same."""
    if isinstance(value, dict):
        return {str(k): _json_keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_keys(v) for v in value]
    return value


def check_generate(user, month: str) -> None:
    """Refuse (Forbidden, Invalid) what generate would refuse, before its job is started."""
    if user.role != "county_admin":
        from server.core.errors import Forbidden
        raise Forbidden("只有县局管理员可以生成月度通报")
    month_bounds(month)


def generate(user, month: str) -> Bulletin:
    """Compute and keep a bulletin for the month (county admins)."""
    check_generate(user, month)
    record = Bulletin(county_id=user.county_id, month=month, data=compute(user, month), user_id=user.id)
    db.session.add(record)
    db.session.flush()
    return record


def check_generate_stations(user, month: str) -> list:
    """The county's stations whose bulletins a county admin may generate for the month; Forbidden or
    Invalid (the month) otherwise, before the job is started."""
    check_generate(user, month)
    return list_stations(user)


def compute_station(user, station_id: int, month: str) -> dict:
    """The bulletin of one station of the county admin's county, as its station admin would see it (the same
    `compute`, through a read-only StationLens), named after the station. NotFound for another county's."""
    from server.station.service import StationLens, get_station
    station = get_station(user, station_id)
    data = compute(StationLens(station.county_id, station.id), month)
    data["station_name"] = station.name
    return data


def latest(user, month: str) -> Bulletin | None:
    """The most recent kept bulletin of the month."""
    return db.session.scalar(sa.select(Bulletin).where(Bulletin.county_id == user.county_id, Bulletin.month == month)
                             .order_by(Bulletin.at.desc(), Bulletin.id.desc()))


def kept(user) -> list[Bulletin]:
    """The county's kept bulletins, newest first."""
    return db.session.scalars(sa.select(Bulletin).where(Bulletin.county_id == user.county_id)
                              .order_by(Bulletin.month.desc(), Bulletin.at.desc()).limit(60)).all()


def get(user, bulletin_id: int) -> Bulletin:
    """A kept bulletin of the user's county."""
    b = db.session.get(Bulletin, bulletin_id)
    if b is None or b.county_id != user.county_id:
        from server.core.errors import NotFound
        raise NotFound("找不到该通报")
    return b
