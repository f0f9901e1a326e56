"""Pace and forecast toward the work plan's milestones, per station and unit type.

Counts per week come from the dated lifecycle history through the dashboard's one as-of rule
(`service.stage_history(user, year, dates)`); nothing here decides a unit's stage.

For each milestone of `service.DEADLINES` (entry by the first date, signs posted by the second; dates per
year from `milestone_dates`), given the week points of a station (or a cell station × type):

- the straight line: from 0 at the end of 31 December of the year before to the target at the end of the
  milestone date; `planned` is its value on the day shown;
- the rate: units gained over the last four weeks ÷ 4 (per week), from the counts as of `on` and `on − 28`;
- `projected`: the count on the milestone date at that rate, now + rate × days left ÷ 7; once the date has
  passed, the count as of that date from the history;
- `needed`: the weekly rate that reaches the target on the date, (target − now) ÷ (days left ÷ 7);
- `status`: "reached" (count ≥ target), "on_course" (projected ≥ target), "behind", "missed" (the date has
  passed short of target) or "no_target".

A station is coloured by the status of its next milestone (the last one once all have passed): on course
or reached is good, behind or missed is not — not by its percentage alone (work plan §四 时间节点).
"""
from datetime import date, timedelta

from server.core.clock import today
from server.station.models import UNIT_TYPES

from server.dashboard.service import DEADLINES, milestone_dates, stage_history

RATE_DAYS = 28
STATUS = {"reached": "已完成", "on_course": "按期可完成", "behind": "进度落后", "missed": "逾期未完成",
          "no_target": "无目标"}
GOOD = {"reached", "on_course"}


def week_points(year: int, on: date) -> list[date]:
    """The dates counted: `on` and every 7 days back to the end of the year before, at least 4 weeks."""
    start = date(year, 1, 1) - timedelta(days=1)
    weeks = max(RATE_DAYS // 7, -(-(on - start).days // 7))
    return sorted(on - timedelta(days=7 * k) for k in range(weeks + 1))


def forecast(series: dict, target: int, year: int, due: date, on: date) -> dict:
    """One milestone's pace from {date: count} holding `on`, `on − 28` and, once passed, `due`.

    Returns {target, now, rate (per week), projected, needed (per week, None once passed), planned,
    days_left, status}; rate, projected, needed and planned are floats rounded to one decimal."""
    start = date(year, 1, 1) - timedelta(days=1)
    now, before = series[on], series[on - timedelta(days=RATE_DAYS)]
    rate = (now - before) * 7 / RATE_DAYS
    days_left = (due - on).days
    span = max(1, (due - start).days)
    planned = target * min(1.0, max(0.0, (on - start).days / span))
    if days_left >= 0:
        projected = now + rate * days_left / 7
        needed = max(0, target - now) * 7 / days_left if days_left else float(max(0, target - now))
    else:
        projected, needed = float(series[due]), None
    if target <= 0:
        status = "no_target"
    elif days_left < 0:
        status = "reached" if series[due] >= target else "missed"
    elif now >= target:
        status = "reached"
    else:
        status = "on_course" if projected >= target else "behind"
    return {"target": target, "now": now, "rate": round(rate, 1), "projected": round(projected, 1),
            "needed": None if needed is None else round(needed, 1), "planned": round(planned, 1),
            "days_left": days_left, "status": status, "status_label": STATUS[status]}


def _by_cell(counts: dict) -> dict:
    """{(station_id, type): {deadline key: count}} from one stage_counts result."""
    out = {}
    for (sid, t, stage), n in counts.items():
        cell = out.setdefault((sid, t), {d["key"]: 0 for d in DEADLINES})
        for d in DEADLINES:
            if stage in d["stages"]:
                cell[d["key"]] += n
    return out


def pace(user, year: int, stations, targets: dict, on: date | None = None) -> dict:
    """The pace of every station (all types, and each type) and of the whole scope, as plain data.

    stations: Station rows; targets: {(station_id, type): n} (station.service.targets_for). Returns
    {"on", "year", "milestones": [{key, label, due}], "stations": [{id, name, status, good, milestones,
    types: {type: milestones}, series}], "total": {...}} with dates as ISO strings, or None when the year
    has not begun."""
    on = min(on or today(), date(year, 12, 31))
    if on < date(year, 1, 1):
        return None
    dues = milestone_dates(user, year)
    points = week_points(year, on)
    asked = sorted(set(points) | {on - timedelta(days=RATE_DAYS)} | {d for d in dues.values() if d < on})
    counts = {d: _by_cell(c) for d, c in stage_history(user, year, asked).items()}
    ids = [s.id for s in stations]

    def one(keep, target_of) -> dict:
        out = {"series": {}, "milestones": []}
        for d in DEADLINES:
            series = {p: sum(c[d["key"]] for (sid, t), c in counts[p].items() if keep(sid, t)) for p in asked}
            out["series"][d["key"]] = [[p.isoformat(), series[p]] for p in points]
            out["milestones"].append({"key": d["key"], "label": d["label"], "due": dues[d["key"]].isoformat(),
                                      **forecast(series, target_of(), year, dues[d["key"]], on)})
        current = next((m for m in out["milestones"] if m["days_left"] >= 0), out["milestones"][-1])
        out["status"], out["good"] = current["status"], current["status"] in GOOD
        out["status_label"], out["current"] = current["status_label"], current["key"]
        return out

    rows = []
    for st in stations:
        row = {"id": st.id, "name": st.name,
               **one(lambda sid, t, s=st.id: sid == s, lambda s=st.id: sum(targets.get((s, t), 0) for t in UNIT_TYPES))}
        row["types"] = {t: one(lambda sid, tt, s=st.id, ty=t: sid == s and tt == ty,
                               lambda s=st.id, ty=t: targets.get((s, ty), 0))["milestones"] for t in UNIT_TYPES}
        rows.append(row)
    total = one(lambda sid, t: sid in ids,
                lambda: sum(targets.get((s, t), 0) for s in ids for t in UNIT_TYPES))
    return {"on": on.isoformat(), "year": year, "stations": rows, "total": total,
            "milestones": [{"key": d["key"], "label": d["label"], "due": dues[d["key"]].isoformat()} for d in DEADLINES]}
