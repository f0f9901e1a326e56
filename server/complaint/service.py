"""Complaints and reports: intake, every handling step, validated and atomic.

Every step checks everything before it changes anything (its day: not in the future, not before
receipt or the step it follows), then changes the record, recomputes the due dates in one place
(server.complaint.dues, with the rules in force on the day of receipt) and records the step with
its day. The request commits all of it or, on any error, nothing.
"""
from datetime import date, timedelta

import sqlalchemy as sa

from server.account.models import User
from server.account.service import require_admin
from server.complaint import dues
from server.complaint.dues import received_on
from server.complaint.models import OUTCOMES, SOURCES, STATUSES, ComplaintStep
from server.core import uscc
from server.core.clock import china_text, today, utcnow
from server.core.errors import Invalid, NotFound
from server.extensions import db
from server.feedback.models import Complaint
from server.inspection.models import UnitFlag
from server.station.service import check_station_access, scope_clause
from server.station.models import Station
from server.unit.models import Unit


def step(c: Complaint, user, action: str, note: str = "", on: date | None = None) -> None:
    """Record a step of the handling, with the day it took effect."""
    db.session.add(ComplaintStep(complaint_id=c.id, action=action, note=(note or "")[:1000],
                                 user_id=getattr(user, "id", None), done_on=on or today()))


def set_deadlines(c: Complaint) -> None:
    """The due dates of a new record (acceptance for a complaint, the case decision for a report)."""
    dues.apply(c)


def check_day(c: Complaint, on: date | None, after: date | None, after_what: str, field: str = "on") -> date:
    """The day of a step: today when not given; never in the future, never before receipt or the step it
    follows (`after`, named `after_what`). Raises Invalid with the message on the field."""
    on = on or today()
    got = received_on(c)
    if on > today():
        msg = f"日期不能晚于今天（{today().isoformat()}）"
    elif on < got:
        msg = f"日期不能早于登记日期{got.isoformat()}"
    elif after and on < after:
        msg = f"日期不能早于{after_what}日期{after.isoformat()}"
    else:
        return on
    raise Invalid(msg, fields={field: [msg]})


def find_unit(user, text: str | None, unit_id: int | None = None) -> Unit | None:
    """The unit complained about, by id, credit code or exact name, within the user's scope.

    Raises Invalid on the field `unit` with a message that says what was wrong: not found, several
    units of that name, or a unit of another station."""
    text = (text or "").strip()
    if unit_id is None and not text:
        return None
    def bad(msg):
        raise Invalid(msg, fields={"unit": [msg]})
    if unit_id is not None:
        unit = db.session.get(Unit, unit_id)
        if unit is None or unit.county_id != user.county_id:
            bad(f"找不到编号为{unit_id}的单位")
    else:
        code = uscc.normalise(text)
        q = sa.select(Unit).where(Unit.county_id == user.county_id)
        found = db.session.scalars(q.where(Unit.uscc == code) if uscc.is_valid(code) else q.where(
            Unit.name == text)).all()
        if not found:
            bad(f"本县名单中没有统一社会信用代码为{code}的单位" if uscc.is_valid(code)
                else f"本县名单中没有名为“{text}”的单位（可输入单位全称或统一社会信用代码）")
        if len(found) > 1:
            bad(f"有{len(found)}家单位名为“{text}”，请改填统一社会信用代码")
        unit = found[0]
    if user.role != "county_admin" and unit.station_id != user.station_id:
        station = db.session.get(Station, unit.station_id)
        bad(f"“{unit.name}”属于{station.name}，不在本所（分局）管辖范围；请由县局登记或转交")
    return unit


def intake(user, data: dict) -> Complaint:
    """Register a complaint or report entered by staff (hotline, platform, counter), by the API or imported.

    data: kind, source, description, optional complainant_name/phone/complainant_address/demand, external_no,
    unit (name or credit code) or unit_id, station_id, received_at (naive UTC; now when missing, never in
    the future). Raises Invalid (per field) or NotFound (a station out of scope)."""
    require_admin(user)
    now = utcnow()
    received = data.get("received_at") or now
    if received > now + timedelta(minutes=5):
        raise Invalid("登记时间不能晚于现在", fields={"received_at": ["登记时间不能晚于现在"]})
    unit = find_unit(user, data.get("unit"), data.get("unit_id"))
    station_id = data.get("station_id") or (unit.station_id if unit else user.station_id)
    if station_id is None:
        msg = "请选择承办所（分局），或填写被投诉单位"
        raise Invalid(msg, fields={"station_id": [msg]})
    station = db.session.get(Station, station_id)
    check_station_access(user, station)
    if unit is not None and unit.station_id != station.id:
        msg = f"“{unit.name}”不属于{station.name}"
        raise Invalid(msg, fields={"unit": [msg]})
    c = Complaint(kind=data["kind"], unit_id=unit.id if unit else None, county_id=station.county_id,
                  station_id=station.id, description=data["description"], phone=data.get("phone", ""),
                  complainant_name=data.get("complainant_name", ""),
                  complainant_address=data.get("complainant_address", ""), demand=data.get("demand", ""),
                  external_no=data.get("external_no"), source=data["source"], status="new", received_at=received,
                  address_hash="", extended=False, clue_extended=False, appraisal_days=0, report_paused_days=0,
                  clue_paused_days=0)
    set_deadlines(c)  # before the insert: a date no rule covers writes nothing
    db.session.add(c)
    db.session.flush()
    step(c, user, "received", f"来源：{SOURCES.get(data['source'], data['source'])}", on=received_on(c))
    return c


def get_complaint(user, complaint_id: int) -> Complaint:
    """A complaint of the user's scope."""
    c = db.session.get(Complaint, complaint_id)
    if c is None or c.county_id != user.county_id or (user.role != "county_admin" and c.station_id != user.station_id):
        raise NotFound("找不到该投诉举报")
    return c


def _require(c: Complaint, kind: str, *statuses: str) -> None:
    if c.kind != kind or c.status not in statuses:
        raise Invalid(f"当前状态（{STATUSES.get(c.status, c.status)}）下不能进行该操作")


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
    allowed = {"complaint": ("accepted", "rejected"), "report": ("case_opened", "not_opened")}[c.kind]
    if decision not in allowed or c.status != "new":
        raise Invalid("当前状态下不能作出该决定")
    if decision in ("rejected", "not_opened") and not note.strip():
        raise Invalid("不予受理或不予立案须说明理由（投诉须告知其他解决途径）", fields={"note": ["请填写理由"]})
    on = check_day(c, on, c.clock_from, "重复举报合并")
    c.status, c.decided_on = decision, on
    dues.apply(c)
    if decision in ("rejected", "not_opened", "case_opened"):
        c.closed_at = utcnow()
    step(c, user, decision, note, on=on)
    return c


def extend(user, complaint_id: int, note: str) -> Complaint:
    """Record an approved extension: of a report's case decision, or of a clue's verification."""
    require_admin(user)
    c = get_complaint(user, complaint_id)
    if c.kind == "report" and c.status == "new" and not c.extended:
        c.extended = True
    elif c.clue_found_on and not c.clue_verified_on and not c.clue_extended:
        c.clue_extended = True
    else:
        raise Invalid("没有可以延长的期限")
    dues.apply(c)
    step(c, user, "extended", note)
    return c


def record_appraisal(user, complaint_id: int, days: int, note: str = "") -> Complaint:
    """Testing or appraisal time is not counted: in a complaint's mediation (Order No. 121 Art. 22), a report's
    case decision or a clue's check (《市场监督管理行政处罚程序规定》 Art. 18); moves that due date by the days."""
    require_admin(user)
    c = get_complaint(user, complaint_id)
    if not 1 <= days <= 365:
        raise Invalid("检测、鉴定天数应在1到365之间", fields={"days": ["检测、鉴定天数应在1到365之间"]})
    if c.kind == "complaint" and c.status == "accepted":
        c.appraisal_days += days
        what = "调解期限"
    elif c.kind == "report" and c.status == "new":
        c.report_paused_days += days
        what = "立案决定期限"
    elif c.clue_found_on and not c.clue_verified_on:
        c.clue_paused_days += days
        what = "线索核查期限"
    else:
        raise Invalid("没有正在计算、可以扣除检测鉴定时间的期限")
    dues.apply(c)
    step(c, user, "appraisal", f"{what}扣除{days}天 {note}".strip())
    return c


def record_clue(user, complaint_id: int, on: date | None, note: str = "") -> Complaint:
    """A violation clue found during mediation: it must be verified within 15 working days (its own clock)."""
    require_admin(user)
    c = get_complaint(user, complaint_id)
    _require(c, "complaint", "accepted", "mediation_ended", "closed")
    if c.clue_found_on:
        raise Invalid("已记录违法线索")
    on = check_day(c, on, c.decided_on, "受理")
    c.clue_found_on = on
    dues.apply(c)
    step(c, user, "clue", note, on=on)
    return c


def clue_verified(user, complaint_id: int, on: date | None, violation: bool, note: str = "") -> Complaint:
    """The clue checked, whether or not the complaint is closed; a confirmed violation counts against the unit."""
    require_admin(user)
    c = get_complaint(user, complaint_id)
    if not c.clue_found_on or c.clue_verified_on:
        raise Invalid("没有待核查的线索")
    on = check_day(c, on, c.clue_found_on, "发现线索")
    c.clue_verified_on = on
    dues.apply(c)
    step(c, user, "clue_verified", note, on=on)
    if violation:
        confirm_violation(user, c, note)
    return c


def end_mediation(user, complaint_id: int, outcome: str, on: date | None, note: str = "") -> Complaint:
    """Mediation ends. Success: an agreement (Order No. 121 Art. 24) and the complaint is done. Failure or
    withdrawal: mediation is terminated and the parties are told within 7 working days (Art. 23)."""
    require_admin(user)
    c = get_complaint(user, complaint_id)
    _require(c, "complaint", "accepted")
    if outcome not in OUTCOMES:
        raise Invalid("调解结果不正确", fields={"outcome": ["调解结果不正确"]})
    on = check_day(c, on, c.decided_on, "受理")
    c.outcome, c.mediation_ended_on = outcome, on
    if outcome == "success":
        c.status, c.closed_at = "closed", utcnow()
    else:
        c.status = "mediation_ended"
    dues.apply(c)
    step(c, user, "agreement" if outcome == "success" else "mediation_ended", f"{OUTCOMES[outcome]} {note}".strip(),
         on=on)
    return c


def notify_end(user, complaint_id: int, on: date | None, note: str = "") -> Complaint:
    """The parties told that mediation was terminated: the complaint is done."""
    require_admin(user)
    c = get_complaint(user, complaint_id)
    _require(c, "complaint", "mediation_ended")
    on = check_day(c, on, c.mediation_ended_on, "终止调解")
    c.status, c.notified_on, c.closed_at = "closed", on, utcnow()
    dues.apply(c)
    step(c, user, "notified", note, on=on)
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


def list_complaints(user, *, status=None, kind=None, station_id=None, page=1, per_page=None
                    ) -> tuple[list[Complaint], int]:
    """(complaints of the user's scope, newest first, one page of them — all when per_page is None; total)."""
    q = sa.select(Complaint).where(scope_clause(user, Complaint.station_id, Complaint.county_id))
    if status:
        q = q.where(Complaint.status == status)
    if kind:
        q = q.where(Complaint.kind == kind)
    if station_id:
        q = q.where(Complaint.station_id == station_id)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(q.subquery()))
    q = q.order_by(Complaint.received_at.desc(), Complaint.id.desc())
    if per_page:
        q = q.limit(per_page).offset((max(page, 1) - 1) * per_page)
    return db.session.scalars(q).all(), total


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
    """The deadlines still running: (what, due date); a clue's check runs even once the complaint is closed."""
    names = {"accept_due": "受理决定" if c.kind == "complaint" else "立案决定", "mediation_due": "调解",
             "notice_due": "终止调解告知", "clue_due": "违法线索核查"}
    return [(names[f], getattr(c, f)) for f in dues.running(c) if getattr(c, f)]


def open_clause():
    """Complaints with a clock running: not closed, or a clue still to verify."""
    return sa.or_(Complaint.closed_at.is_(None),
                  sa.and_(Complaint.clue_found_on.is_not(None), Complaint.clue_verified_on.is_(None)))


def deadline_alerts(user, day: date, soon_days: int = 3) -> dict:
    """How many running deadlines of the user's scope are past, and how many fall due within a few days."""
    rows = db.session.scalars(sa.select(Complaint).where(scope_clause(user, Complaint.station_id, Complaint.county_id),
                                                         open_clause())).all()
    dues = [d for c in rows for _, d in due_items(c)]
    return {"overdue": sum(1 for d in dues if d < day),
            "soon": sum(1 for d in dues if day <= d <= day + timedelta(days=soon_days))}


EXPORT_HEADER = ["编号", "工单编号", "类型", "收到时间", "所（分局）", "诉求人", "联系电话", "被投诉单位", "事实与理由",
                 "状态", "受理/立案期限", "受理/立案日期", "调解期限", "调解结果", "暂定期限（节假日未录入）"]


def export_rows(user, rows: list[Complaint]) -> list[list]:
    """Rows for an export under EXPORT_HEADER, in words; names and phones masked where the user may not see them."""
    stations = {s.id: s.name for s in db.session.scalars(sa.select(Station).where(
        Station.county_id == user.county_id))}
    out = []
    for c in rows:
        personal = may_see_personal(user, c)
        out.append([c.id, c.external_no or "", "投诉" if c.kind == "complaint" else "举报",
                    china_text(c.received_at), stations.get(c.station_id, ""),
                    c.complainant_name if personal else mask_name(c.complainant_name),
                    c.phone if personal else mask_phone(c.phone), c.unit.name if c.unit else "", c.description,
                    STATUSES.get(c.status, c.status), c.accept_due.isoformat() if c.accept_due else "",
                    c.decided_on.isoformat() if c.decided_on else "",
                    c.mediation_due.isoformat() if c.mediation_due else "", OUTCOMES.get(c.outcome, "") if c.outcome
                    else "", "是" if c.deadline_uncertain else ""])
    return out
