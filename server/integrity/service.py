"""One truthful record (issue 15): list every contradiction between a unit's year, its evidence, its signs,
its business status, its station and the dashboard's counts. Each check is one SQL statement over the
whole county (or one year), so it runs at province scale; an empty list means the record holds.

The invariants, each a check below:
1. stage_history — a unit's stage in a year is its last lifecycle step's (counts as of a date rely on it).
2. certified_sign — a unit at 标识发放/标识张贴 holds exactly one sign of that year in force.
3. sign_stage — a sign in force belongs to a unit at 标识发放/标识张贴 in the sign's year.
4. evaluation_evidence — a unit at 后评价通过 or later has a passing post-evaluation of that year
   (a 合格 post-evaluation inspection that no correction replaced, or a passed recorded result).
5. posted_evidence — a unit at 标识张贴 has its sign in force confirmed posted.
6. ended — a unit whose business ended (歇业关闭、转让、注销) stands in no year and holds no sign in force.
7. station — a sign, an open task, an open rectification belong to their unit's station.
8. dashboard — per station, the dashboard's certified and posted counts equal the counts of signs in force
   (and posted) recomputed from the sign records.
"""
from typing import NamedTuple

import sqlalchemy as sa

from server.dashboard.service import stage_counts
from server.extensions import db
from server.inspection.models import Inspection, Rectification
from server.signage.models import Sign
from server.station.models import County
from server.unit.models import CERTIFIED, ENDING_STATUSES, EvaluationResult, LifecycleEvent, Unit, UnitYear
from server.visit.models import VisitTask

CHECKS = {
    "stage_history": "年度环节与环节记录不一致",
    "certified_sign": "已认定单位没有恰好一块本年度有效标识",
    "sign_stage": "有效标识所属单位的年度环节不是标识发放或标识张贴",
    "evaluation_evidence": "后评价通过及以后环节缺少合格的后评价记录",
    "posted_evidence": "标识张贴环节的标识未确认张贴",
    "ended": "已歇业关闭、转让或注销的单位仍在名单中或仍有有效标识",
    "station": "标识、任务或整改不在单位所属的所（分局）",
    "dashboard": "驾驶舱统计与标识记录重新统计的结果不一致",
}


class Problem(NamedTuple):
    """One contradiction: the check's key, the unit (or station for dashboard), the year, and what is wrong."""
    check: str
    unit_id: int | None
    year: int | None
    detail: str

    def text(self) -> str:
        where = f"单位{self.unit_id}" if self.unit_id else ""
        return f"[{CHECKS[self.check]}] {self.year or ''}{'年 ' if self.year else ''}{where} {self.detail}".strip()


class _CountyView(NamedTuple):
    """The dashboard's scope for a whole county, as a county admin sees it."""
    role: str
    county_id: int


def _years(col, year):
    return sa.true() if year is None else col == year


def check(county_id: int | None = None, year: int | None = None) -> list[Problem]:
    """Every contradiction in the county (or every county), optionally of one programme year."""
    counties = [county_id] if county_id else db.session.scalars(sa.select(County.id).order_by(County.id)).all()
    problems = []
    for cid in counties:
        problems += _unit_checks(cid, year) + _station_checks(cid) + _dashboard(cid, year)
    return problems


def _in_force(unit_col, year_col):
    return (sa.select(sa.func.count(Sign.id)).where(Sign.unit_id == unit_col, Sign.year == year_col,
                                                     Sign.status == "issued").scalar_subquery())


def _unit_checks(cid: int, year: int | None) -> list[Problem]:
    out = []
    in_county = sa.select(Unit.id).where(Unit.county_id == cid)
    uy = sa.select(UnitYear).where(UnitYear.unit_id.in_(in_county), _years(UnitYear.year, year))
    last = (sa.select(LifecycleEvent.to_stage).where(LifecycleEvent.unit_id == UnitYear.unit_id,
                                                     LifecycleEvent.year == UnitYear.year)
            .order_by(LifecycleEvent.id.desc()).limit(1).scalar_subquery())
    for r, last_stage in db.session.execute(uy.add_columns(last).where(
            sa.or_(last.is_(None), last != UnitYear.stage))).all():
        out.append(Problem("stage_history", r.unit_id, r.year, f"环节为{r.stage}，最后一条记录为{last_stage}"))
    for r, n in db.session.execute(uy.add_columns(_in_force(UnitYear.unit_id, UnitYear.year)).where(
            UnitYear.stage.in_(CERTIFIED), _in_force(UnitYear.unit_id, UnitYear.year) != 1)).all():
        out.append(Problem("certified_sign", r.unit_id, r.year, f"有效标识{n}块"))
    stage = (sa.select(UnitYear.stage).where(UnitYear.unit_id == Sign.unit_id, UnitYear.year == Sign.year)
             .scalar_subquery())
    for s, st in db.session.execute(sa.select(Sign, stage).where(
            Sign.county_id == cid, Sign.status == "issued", _years(Sign.year, year),
            sa.or_(stage.is_(None), stage.not_in(CERTIFIED)))).all():
        out.append(Problem("sign_stage", s.unit_id, s.year, f"标识{s.serial}有效，单位环节为{st or '未纳入'}"))
    corrected = sa.select(Inspection.supersedes_id).where(Inspection.supersedes_id.is_not(None))
    passed = sa.or_(
        sa.exists().where(EvaluationResult.unit_id == UnitYear.unit_id, EvaluationResult.year == UnitYear.year,
                          EvaluationResult.passed.is_(True)),
        sa.exists().where(Inspection.unit_id == UnitYear.unit_id, Inspection.year == UnitYear.year,
                          Inspection.kind == "post_evaluation", Inspection.conclusion == "pass",
                          Inspection.id.not_in(corrected)))
    for r in db.session.scalars(uy.where(UnitYear.stage.in_(("evaluated",) + CERTIFIED), ~passed)).all():
        out.append(Problem("evaluation_evidence", r.unit_id, r.year, f"环节为{r.stage}"))
    posted = sa.exists().where(Sign.unit_id == UnitYear.unit_id, Sign.year == UnitYear.year,
                               Sign.status == "issued", Sign.posted_at.is_not(None))
    for r in db.session.scalars(uy.where(UnitYear.stage == "sign_posted", ~posted)).all():
        out.append(Problem("posted_evidence", r.unit_id, r.year, "标识未确认张贴"))
    ended = sa.select(Unit.id).where(Unit.county_id == cid, Unit.business_status.in_(list(ENDING_STATUSES)))
    for r in db.session.scalars(sa.select(UnitYear).where(UnitYear.unit_id.in_(ended),
                                                          UnitYear.stage != "removed")).all():
        out.append(Problem("ended", r.unit_id, r.year, f"单位已终止经营，环节仍为{r.stage}"))
    for s in db.session.scalars(sa.select(Sign).where(Sign.unit_id.in_(ended), Sign.status == "issued")).all():
        out.append(Problem("ended", s.unit_id, s.year, f"单位已终止经营，标识{s.serial}仍有效"))
    return out


def _station_checks(cid: int) -> list[Problem]:
    out = []
    for model, label, where in ((Sign, "标识", sa.true()), (VisitTask, "任务", VisitTask.status == "open"),
                                (Rectification, "整改", Rectification.status == "open")):
        q = (sa.select(model.id, model.unit_id, model.station_id, Unit.station_id)
             .join(Unit, Unit.id == model.unit_id)
             .where(Unit.county_id == cid, model.station_id != Unit.station_id, where))
        for rid, unit_id, at, should in db.session.execute(q).all():
            out.append(Problem("station", unit_id, None, f"{label}{rid}在所{at}，单位在所{should}"))
    return out


def _dashboard(cid: int, year: int | None) -> list[Problem]:
    years = [year] if year else db.session.scalars(sa.select(UnitYear.year).distinct().join(
        Unit, Unit.id == UnitYear.unit_id).where(Unit.county_id == cid)).all()
    view = _CountyView("county_admin", cid)
    out = []
    for y in sorted(years):
        counted = {}
        for (sid, _t, stage), n in stage_counts(view, y).items():
            c = counted.setdefault(sid, [0, 0])
            c[0] += n if stage in CERTIFIED else 0
            c[1] += n if stage == "sign_posted" else 0
        recount = {}
        q = (sa.select(Sign.station_id, sa.func.count(sa.distinct(Sign.unit_id)),
                       sa.func.count(sa.distinct(sa.case((Sign.posted_at.is_not(None), Sign.unit_id)))))
             .where(Sign.county_id == cid, Sign.year == y, Sign.status == "issued").group_by(Sign.station_id))
        for sid, n, posted in db.session.execute(q):
            recount[sid] = [n, posted]
        for sid in set(counted) | set(recount):
            a, b = counted.get(sid, [0, 0]), recount.get(sid, [0, 0])
            if a != b:
                out.append(Problem("dashboard", None, y, f"所{sid}：驾驶舱 已认定{a[0]}、已张贴{a[1]}；"
                                                         f"按标识重算 {b[0]}、{b[1]}"))
    return out
