"""Complaints and evaluations in the daily patrol and in the monthly bulletin."""
from datetime import timedelta

import sqlalchemy as sa

from server.complaint import service
from server.complaint.benchmark import benchmark_for, compare
from server.complaint.rates import RATES, rates
from server.extensions import db
from server.feedback.models import Complaint, Evaluation
from server.feedback.record import low_star_units, low_stars_settings
from server.rhythm.bulletin import section
from server.rhythm.patrol import SOON_DAYS, provider, utc_range
from server.unit.models import Unit

LOW_STARS = 2


@provider
def complaints_to_watch(station_ids, day):
    """New complaints and reports, and every running deadline due within a few days or past."""
    rows = db.session.execute(sa.select(Complaint, Unit.name).outerjoin(Unit, Unit.id == Complaint.unit_id).where(
        Complaint.station_id.in_(station_ids), service.open_clause())).all()
    items = []
    for c, name in rows:
        for what, due in service.due_items(c):
            if due <= day + timedelta(days=SOON_DAYS):
                items.append({"key": f"complaint:{c.id}:{what}", "kind": f"投诉举报·{what}",
                              "title": c.description[:60], "unit_id": c.unit_id, "unit_name": name or "（未关联单位）",
                              "due": due, "overdue": due < day, "station_id": c.station_id,
                              "link": f"/complaints/{c.id}"})
    return items


@provider
def low_evaluations(station_ids, day):
    """Evaluations of 1 or 2 stars left yesterday or today."""
    start, _ = utc_range(day - timedelta(days=1))
    rows = db.session.execute(sa.select(Evaluation, Unit.name).join(Unit, Unit.id == Evaluation.unit_id).where(
        Evaluation.station_id.in_(station_ids), Evaluation.stars <= LOW_STARS, Evaluation.created_at >= start)).all()
    return [{"key": f"evaluation:{e.id}", "kind": "差评", "title": f"{e.stars}星 {e.comment[:40]}",
             "unit_id": e.unit_id, "unit_name": name, "due": None, "overdue": False, "station_id": e.station_id}
            for e, name in rows]


@provider
def repeated_low_stars(station_ids, day):
    """Units with repeated low stars (server.feedback.record's rule), each with its evaluations linked. The key
    holds the latest evaluation, so a unit marked handled comes back when another low one arrives."""
    rule = low_stars_settings()
    items = []
    for r in low_star_units(station_ids, day):
        last = r["evaluations"][-1]
        items.append({"key": f"low-stars:{r['unit_id']}:{last.id}", "kind": "多次低星评价",
                      "title": f"近{rule['days']}天{r['n']}条评价，平均{r['avg']}星",
                      "unit_id": r["unit_id"], "unit_name": r["unit_name"], "due": None, "overdue": False,
                      "station_id": r["station_id"],
                      "evaluations": [{"id": e.id, "stars": e.stars, "at": e.created_at,
                                       "href": f"/units/{r['unit_id']}#consumer-evaluation-{e.id}"}
                                      for e in r["evaluations"]]})
    return items


@section("complaints")
def bulletin_complaints(user, ids, start, end, year_start):
    """Complaints received and the four rates of the plan, for the month and the year to date; the year's
    mediation success rate against the national and provincial averages entered for the year."""
    month, ytd = rates(user, start, end), rates(user, year_start, end)
    received = dict(db.session.execute(sa.select(Complaint.station_id, sa.func.count()).where(
        Complaint.station_id.in_(ids), Complaint.received_at >= utc_range(start)[0],
        Complaint.received_at < utc_range(end)[0]).group_by(Complaint.station_id)).all())
    from server.station.models import Station
    names = dict(db.session.execute(sa.select(Station.id, Station.name).where(Station.id.in_(ids))).all())
    bench = benchmark_for(user.county_id, start.year)
    keys = ("initial", "completion", "report", "mediation")

    def pct(r):
        return "—" if r["percent"] is None else f"{r['percent']}%"

    def row(name, count, m, y):
        versus = "；".join(compare(y["mediation"]["percent"], bench)) or "—"
        return [name, count] + [pct(m[k]) for k in keys] + [pct(y["mediation"]), versus]
    rows = [row(names[sid], received.get(sid, 0), month[sid], ytd[sid]) for sid in ids]
    if len(ids) > 1:  # one station's bulletin: its row is the total
        rows.append(row("全县", sum(received.values()), month["county"], ytd["county"]))
    return {"header": ["所（分局）", "本月收到"] + [RATES[k] for k in keys] + ["年度调解成功率", "对比全国、全省平均"],
            "rows": rows}


@section("evaluations")
def bulletin_evaluations(user, ids, start, end, year_start):
    """Evaluations left in the month: count and average stars per station."""
    from server.station.models import Station
    q = (sa.select(Evaluation.station_id, sa.func.count(), sa.func.avg(Evaluation.stars))
         .where(Evaluation.station_id.in_(ids), Evaluation.created_at >= utc_range(start)[0],
                Evaluation.created_at < utc_range(end)[0]).group_by(Evaluation.station_id))
    got = {sid: (n, avg) for sid, n, avg in db.session.execute(q)}
    names = dict(db.session.execute(sa.select(Station.id, Station.name).where(Station.id.in_(ids))).all())
    rows = [[names[sid], got.get(sid, (0, None))[0],
             f"{float(got[sid][1]):.1f}" if sid in got else "—"] for sid in ids]
    return {"header": ["所（分局）", "本月评价数", "平均星级"], "rows": rows}
