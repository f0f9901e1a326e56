"""A unit's whole story on its page (issue 15, item 6): its years and stages with the evidence of each step,
its signs and their history, inspections, rectifications, staff-recorded evaluations, consumers' evaluations (with their stars per 八有八无 pair and trend)
and complaints — each read through its own domain's rules of scope."""
import sqlalchemy as sa
from flask import url_for

from server.complaint.models import STATUSES as COMPLAINT_STATUSES
from server.extensions import db
from server.feedback.models import COMPLAINT_KINDS, Complaint
from server.feedback.record import unit_record
from server.inspection.models import CONCLUSIONS, Inspection, RECTIFICATION_STATUSES, Rectification
from server.inspection.service import list_inspections
from server.signage.models import ACTIONS, REVOKE_REASONS, STATUSES as SIGN_STATUSES
from server.signage.service import list_signs
from server.signage.state import STATES, sign_state
from server.station.service import scope_clause
from server.unit.models import EvaluationResult, LifecycleEvent
from server.visit.models import TASK_KINDS



def evidence_link(event: LifecycleEvent) -> str | None:
    """Where the record a step rests on is shown: an inspection, a sign, or the recorded result below."""
    if event.evidence_id is None:
        return None
    if event.evidence_type == "inspection":
        return url_for("admin.inspection_detail", inspection_id=event.evidence_id)
    if event.evidence_type in ("sign", "post", "revocation"):
        return url_for("admin.sign_detail", sign_id=event.evidence_id)
    if event.evidence_type == "evaluation_result":
        return f"#evaluation-{event.evidence_id}"
    return None


def story(user, unit) -> dict:
    """Everything the unit page shows below its profile, newest first in each part."""
    signs = list_signs(user, unit_id=unit.id)
    inspections = list_inspections(user, unit_id=unit.id, limit=100)
    superseded = set(db.session.scalars(sa.select(Inspection.supersedes_id).where(
        Inspection.supersedes_id.in_([i.id for i in inspections])))) if inspections else set()
    return {
        "signs": [{"sign": s, "state": STATES[sign_state(s)], "status": SIGN_STATUSES.get(s.status, s.status),
                   "reason": REVOKE_REASONS.get(s.revoke_reason or "", ""),
                   "history": [(e.at, ACTIONS.get(e.action, e.action), e.note) for e in s.events]} for s in signs],
        "inspections": inspections, "superseded": superseded,
        "rectifications": db.session.scalars(sa.select(Rectification).where(
            Rectification.unit_id == unit.id, scope_clause(user, Rectification.station_id, Rectification.county_id))
                                             .order_by(Rectification.id.desc()).limit(100)).all(),
        "evaluation_results": db.session.scalars(sa.select(EvaluationResult).where(
            EvaluationResult.unit_id == unit.id).order_by(EvaluationResult.id.desc())).all(),
        "consumer": unit_record(user, unit),
        "complaints": db.session.scalars(sa.select(Complaint).where(
            Complaint.unit_id == unit.id, scope_clause(user, Complaint.station_id, Complaint.county_id))
                                         .order_by(Complaint.id.desc()).limit(50)).all(),
        "evidence_link": evidence_link, "CONCLUSIONS": CONCLUSIONS, "COMPLAINT_KINDS": COMPLAINT_KINDS,
        "COMPLAINT_STATUSES": COMPLAINT_STATUSES, "RECTIFICATION_STATUSES": RECTIFICATION_STATUSES, "KINDS": TASK_KINDS,
    }
