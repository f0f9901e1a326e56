"""Complaints and reports: intake, every handling step, and the deadlines of SAMR Order No. 121.

A complaint (投诉): accept or not within 7 working days of receipt; mediation ends without an
agreement 60 days after acceptance (appraisal days not counted); the end is notified within 7
working days; a violation clue found in mediation is verified within 15 working days (+15 with
approval). A report (举报): decide within 15 working days whether to open a case (+15 with
approval). Every period counts from the day after its event (server.workday.service).
"""
from datetime import date, timedelta

import sqlalchemy as sa

from server.account.models import User
from server.account.service import require_admin
from server.complaint.models import ComplaintStep
from server.core.clock import today, utcnow
from server.core.errors import Invalid, NotFound
from server.extensions import db
from server.feedback.models import Complaint
from server.inspection.models import UnitFlag
from server.station.service import check_station_access, scope_clause
from server.station.models import Station
from server.unit.models import Unit
from server.workday.service import deadline


def received_on(c: Complaint) -> date:
    """The day (China Standard Time) the complaint was received."""
    return (c.received_at + timedelta(hours=8)).date()


def step(c: Complaint, user, action: str, note: str = "") -> None:
    """Record a step of the handling."""
    db.session.add(ComplaintStep(complaint_id=c.id, action=action, note=(note or "")[:1000],
                                 user_id=getattr(user, "id", None)))


def set_deadlines(c: Complaint) -> None:
    """The first deadline of a new record: acceptance for a complaint, the case decision for a report."""
    code = "complaint_accept" if c.kind == "complaint" else "report_case_decision"
    d = deadline(code, received_on(c))
    c.accept_due, c.deadline_uncertain = d.due, d.uncertain


def intake(user, data: dict) -> Complaint:
    """Register a complaint or report entered by staff (hotline, platform, counter) or imported."""
    require_admin(user)
    unit = db.session.get(Unit, data["unit_id"]) if data.get("unit_id") else None
    station = db.session.get(Station, data.get("station_id") or (unit.station_id if unit else user.station_id))
    check_station_access(user, station)
    if unit is not None and unit.station_id != station.id:
        raise Invalid("被投诉单位不属于该所（分局）", fields={"unit_id": ["被投诉单位不属于该所（分局）"]})
    c = Complaint(kind=data["kind"], unit_id=unit.id if unit else None, county_id=station.county_id,
                  station_id=station.id, description=data["description"], phone=data.get("phone", ""),
                  complainant_name=data.get("complainant_name", ""), external_no=data.get("external_no"),
                  source=data["source"], status="new", received_at=data.get("received_at") or utcnow(),
                  address_hash="")
    db.session.add(c)
    db.session.flush()
    set_deadlines(c)
    step(c, user, "received", f"来源：{data['source']}")
    return c


def get_complaint(user, complaint_id: int) -> Complaint:
    """A complaint of the user's scope."""
    c = db.session.get(Complaint, complaint_id)
    if c is None or c.county_id != user.county_id or (user.role != "county_admin" and c.station_id != user.station_id):
        raise NotFound("找不到该投诉举报")
    return c


def _require(c: Complaint, kind: str, *statuses: str) -> None:
    if c.kind != kind or c.status not in statuses:
        raise Invalid("当前状态下不能进行该操作")


def assign(user, complaint_id: int, assignee_id: int) -> Complaint:
    """Give the complaint to a person of its station."""
    require_admin(user)
    c = get_complaint(user, complaint_id)
    person = db.session.get(User, assignee_id)
    if person is None or person.station_id != c.station_id or not person.active:
        raise Invalid("承办人须为该所（分局）在岗人员", fields={"assignee_id": ["承办人须为该所（分局）在岗人员"]})
    c.assignee_id = person.id
    step(c, user, "assigned", person.name)
    return c


def decide(user, complaint_id: int, decision: str, note: str = "", on: date | None = None) -> Complaint:
    """Accept or reject a complaint (with reasons and other remedies), or open a case on a report or not."""
    require_admin(user)
    c = get_complaint(user, complaint_id)
    on = on or today()
    allowed = {"complaint": ("accepted", "rejected"), "report": ("case_opened", "not_opened")}[c.kind]
    if decision not in allowed or c.status != "new":
        raise Invalid("当前状态下不能作出该决定")
    if decision in ("rejected", "not_opened") and not note.strip():
        raise Invalid("不予受理或不予立案须说明理由（投诉须告知其他解决途径）", fields={"note": ["请填写理由"]})
    c.status, c.decided_on = decision, on
    if decision == "accepted":
        d = deadline("mediation_end", on)
        c.mediation_due, c.deadline_uncertain = d.due, c.deadline_uncertain or d.uncertain
    if decision in ("rejected", "not_opened", "case_opened"):
        c.closed_at = utcnow()
    step(c, user, decision, note)
    return c


def extend(user, complaint_id: int, note: str) -> Complaint:
    """Record an approved extension: of a report's case decision, or of a clue's verification."""
    require_admin(user)
    c = get_complaint(user, complaint_id)
    if c.kind == "report" and c.status == "new" and not c.extended:
        c.accept_due = deadline("report_case_decision", received_on(c), extended=True).due
    elif c.clue_found_on and not c.clue_verified_on and not c.extended:
        c.clue_due = deadline("clue_verify", c.clue_found_on, extended=True).due
    else:
        raise Invalid("没有可以延长的期限")
    c.extended = True
    step(c, user, "extended", note)
    return c


def record_appraisal(user, complaint_id: int, days: int, note: str = "") -> Complaint:
    """Appraisal (鉴定) time is not counted in the mediation period: move its end by those days."""
    require_admin(user)
    c = get_complaint(user, complaint_id)
    _require(c, "complaint", "accepted")
    if not 1 <= days <= 365:
        raise Invalid("鉴定天数应在1到365之间", fields={"days": ["鉴定天数应在1到365之间"]})
    c.appraisal_days += days
    c.mediation_due = deadline("mediation_end", c.decided_on + timedelta(days=c.appraisal_days)).due
    step(c, user, "appraisal", f"{days}天 {note}")
    return c


def record_clue(user, complaint_id: int, on: date, note: str = "") -> Complaint:
    """A violation clue found during mediation: it must be verified within 15 working days."""
    require_admin(user)
    c = get_complaint(user, complaint_id)
    _require(c, "complaint", "accepted", "mediation_ended")
    c.clue_found_on, c.clue_due = on, deadline("clue_verify", on).due
    step(c, user, "clue", note)
    return c


def clue_verified(user, complaint_id: int, on: date, violation: bool, note: str = "") -> Complaint:
    """The clue checked; a confirmed violation counts against the unit."""
    require_admin(user)
    c = get_complaint(user, complaint_id)
    if not c.clue_found_on or c.clue_verified_on:
        raise Invalid("没有待核查的线索")
    c.clue_verified_on = on
    step(c, user, "clue_verified", note)
    if violation:
        confirm_violation(user, c, note)
    return c


def end_mediation(user, complaint_id: int, outcome: str, on: date, note: str = "") -> Complaint:
    """Mediation ends: success, failure or withdrawn; the end must be notified within 7 working days."""
    require_admin(user)
    c = get_complaint(user, complaint_id)
    _require(c, "complaint", "accepted")
    if outcome not in ("success", "failure", "withdrawn"):
        raise Invalid("调解结果不正确", fields={"outcome": ["调解结果不正确"]})
    c.status, c.outcome, c.mediation_ended_on = "mediation_ended", outcome, on
    c.notice_due = deadline("mediation_end_notice", on).due
    step(c, user, "mediation_ended", f"{outcome} {note}")
    return c


def notify_end(user, complaint_id: int, on: date, note: str = "") -> Complaint:
    """The complainant told that mediation ended: the complaint is done."""
    require_admin(user)
    c = get_complaint(user, complaint_id)
    _require(c, "complaint", "mediation_ended")
    c.status, c.notified_on, c.closed_at = "closed", on, utcnow()
    step(c, user, "notified", note)
    return c


def confirm_violation(user, c: Complaint, note: str = "") -> None:
    """A confirmed violation counts against the unit and is put to the station admin for removal."""
    c.violation_confirmed = True
    step(c, user, "violation", note)
    if c.unit_id:
        unit = db.session.get(Unit, c.unit_id)
        db.session.add(UnitFlag(unit_id=unit.id, station_id=unit.station_id, year=received_on(c).year,
                                kind="violation", note=f"投诉举报#{c.id}经核查确认违法：{note}"[:500]))


def steps(c: Complaint) -> list[ComplaintStep]:
    """The handling history, oldest first."""
    return db.session.scalars(sa.select(ComplaintStep).where(ComplaintStep.complaint_id == c.id)
                              .order_by(ComplaintStep.at, ComplaintStep.id)).all()


def list_complaints(user, *, status=None, kind=None, limit=300) -> list[Complaint]:
    """Complaints of the user's scope, newest first."""
    q = sa.select(Complaint).where(scope_clause(user, Complaint.station_id, Complaint.county_id))
    if status:
        q = q.where(Complaint.status == status)
    if kind:
        q = q.where(Complaint.kind == kind)
    return db.session.scalars(q.order_by(Complaint.received_at.desc(), Complaint.id.desc()).limit(limit)).all()


def may_see_personal(user, c: Complaint) -> bool:
    """Names and phone numbers: the handling station's admins and county admins only."""
    return user.role == "county_admin" or (user.role == "station_admin" and user.station_id == c.station_id)


def mask_phone(phone: str) -> str:
    """138****1234."""
    return phone[:3] + "****" + phone[-4:] if len(phone) >= 7 else "****"


def mask_name(name: str) -> str:
    """张**."""
    return (name[:1] + "*" * max(1, len(name) - 1)) if name else ""


def due_items(c: Complaint) -> list[tuple[str, date]]:
    """The deadlines still running: (what, due date)."""
    items = []
    if c.status == "new":
        items.append(("受理决定" if c.kind == "complaint" else "立案决定", c.accept_due))
    if c.status == "accepted" and c.mediation_due:
        items.append(("调解", c.mediation_due))
    if c.status == "mediation_ended" and c.notice_due:
        items.append(("终止调解告知", c.notice_due))
    if c.clue_found_on and not c.clue_verified_on:
        items.append(("违法线索核查", c.clue_due))
    return [(what, due) for what, due in items if due]


def deadline_alerts(user, day: date, soon_days: int = 3) -> dict:
    """How many running deadlines of the user's scope are past, and how many fall due within a few days."""
    rows = db.session.scalars(sa.select(Complaint).where(scope_clause(user, Complaint.station_id, Complaint.county_id),
                                                         Complaint.closed_at.is_(None))).all()
    dues = [d for c in rows for _, d in due_items(c)]
    return {"overdue": sum(1 for d in dues if d < day),
            "soon": sum(1 for d in dues if day <= d <= day + timedelta(days=soon_days))}


def export_rows(user, rows: list[Complaint]) -> list[list]:
    """Rows for an export; names and phone numbers masked where the user may not see them."""
    out = []
    for c in rows:
        personal = may_see_personal(user, c)
        out.append([c.id, c.external_no or "", "投诉" if c.kind == "complaint" else "举报",
                    (c.received_at + timedelta(hours=8)).strftime("%Y-%m-%d %H:%M"),
                    c.complainant_name if personal else mask_name(c.complainant_name),
                    c.phone if personal else mask_phone(c.phone), c.unit.name if c.unit else "", c.description,
                    c.status, c.accept_due.isoformat() if c.accept_due else "", c.outcome or ""])
    return out
