"""A complaint's statutory due dates, derived in one place from the events recorded on it.

Every due date is computed from its event with the rules in force on the day the complaint or
report was received (server.workday.seed has the table), whatever day the later steps fall on:

- accept_due: the acceptance decision of a complaint, or a report's case decision, from receipt
  (a report's period restarts on the day a repeated report is merged into it: `clock_from`);
  testing/appraisal days of a report not counted (《市场监督管理行政处罚程序规定》 Art. 18).
- mediation_due: from acceptance; appraisal days not counted.
- notice_due: the termination notice, from the day mediation was terminated — only when it was
  terminated (failure, withdrawal); a successful mediation ends with an agreement (Art. 24).
- clue_due: a clue found during mediation, from the day it was found; its own extension and its own
  testing days; it runs whatever happens to the complaint.

Stored on the complaint for lists and alerts, and recomputed when a year's calendar is entered.
"""
from datetime import date, timedelta

import sqlalchemy as sa

from server.core.clock import china_date
from server.extensions import db
from server.feedback.models import Complaint
from server.workday.service import Deadline, deadline, on_year_changed

FIELDS = {"accept_due": "受理/立案决定", "mediation_due": "调解", "notice_due": "终止调解告知", "clue_due": "违法线索核查"}


def received_on(c: Complaint) -> date:
    """The day (China Standard Time) the complaint was received."""
    return china_date(c.received_at)


def accepted(c: Complaint) -> bool:
    """A complaint accepted for mediation (whatever happened after)."""
    return c.kind == "complaint" and c.decided_on is not None and c.status not in ("new", "rejected", "returned")


def compute(c: Complaint) -> dict[str, Deadline | None]:
    """{field: Deadline or None} from the events recorded on the complaint. Raises NoRule (422)."""
    rules_on = received_on(c)
    out: dict[str, Deadline | None] = dict.fromkeys(FIELDS)
    if c.kind == "complaint":
        out["accept_due"] = deadline("complaint_accept", received_on(c), rules_on=rules_on)
    else:
        start = (c.clock_from or received_on(c)) + timedelta(days=c.report_paused_days)
        out["accept_due"] = deadline("report_case_decision", start, extended=c.extended, rules_on=rules_on)
    if accepted(c):
        out["mediation_due"] = deadline("mediation_end", c.decided_on + timedelta(days=c.appraisal_days),
                                        rules_on=rules_on)
    if c.mediation_ended_on and c.outcome in ("failure", "withdrawn"):
        out["notice_due"] = deadline("mediation_end_notice", c.mediation_ended_on, rules_on=rules_on)
    if c.clue_found_on:
        out["clue_due"] = deadline("clue_verify", c.clue_found_on + timedelta(days=c.clue_paused_days),
                                   extended=c.clue_extended, rules_on=rules_on)
    return out


def running(c: Complaint) -> list[str]:
    """The fields whose period is still running (its event not yet done)."""
    out = []
    if c.status == "new":
        out.append("accept_due")
    if c.status == "accepted":
        out.append("mediation_due")
    if c.status == "mediation_ended":
        out.append("notice_due")
    if c.clue_found_on and not c.clue_verified_on:
        out.append("clue_due")
    return out


def apply(c: Complaint) -> list[tuple[str, date | None, date | None]]:
    """Store the due dates computed now; [(field, old, new)] of those that changed. ⚠ is set while a running
    period rests on a year whose holidays are not entered."""
    got = compute(c)
    changes = []
    for field, d in got.items():
        new = d.due if d else None
        if getattr(c, field) != new:
            changes.append((field, getattr(c, field), new))
            setattr(c, field, new)
    c.deadline_uncertain = any(got[f] is not None and got[f].uncertain for f in running(c))
    return changes


@on_year_changed
def recompute_for_year(year: int) -> int:
    """After a year's calendar is entered or changed: recompute every complaint whose periods may touch it,
    record each change in its history; returns how many complaints changed."""
    from server.complaint.models import ComplaintStep
    lo = date(year - 1, 9, 1)  # the longest period (30 working days, 60 days + appraisal) reaches a few months
    q = sa.select(Complaint).where(sa.or_(Complaint.deadline_uncertain.is_(True), Complaint.accept_due >= lo,
                                          Complaint.mediation_due >= lo, Complaint.notice_due >= lo,
                                          Complaint.clue_due >= lo))
    changed = 0
    for c in db.session.scalars(q):
        was = c.deadline_uncertain
        diff = apply(c)
        if diff or was != c.deadline_uncertain:
            changed += 1
            parts = [f"{FIELDS[f]}期限 {old.isoformat() if old else '—'} → {new.isoformat() if new else '—'}"
                     for f, old, new in diff]
            note = f"{year}年节假日安排已录入，按新日历重算：" + ("；".join(parts) if parts else "期限不变")
            if was and not c.deadline_uncertain:
                note += "；期限已确定"
            db.session.add(ComplaintStep(complaint_id=c.id, action="recomputed", note=note[:1000]))
    db.session.flush()
    return changed
