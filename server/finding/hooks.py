"""Findings in the supervision rhythm: a station's progress in the daily patrol and in the bulletin."""
import sqlalchemy as sa
from flask import url_for

from server.finding.models import Finding
from server.unit import lifecycle
from server.finding.service import progress
from server.rhythm.bulletin import section
from server.rhythm.patrol import provider
from server.station.models import Station
from server.extensions import db


@provider
def findings_open(station_ids, day):
    """One item per station with assessment findings still open: closed of all, open, overdue."""
    out = []
    for sid in station_ids:
        p = progress(db.session.get(Station, sid).county_id, [sid], day)[sid]
        if p["open"]:
            out.append({"key": f"findings:{sid}", "kind": "评估问题整改" if not p["overdue"] else "评估问题逾期",
                        "title": f"第三方、省级评估问题已整改{p['closed']}/{p['total']}，未整改{p['open']}"
                                 + (f"（逾期{p['overdue']}）" if p["overdue"] else ""),
                        "unit_id": None, "unit_name": "评估问题清单", "due": None, "overdue": bool(p["overdue"]),
                        "station_id": sid, "link": url_for("admin.findings", station_id=sid)})
    return out


@section("findings")
def bulletin_findings(user, ids, start, end, year_start):
    """Assessment findings per station as of the bulletin's month end: all, closed, open, overdue."""
    p = progress(user.county_id, ids, end)
    names = dict(db.session.execute(db.select(Station.id, Station.name).where(Station.id.in_(ids))).all())

    def row(name, c):
        rate = f"{round(100 * c['closed'] / c['total'])}%" if c["total"] else "—"
        return [name, c["total"], c["closed"], c["open"], c["overdue"], rate]
    rows = [row(names[sid], p[sid]) for sid in ids]
    total = {k: sum(p[sid][k] for sid in ids) for k in ("total", "closed", "open", "overdue")}
    if len(ids) > 1:  # one station's bulletin: its row is the total
        rows.append(row("全县", total))
    if p["pending"]:
        rows.append([f"另有{p['pending']}条问题未匹配到本县单位，待县局确定", "", "", "", "", ""])
    return {"header": ["所（分局）", "评估问题", "已整改", "未整改", "其中逾期", "整改率"], "rows": rows}


@lifecycle.on("moved")
def _findings_follow_their_unit(unit, old_station_id: int, user_id: int | None) -> None:
    """A unit's findings follow it to its new station, as its open rectifications do."""
    db.session.execute(sa.update(Finding).where(Finding.unit_id == unit.id)
                       .values(station_id=unit.station_id).execution_options(synchronize_session="fetch"))
