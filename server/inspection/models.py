"""Inspections, their answers, rectification demands, and units flagged for removal."""
from server.core.clock import utcnow
from server.extensions import db

RESULTS = {"yes": "符合", "no": "不符合", "na": "不适用"}
CONCLUSIONS = {"pass": "合格", "rectify": "限期整改", "fail": "不合格"}
RECTIFICATION_STATUSES = {"open": "待整改", "closed": "已整改", "superseded": "已随更正撤回"}


class Inspection(db.Model):
    """A submitted visit. Immutable: a correction is a new inspection that supersedes it."""

    __tablename__ = "inspection"

    id = db.Column(db.Integer, primary_key=True)
    client_id = db.Column(db.String(36), nullable=False, unique=True)
    county_id = db.Column(db.ForeignKey("county.id"), nullable=False)
    station_id = db.Column(db.ForeignKey("station.id"), nullable=False)
    unit_id = db.Column(db.ForeignKey("unit.id"), nullable=False, index=True)
    task_id = db.Column(db.ForeignKey("visit_task.id"), nullable=True)
    inspector_id = db.Column(db.ForeignKey("user_account.id"), nullable=False)
    template_version_id = db.Column(db.ForeignKey("checklist_version.id"), nullable=False)
    kind = db.Column(db.String(20), nullable=False)
    year = db.Column(db.Integer, nullable=False)
    started_at = db.Column(db.DateTime, nullable=False)
    ended_at = db.Column(db.DateTime, nullable=False)
    lat = db.Column(db.Float, nullable=True)
    lng = db.Column(db.Float, nullable=True)
    accuracy_m = db.Column(db.Float, nullable=True)
    gps_missing_reason = db.Column(db.String(200), nullable=True)
    # Metres from the unit's recorded location to the fix, when both are known (issue 18, item 7).
    distance_m = db.Column(db.Float, nullable=True)
    conclusion = db.Column(db.String(10), nullable=False)
    summary = db.Column(db.String(1000), nullable=False, default="")
    signature_sha256 = db.Column(db.String(64), nullable=True)
    signer_name = db.Column(db.String(60), nullable=False, default="")
    # SHA-256 of what the owner signed (server/inspection/signing.py); None on records from before it.
    signed_hash = db.Column(db.String(64), nullable=True)
    signed_at = db.Column(db.DateTime, nullable=True)
    supersedes_id = db.Column(db.ForeignKey("inspection.id"), nullable=True, unique=True)
    # Why a correction replaces the record it supersedes (required of every correction, issue 18, item 4).
    correction_reason = db.Column(db.String(500), nullable=True)
    # Who made a correction: the inspector themself, or a station (county) admin; inspector_id stays the
    # visit's inspector either way.
    corrected_by_id = db.Column(db.ForeignKey("user_account.id"), nullable=True)
    # The station admin who imported this record from an inspector's rescue file, when not its author (item 5).
    imported_by_id = db.Column(db.ForeignKey("user_account.id"), nullable=True)
    photos = db.Column(db.JSON, nullable=False, default=list)
    submitted_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    unit = db.relationship("Unit")
    inspector = db.relationship("User", foreign_keys=[inspector_id])
    imported_by = db.relationship("User", foreign_keys=[imported_by_id])
    corrected_by = db.relationship("User", foreign_keys=[corrected_by_id])
    template_version = db.relationship("ChecklistVersion")
    answers = db.relationship("InspectionAnswer", order_by="InspectionAnswer.position", cascade="all")
    rectifications = db.relationship("Rectification", foreign_keys="Rectification.inspection_id",
                                     order_by="Rectification.id", cascade="all")
    supersedes = db.relationship("Inspection", remote_side=[id])

    __table_args__ = (db.Index("ix_inspection_station_submitted", "station_id", "submitted_at"),)
    __sync__ = "inspection"

    def sync_scope(self, old: bool = False) -> tuple:
        """The inspector's own devices hear of their inspections."""
        return (self.county_id, self.station_id, self.inspector_id)


class InspectionAnswer(db.Model):
    """One item's answer. Written once with its inspection, whose audit entry covers it."""

    __tablename__ = "inspection_answer"
    __audit__ = False

    id = db.Column(db.Integer, primary_key=True)
    inspection_id = db.Column(db.ForeignKey("inspection.id"), nullable=False, index=True)
    position = db.Column(db.Integer, nullable=False)
    item_code = db.Column(db.String(40), nullable=False)
    result = db.Column(db.String(4), nullable=False)
    note = db.Column(db.String(500), nullable=False, default="")
    photos = db.Column(db.JSON, nullable=False, default=list)


class Rectification(db.Model):
    """A demand made on a unit, due by a date; closed by a later passing follow-up."""

    __tablename__ = "rectification"

    id = db.Column(db.Integer, primary_key=True)
    # The inspection that demanded it, or the assessment finding it answers (one of the two).
    inspection_id = db.Column(db.ForeignKey("inspection.id"), nullable=True, index=True)
    finding_id = db.Column(db.ForeignKey("finding.id"), nullable=True, index=True)
    county_id = db.Column(db.ForeignKey("county.id"), nullable=False)
    station_id = db.Column(db.ForeignKey("station.id"), nullable=False)
    unit_id = db.Column(db.ForeignKey("unit.id"), nullable=False, index=True)
    item_code = db.Column(db.String(40), nullable=True)
    demand = db.Column(db.String(500), nullable=False)
    due_date = db.Column(db.Date, nullable=False)
    status = db.Column(db.String(10), nullable=False, default="open")
    follow_up_task_id = db.Column(db.ForeignKey("visit_task.id"), nullable=True)
    closed_at = db.Column(db.DateTime, nullable=True)
    closed_by_inspection_id = db.Column(db.ForeignKey("inspection.id"), nullable=True)

    __sync__ = "inspection"

    def sync_key(self) -> tuple:
        """A demand travels inside its inspection: a status change sends the inspection again, so a
        rectification closed on the server is closed on the phone too (issue 18, item 3). A demand made
        from an assessment finding (no inspection) travels inside its follow-up task, whose note lists it."""
        if self.inspection_id is None:
            return ("task", self.follow_up_task_id)
        return ("inspection", self.inspection_id)

    def sync_scope(self, old: bool = False) -> tuple:
        """The devices of the inspection's inspector (or, for a finding's demand, its follow-up's)."""
        if self.inspection_id is None:
            from server.visit.models import VisitTask
            assignee = db.session.connection().execute(
                db.select(VisitTask.assignee_id).where(VisitTask.id == self.follow_up_task_id)).scalar()
            return (self.county_id, self.station_id, assignee)
        inspector = db.session.connection().execute(
            db.select(Inspection.inspector_id).where(Inspection.id == self.inspection_id)).scalar()
        return (self.county_id, self.station_id, inspector)


class UnitFlag(db.Model):
    """Something a station admin must decide on, e.g. a unit failing twice in a year (移出建议)."""

    __tablename__ = "unit_flag"

    id = db.Column(db.Integer, primary_key=True)
    unit_id = db.Column(db.ForeignKey("unit.id"), nullable=False, index=True)
    station_id = db.Column(db.ForeignKey("station.id"), nullable=False, index=True)
    year = db.Column(db.Integer, nullable=False)
    kind = db.Column(db.String(30), nullable=False)
    note = db.Column(db.String(500), nullable=False, default="")
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    resolved_at = db.Column(db.DateTime, nullable=True)
    resolved_by_id = db.Column(db.ForeignKey("user_account.id"), nullable=True)

    unit = db.relationship("Unit")
