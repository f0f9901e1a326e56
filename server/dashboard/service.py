"""Progress against targets: counts by station, unit type and lifecycle stage, and the plan's deadlines."""
from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa

from server.carrier.service import carrier_counts
from server.core.clock import china_midnight, today
from server.extensions import db
from server.station.models import CARRIER_KINDS, UNIT_TYPES
from server.station.service import (list_stations, milestones, milestones_by_county, region_counties, scope_clause,
                                    target_years, targets_by_county, targets_for)
from server.unit.models import CERTIFIED, STAGE_ORDER, LifecycleEvent, Unit, UnitYear

ENTERED = {"profiled", "evaluated"} | set(CERTIFIED)
# The work plan's two milestones (dates per year: station.service.milestones): entry at 100% by the
# first (30 June); evaluation done and signs posted by the second (30 November).
DEADLINES = [
    {"key": "entry", "label": "培育、承诺公示、系统录入100%", "stages": ENTERED},
    {"key": "posted", "label": "后评价完成、标识张贴到位", "stages": {"sign_posted"}},
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
    dates = milestones(user.county_id, year)
    return {"entry": dates.entry_due, "posted": dates.evaluation_due}


def default_year(user) -> int:
    """The latest year that has targets, or this year."""
    years = target_years(user)
    return years[0] if years else today().year


def stage_counts(user, year: int, as_of: date | None = None) -> dict:
    """{(station_id, type, stage): count} of units in the year, within the user's scope: today's stages,
    or as_of the end of a China date (stage_history's rule)."""
    if as_of is not None:
        return stage_history(user, year, [as_of])[as_of]
    q = (sa.select(Unit.station_id, Unit.type, UnitYear.stage, sa.func.count())
         .join(UnitYear, UnitYear.unit_id == Unit.id)
         .where(UnitYear.year == year, scope_clause(user, Unit.station_id, Unit.county_id))
         .group_by(Unit.station_id, Unit.type, UnitYear.stage))
    return {(s, t, st): n for s, t, st, n in db.session.execute(q)}


def stage_history(user, year: int, dates) -> dict:
    """{date: {(station_id, type, stage): count}} for each China date in `dates`, within the user's scope:
    each unit's stage at the end of that date is its last lifecycle step (the highest id) made before the
    next midnight; a unit with no step by then is not counted. Counted by the unit's station and type now.

    One query for the year's steps in scope, then one walk in time order for every date: the pace chart asks
    for some 53 weekly dates, and one grouped query per date cost PostgreSQL about half a second each on
    the demo county (a dashboard took 26 s)."""
    cutoffs = sorted((china_midnight(d + timedelta(days=1)), d) for d in set(dates))
    if not cutoffs:
        return {}
    q = (sa.select(LifecycleEvent.at, LifecycleEvent.id, LifecycleEvent.unit_id, LifecycleEvent.to_stage,
                   Unit.station_id, Unit.type)
         .join(Unit, Unit.id == LifecycleEvent.unit_id)
         .where(LifecycleEvent.year == year, LifecycleEvent.at < cutoffs[-1][0],
                scope_clause(user, Unit.station_id, Unit.county_id))
         .order_by(LifecycleEvent.at, LifecycleEvent.id))
    steps = db.session.execute(q).all()
    latest: dict = {}  # unit_id -> (step id, cell key)
    counts: dict = {}
    out, i = {}, 0
    for cutoff, day in cutoffs:
        while i < len(steps) and steps[i].at < cutoff:
            step = steps[i]
            i += 1
            was = latest.get(step.unit_id)
            if was is not None and was[0] > step.id:
                continue  # a step recorded later with an earlier time does not undo the later one
            if was is not None:
                counts[was[1]] -= 1
            key = (step.station_id, step.type, step.to_stage)
            latest[step.unit_id] = (step.id, key)
            counts[key] = counts.get(key, 0) + 1
        out[day] = {k: n for k, n in counts.items() if n}
    return out


def _cells_by_station(counts: dict) -> dict:
    """{station_id: Cell of all types} from stage_counts."""
    cells = {}
    for (sid, _t, stage), n in counts.items():
        cells.setdefault(sid, Cell()).stages[stage] += n
    return cells


def dashboard(user, year: int, on: date | None = None) -> dict:
    """Every station × unit type against target, county totals, carriers and the deadlines."""
    on = on or today()
    stations = list_stations(user)
    due = milestone_dates(user, year)
    # As of each milestone that has come, from the dated history; today's counts beside them.
    history = stage_history(user, year, [d for d in due.values() if d < on])
    then = {k: _cells_by_station(history[d]) for k, d in due.items() if d < on}
    board = _board(stations, targets_for(user, year), stage_counts(user, year), then, carrier_counts(user, year),
                   due, on)
    return {"year": year, **board, "years": target_years(user), "milestones": milestones(user.county_id, year)}


def _board(stations, targets: dict, counts: dict, then: dict, carriers: dict, due: dict, on: date) -> dict:
    """One county's (or one station's) board from its fetched numbers: the rows per station, the totals,
    carriers and deadlines. The one assembly behind `dashboard` and each county of `rollup`."""
    rows, total = [], {t: Cell() for t in UNIT_TYPES}
    counted = {}
    for (sid, t, stage), n in counts.items():
        counted.setdefault(sid, []).append((t, stage, n))
    for st in stations:
        cells = {t: Cell(target=targets.get((st.id, t), 0)) for t in UNIT_TYPES}
        for t, stage, n in counted.get(st.id, ()):
            if t in cells:
                cells[t].stages[stage] = n
        all_types = Cell()
        for t, c in cells.items():
            all_types.add(c)
            total[t].add(c)
        rows.append({"station": st, "cells": cells, "all": all_types,
                     "carriers": {k: (carriers.get((st.id, k), 0), targets.get((st.id, k), 0))
                                  for k in CARRIER_KINDS},
                     "deadlines": _deadlines(all_types, due, on,
                                             {k: c.get(st.id, Cell()) for k, c in then.items()})})
    county_all = Cell()
    for c in total.values():
        county_all.add(c)
    carrier_totals = {}
    for k in CARRIER_KINDS:
        station_target = sum(targets.get((st.id, k), 0) for st in stations)
        carrier_totals[k] = (sum(carriers.get((st.id, k), 0) for st in stations),
                             targets.get((None, k), 0) + station_target)
    ids = {st.id for st in stations}
    return {"rows": rows, "total": total, "total_all": county_all, "carriers": carrier_totals,
            "deadlines": _deadlines(county_all, due, on,
                                    {k: _sum(v for sid, v in c.items() if sid in ids) for k, c in then.items()})}


def rollup(user, year: int, on: date | None = None) -> dict:
    """A city's or the province's view: every county's board (exactly what `dashboard` gives that county's
    admin, from the same counts) and their sum, in a handful of queries whatever the number of counties.

    Returns {"year", "years", "counties": [{"county", "board", "milestones"}], "total": {type: Cell},
    "total_all": Cell, "carriers": {kind: (n, target)}, "deadlines": [{key, label, done, today, target,
    gap, percent, due (the date when all counties share it, else None), as_of_due}]}. A county whose
    milestone date has not come counts today's number in `done`, as on its own board."""
    on = on or today()
    counties = region_counties(user)
    stations = list_stations(user)
    by_county = {}
    for st in stations:
        by_county.setdefault(st.county_id, []).append(st)
    targets = targets_by_county(user, year)
    dates = milestones_by_county([c.id for c in counties], year)
    due_of = {c.id: {"entry": dates[c.id].entry_due, "posted": dates[c.id].evaluation_due} for c in counties}
    county_of = {st.id: st.county_id for st in stations}
    counts = {}
    for key, n in stage_counts(user, year).items():
        counts.setdefault(county_of.get(key[0]), {})[key] = n
    carriers = carrier_counts(user, year)
    passed = sorted({d for due in due_of.values() for d in due.values() if d < on})
    history = {d: _cells_by_station(c) for d, c in stage_history(user, year, passed).items()}
    out, total, total_all = [], {t: Cell() for t in UNIT_TYPES}, Cell()
    carrier_totals = {k: (0, 0) for k in CARRIER_KINDS}
    deadlines = {d["key"]: {"key": d["key"], "label": d["label"], "done": 0, "today": 0, "target": 0,
                            "dues": set(), "as_of_due": False} for d in DEADLINES}
    for c in counties:
        mine = by_county.get(c.id, [])
        then = {k: history[d] for k, d in due_of[c.id].items() if d < on}
        board = _board(mine, targets.get(c.id, {}), counts.get(c.id, {}), then, carriers, due_of[c.id], on)
        out.append({"county": c, "board": board, "milestones": dates[c.id]})
        for t in UNIT_TYPES:
            total[t].add(board["total"][t])
        total_all.add(board["total_all"])
        for k, (n, target) in board["carriers"].items():
            carrier_totals[k] = (carrier_totals[k][0] + n, carrier_totals[k][1] + target)
        for d in board["deadlines"]:
            agg = deadlines[d["key"]]
            agg["done"] += d["done"]
            agg["today"] += d["today"]
            agg["target"] += d["target"]
            agg["dues"].add(d["due"])
            agg["as_of_due"] = agg["as_of_due"] or d["as_of_due"]
    for agg in deadlines.values():
        dues = agg.pop("dues")
        agg["due"] = next(iter(dues)) if len(dues) == 1 else None
        agg["gap"] = max(0, agg["target"] - agg["done"])
        agg["percent"] = _percent(agg["done"], agg["target"])
    return {"year": year, "years": target_years(user), "counties": out, "total": total, "total_all": total_all,
            "carriers": carrier_totals, "deadlines": list(deadlines.values())}


def _sum(cells) -> Cell:
    total = Cell()
    for c in cells:
        total.add(c)
    return total


def _deadlines(cell: Cell, due: dict, on: date, then: dict) -> list[dict]:
    """Each milestone: done on its date (from history, once it has come) and today, against target."""
    out = []
    for d in DEADLINES:
        now = sum(cell.stages[s] for s in d["stages"])
        past = then.get(d["key"])
        done = sum(past.stages[s] for s in d["stages"]) if past is not None else now
        out.append({"key": d["key"], "label": d["label"], "due": due[d["key"]], "done": done, "today": now,
                    "as_of_due": past is not None, "target": cell.target, "gap": max(0, cell.target - done),
                    "percent": _percent(done, cell.target), "days_left": (due[d["key"]] - on).days})
    return out
