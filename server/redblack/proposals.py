"""红黑榜 candidates proposed from the records: for a draft's period, the units of the county that meet each
criterion that has a rule, with the evidence in words (issue 19, item 2: the criteria shown with each entry).

The criteria are data (table red_black_criterion); the rule behind each standard code is here, one query
each, over the period's China dates [start, end]. A criterion a county added, or one that only a person can
judge (违背放心消费承诺), has no rule and is chosen by hand. The county admin decides: a proposal is only a
proposal until it is added to the draft.

- Red: a unit whose sign is in force on the period's last day, with no verified complaint in the period,
  and at least one of: an average of HIGH_RATING stars or more over at least RED_MIN_EVALUATIONS consumer
  evaluations in the period (消费者评价高); a passed post-evaluation in the period (承诺履行良好); a 党员 tag
  (示范带头). "期内无查实的投诉举报" is named with it, since it holds.
- Black: removed in the period for repeated violations; a rectification due in the period left open past
  its date or closed late; a complaint or report received in the period and found a violation.
A unit already on the draft, or that meets both sides, is not proposed for red.
"""
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from server.core.clock import china_date, china_midnight, today
from server.directory.service import TAGS
from server.extensions import db
from server.feedback.models import Complaint, Evaluation
from server.inspection.models import Rectification
from server.redblack.models import RedBlackList
from server.signage.models import Sign
from server.signage.state import in_force_clause
from server.unit.models import LifecycleEvent, Unit

HIGH_RATING = 4.5  # stars, the standard criterion's wording (消费者评价高（期内平均4.5星及以上）)
RED_MIN_EVALUATIONS = 3  # fewer evaluations say too little for a public red list
QUALIFYING_RED = ("high_rating", "commitment_kept", "exemplary_tag")


@dataclass
class Proposal:
    """A unit proposed for one side: the criteria it meets and what shows it, in words."""

    unit: Unit
    side: str
    criteria: list[str] = field(default_factory=list)
    evidence: list[str] = field(default_factory=list)


def _utc_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """The period's China days as stored UTC instants: [start 00:00, the day after end 00:00) China time."""
    return china_midnight(start), china_midnight(end + timedelta(days=1))


def _high_rating(county_id: int, start: date, end: date) -> dict[int, str]:
    lo, hi = _utc_bounds(start, end)
    rows = db.session.execute(
        sa.select(Evaluation.unit_id, sa.func.avg(Evaluation.stars), sa.func.count(Evaluation.id))
        .join(Unit, Unit.id == Evaluation.unit_id)
        .where(Unit.county_id == county_id, Evaluation.created_at >= lo, Evaluation.created_at < hi)
        .group_by(Evaluation.unit_id)
        .having(sa.func.count(Evaluation.id) >= RED_MIN_EVALUATIONS, sa.func.avg(Evaluation.stars) >= HIGH_RATING))
    return {u: f"期内{n}条评价，平均{float(avg):.1f}星" for u, avg, n in rows}


def _commitment_kept(county_id: int, start: date, end: date) -> dict[int, str]:
    lo, hi = _utc_bounds(start, end)
    rows = db.session.execute(
        sa.select(LifecycleEvent.unit_id, sa.func.max(LifecycleEvent.at)).join(Unit, Unit.id == LifecycleEvent.unit_id)
        .where(Unit.county_id == county_id, LifecycleEvent.to_stage == "evaluated",
               LifecycleEvent.at >= lo, LifecycleEvent.at < hi).group_by(LifecycleEvent.unit_id))
    return {u: f"{china_date(at):%Y-%m-%d}后评价通过" for u, at in rows}


def _exemplary_tag(county_id: int, start: date, end: date) -> dict[int, str]:
    rows = db.session.execute(sa.select(Unit.id, Unit.tags).where(Unit.county_id == county_id))
    found = {}
    for unit_id, tags in rows:
        mine = [t for t in (tags or []) if t in TAGS]
        if mine:
            found[unit_id] = "、".join(mine)
    return found


def _verified_complaints(county_id: int, start: date, end: date) -> dict[int, str]:
    lo, hi = _utc_bounds(start, end)
    rows = db.session.execute(
        sa.select(Complaint.unit_id, sa.func.count(Complaint.id))
        .where(Complaint.county_id == county_id, Complaint.unit_id.is_not(None), Complaint.violation_confirmed.is_(True),
               Complaint.received_at >= lo, Complaint.received_at < hi).group_by(Complaint.unit_id))
    return {u: f"期内{n}件投诉举报经查属实" for u, n in rows}


def _removed_violations(county_id: int, start: date, end: date) -> dict[int, str]:
    lo, hi = _utc_bounds(start, end)
    rows = db.session.execute(
        sa.select(LifecycleEvent.unit_id, sa.func.max(LifecycleEvent.at)).join(Unit, Unit.id == LifecycleEvent.unit_id)
        .where(Unit.county_id == county_id, LifecycleEvent.to_stage == "removed", LifecycleEvent.reason == "violations",
               LifecycleEvent.at >= lo, LifecycleEvent.at < hi).group_by(LifecycleEvent.unit_id))
    return {u: f"{china_date(at):%Y-%m-%d}因多次违法违规被移出" for u, at in rows}


def _rectification_overdue(county_id: int, start: date, end: date) -> dict[int, str]:
    """Due in the period before its last day (or before today, while it runs), and left open past the date
    or closed after it."""
    cutoff = min(end, today())
    rows = db.session.execute(
        sa.select(Rectification.unit_id, Rectification.due_date, Rectification.status, Rectification.closed_at)
        .where(Rectification.county_id == county_id, Rectification.due_date >= start, Rectification.due_date < cutoff,
               Rectification.status.in_(("open", "closed"))))
    found: dict[int, list[date]] = {}
    for unit_id, due, status, closed_at in rows:
        if status == "open" or (closed_at is not None and china_date(closed_at) > due):
            found.setdefault(unit_id, []).append(due)
    return {u: f"{len(d)}项整改逾期（最早期限{min(d):%Y-%m-%d}）" for u, d in found.items()}


RULES = {
    "high_rating": _high_rating,
    "commitment_kept": _commitment_kept,
    "exemplary_tag": _exemplary_tag,
    "verified_complaints": _verified_complaints,
    "removed_violations": _removed_violations,
    "rectification_overdue": _rectification_overdue,
}


def _in_force(county_id: int, on: date) -> set[int]:
    """Units of the county holding a sign in force on `on` (signage.state.in_force_clause, the one rule)."""
    return set(db.session.scalars(sa.select(Sign.unit_id).where(Sign.county_id == county_id, in_force_clause(on))))


def unmet(rb: RedBlackList, unit_id: int, side: str, codes: list[str]) -> list[str]:
    """What keeps a unit off a draft's side with these criteria, in words ([] if nothing): each criterion with a
    rule that does not hold for the unit in the period; for red, no sign in force on the period's last day or a
    verified complaint in the period. Criteria without a rule are a person's judgement and pass."""
    from server.redblack.service import criterion_labels
    labels = criterion_labels()
    start, end = rb.period_start, rb.period_end
    out = [f"该单位本期不符合“{labels.get(code, code)}”" for code in codes
           if code in RULES and unit_id not in RULES[code](rb.county_id, start, end)]
    if side == "red":
        if unit_id not in _in_force(rb.county_id, end):
            out.append("该单位期末没有有效的放心消费标识，不能列入红榜")
        if unit_id in _verified_complaints(rb.county_id, start, end):
            out.append("该单位本期有查实的投诉举报，不能列入红榜")
    return out


def propose(rb: RedBlackList) -> list[Proposal]:
    """Candidates for a draft: black ones first, then red, each side's units meeting the most criteria first,
    each unit once per side, not those already on it.

    `rb` is a list the caller may manage (service.get_list). Returns Proposals with the active criteria's
    codes that have a rule here and hold for the unit, and the evidence of each in words.
    """
    from server.redblack.service import criteria
    active = {c.code: c.side for c in criteria()}
    met = {code: RULES[code](rb.county_id, rb.period_start, rb.period_end) for code in active if code in RULES}
    listed = {e.unit_id for e in rb.entries}
    black: dict[int, Proposal] = {}
    for code in [c for c in met if active[c] == "black"]:
        for unit_id, words in met[code].items():
            p = black.setdefault(unit_id, Proposal(unit=None, side="black"))
            p.criteria.append(code)
            p.evidence.append(words)
    complained = met.get("verified_complaints", {})
    if "verified_complaints" not in met:  # the rule is kept even when the county retired the black criterion
        complained = _verified_complaints(rb.county_id, rb.period_start, rb.period_end)
    in_force = _in_force(rb.county_id, rb.period_end)
    red: dict[int, Proposal] = {}
    for code in [c for c in QUALIFYING_RED if c in met]:
        for unit_id, words in met[code].items():
            if unit_id in black or unit_id in complained or unit_id not in in_force:
                continue
            p = red.setdefault(unit_id, Proposal(unit=None, side="red"))
            p.criteria.append(code)
            p.evidence.append(words)
    if "no_verified_complaint" in active:
        for p in red.values():
            p.criteria.append("no_verified_complaint")
            p.evidence.append("期内无查实的投诉举报")
    wanted = [(uid, p) for uid, p in list(black.items()) + list(red.items()) if uid not in listed]
    units = {u.id: u for u in db.session.scalars(sa.select(Unit).where(Unit.id.in_([uid for uid, _ in wanted])))}
    for uid, p in wanted:
        p.unit = units[uid]
    return [p for _, p in sorted(wanted, key=lambda w: (w[1].side != "black", -len(w[1].criteria), w[1].unit.name))]
