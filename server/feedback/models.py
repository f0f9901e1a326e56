"""Evaluations and complaints left by consumers on a sign's public page."""
from server.core.clock import utcnow
from server.extensions import db

COMPLAINT_KINDS = {"complaint": "投诉", "report": "举报"}
COMPLAINT_STATUSES = {"new": "待处理"}
# Who left an evaluation: a consumer on the sign's page, or a 消费义工 on an assigned anonymous visit.
EVALUATION_SOURCES = {"consumer": "消费者评价", "volunteer": "消费义工暗访"}


class Evaluation(db.Model):
    """A consumer's experience: 1–5 stars, tags, a comment. No name, no phone, only a hash of the address."""

    __tablename__ = "evaluation"

    id = db.Column(db.Integer, primary_key=True)
    unit_id = db.Column(db.ForeignKey("unit.id"), nullable=False, index=True)
    sign_id = db.Column(db.ForeignKey("sign.id"), nullable=True)
    county_id = db.Column(db.ForeignKey("county.id"), nullable=False)
    station_id = db.Column(db.ForeignKey("station.id"), nullable=False)
    stars = db.Column(db.Integer, nullable=False)
    # Stars per 八有八无 pair ({pair code: 1–5}, the county's base standard; pairs not rated left out).
    pair_stars = db.Column(db.JSON, nullable=False, default=dict)
    tags = db.Column(db.JSON, nullable=False, default=list)
    comment = db.Column(db.String(500), nullable=False, default="")
    source = db.Column(db.String(10), nullable=False, default="consumer")
    address_hash = db.Column(db.String(32), nullable=False)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    unit = db.relationship("Unit")

    __table_args__ = (
        db.Index("ix_evaluation_address_created", "address_hash", "created_at"),
        db.Index("ix_evaluation_station_created", "station_id", "created_at"),
    )


class Complaint(db.Model):
    """A complaint (投诉) or report (举报) from the public page; handling comes later."""

    __tablename__ = "complaint"

    id = db.Column(db.Integer, primary_key=True)
    kind = db.Column(db.String(10), nullable=False, default="complaint")
    unit_id = db.Column(db.ForeignKey("unit.id"), nullable=True, index=True)
    sign_id = db.Column(db.ForeignKey("sign.id"), nullable=True)
    county_id = db.Column(db.ForeignKey("county.id"), nullable=False)
    station_id = db.Column(db.ForeignKey("station.id"), nullable=True)
    description = db.Column(db.String(1000), nullable=False)
    phone = db.Column(db.String(30), nullable=False)
    photo_sha256 = db.Column(db.String(64), nullable=True)
    source = db.Column(db.String(20), nullable=False, default="sign_page")
    status = db.Column(db.String(20), nullable=False, default="new")
    received_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    address_hash = db.Column(db.String(32), nullable=False)
    # Handling (server/complaint): who, what was decided and when, and the deadlines that run.
    complainant_name = db.Column(db.String(60), nullable=False, default="")
    complainant_address = db.Column(db.String(200), nullable=False, default="")
    demand = db.Column(db.String(500), nullable=False, default="")
    external_no = db.Column(db.String(40), nullable=True, index=True)
    assignee_id = db.Column(db.ForeignKey("user_account.id"), nullable=True)
    accept_due = db.Column(db.Date, nullable=True)
    decided_on = db.Column(db.Date, nullable=True)
    extended = db.Column(db.Boolean, nullable=False, default=False)
    mediation_due = db.Column(db.Date, nullable=True)
    appraisal_days = db.Column(db.Integer, nullable=False, default=0)
    clue_found_on = db.Column(db.Date, nullable=True)
    clue_due = db.Column(db.Date, nullable=True)
    clue_verified_on = db.Column(db.Date, nullable=True)
    mediation_ended_on = db.Column(db.Date, nullable=True)
    outcome = db.Column(db.String(10), nullable=True)
    notice_due = db.Column(db.Date, nullable=True)
    notified_on = db.Column(db.Date, nullable=True)
    closed_at = db.Column(db.DateTime, nullable=True)
    violation_confirmed = db.Column(db.Boolean, nullable=False, default=False)
    deadline_uncertain = db.Column(db.Boolean, nullable=False, default=False)
    clue_extended = db.Column(db.Boolean, nullable=False, default=False)
    # Testing / appraisal days not counted (行政处罚程序规定 Art. 18): a report's decision, a clue's check.
    report_paused_days = db.Column(db.Integer, nullable=False, default=0)
    clue_paused_days = db.Column(db.Integer, nullable=False, default=0)
    # A report's period restarted by merging a repeated report into it (Order No. 121 Art. 35).
    clock_from = db.Column(db.Date, nullable=True)
    merged_into_id = db.Column(db.ForeignKey("complaint.id"), nullable=True)

    unit = db.relationship("Unit", foreign_keys=[unit_id])

    __table_args__ = (
        db.Index("ix_complaint_address_received", "address_hash", "received_at"),
        db.Index("ix_complaint_station_received", "station_id", "received_at"),
    )
