"""Progress against targets: counts by station, unit type and lifecycle stage, and the plan's deadlines."""
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa

from server.carrier.service import carrier_counts
from server.core.clock import today
from server.extensions import db
from server.station.models import CARRIER_KINDS, UNIT_TYPES
from server.station.service import list_stations, scope_clause, target_years, targets_for
from server.unit.models import STAGE_ORDER, LifecycleEvent, Unit, UnitYear

CERTIFIED = {"evaluated", "sign_issued", "sign_posted"}
ENTERED = {"profiled"} | CERTIFIED
# The work plan's two dates: entry at 100% by 30 June; evaluation done and signs posted by 30 November.
DEADLINES = [
    {"key": "entry", "month": 6, "day": 30, "label": "培育、承诺公示、系统录入100%", "stages": ENTERED},
    {"key": "posted", "month": 11, "day": 30, "label": "后评价完成、标识张贴到位", "stages": {"sign_posted"}},
]


@dataclass
class Cell:
    """One station × unit type: its target and how many units stand at each stage."""

    target: int = 0
    stages: dict = field(default_factory=lambda: {s: 0 for s in STAGE_ORDER + ["removed"]})

    @property
    def active(self) -> int:
        return sum(n for s, n in self.stages.items() if s != "removed")

    @property
    def certified(self) -> int:
        return sum(self.stages[s] for s in CERTIFIED)

    @property
    def percent(self) -> int:
        return _percent(self.certified, self.target)

    def add(self, other: "Cell") -> None:
        self.target += other.target
        for s, n in other.stages.items():
            self.stages[s] += n


def _percent(n: int, target: int) -> int:
    if target <= 0:
        return 100 if n else 0
    return min(999, round(100 * n / target))


def milestone_dates(user, year: int) -> dict:
    """{deadline key: date} of the year's milestones (DEADLINES)."""
    return {d["key"]: date(year, d["month"], d["day"]) for d in DEADLINES}


def default_year(user) -> int:
    """The latest year that has targets, or this year."""
    years = target_years(user)
    return years[0] if years else today().year


def stage_counts(user, year: int, as_of: date | None = None) -> dict:
    """{(station_id, type, stage): count} of units in the year, within the user's scope: today's stages,
    or as_of the end of a China date, each unit's stage then being its last lifecycle step by that time."""
    if as_of is None:
        q = (sa.select(Unit.station_id, Unit.type, UnitYear.stage, sa.func.count())
             .join(UnitYear, UnitYear.unit_id == Unit.id)
             .where(UnitYear.year == year, scope_clause(user, Unit.station_id, Unit.county_id))
             .group_by(Unit.station_id, Unit.type, UnitYear.stage))
    else:
        cutoff = datetime.combine(as_of + timedelta(days=1), time()) - timedelta(hours=8)
        last = (sa.select(LifecycleEvent.unit_id, sa.func.max(LifecycleEvent.id).label("id"))
                .where(LifecycleEvent.year == year, LifecycleEvent.at < cutoff)
                .group_by(LifecycleEvent.unit_id).subquery())
        q = (sa.select(Unit.station_id, Unit.type, LifecycleEvent.to_stage, sa.func.count())
             .join(last, last.c.unit_id == Unit.id).join(LifecycleEvent, LifecycleEvent.id == last.c.id)
             .where(scope_clause(user, Unit.station_id, Unit.county_id))
             .group_by(Unit.station_id, Unit.type, LifecycleEvent.to_stage))
    return {(s, t, st): n for s, t, st, n in db.session.execute(q)}


def dashboard(user, year: int, on: date | None = None) -> dict:
    """Every station × unit type against target, county totals, carriers and the deadlines."""
    on = on or today()
    stations = list_stations(user)
    targets = targets_for(user, year)
    counts = stage_counts(user, year)
    carriers = carrier_counts(user, year)
    rows, total = [], {t: Cell() for t in UNIT_TYPES}
    for st in stations:
        cells = {t: Cell(target=targets.get((st.id, t), 0)) for t in UNIT_TYPES}
        for (sid, t, stage), n in counts.items():
            if sid == st.id and t in cells:
                cells[t].stages[stage] = n
        all_types = Cell()
        for t, c in cells.items():
            all_types.add(c)
            total[t].add(c)
        rows.append({"station": st, "cells": cells, "all": all_types,
                     "carriers": {k: (carriers.get((st.id, k), 0), targets.get((st.id, k), 0))
                                  for k in CARRIER_KINDS},
                     "deadlines": _deadlines(all_types, year, on)})
    county_all = Cell()
    for c in total.values():
        county_all.add(c)
    carrier_totals = {}
    for k in CARRIER_KINDS:
        station_target = sum(targets.get((st.id, k), 0) for st in stations)
        carrier_totals[k] = (sum(carriers.get((st.id, k), 0) for st in stations),
                             targets.get((None, k), 0) + station_target)
    return {"year": year, "rows": rows, "total": total, "total_all": county_all,
            "carriers": carrier_totals, "deadlines": _deadlines(county_all, year, on),
            "years": target_years(user)}


def _deadlines(cell: Cell, year: int, on: date) -> list[dict]:
    out = []
    for d in DEADLINES:
        due = date(year, d["month"], d["day"])
        done = sum(cell.stages[s] for s in d["stages"])
        out.append({"key": d["key"], "label": d["label"], "due": due, "done": done,
                    "target": cell.target, "gap": max(0, cell.target - done),
                    "percent": _percent(done, cell.target), "days_left": (due - on).days})
    return out
