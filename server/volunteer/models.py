"""A volunteer's assigned anonymous visit to a unit, and what the visit found once sent."""
from server.core.clock import utcnow
from server.extensions import db

ASSIGNMENT_STATUSES = {"open": "待暗访", "done": "已提交"}


class VolunteerAssignment(db.Model):
    """One anonymous visit: drawn at random by a county admin (server.volunteer.service.assign_visits) for a
    volunteer, to a unit whose sign is in force, due by a date. The visit's facts (time, place, photos) sit
    here once sent; its stars are an Evaluation (source "volunteer") that feeds the unit's record. Only
    county admins and the volunteer see the volunteer_id; station staff and the unit never do."""

    __tablename__ = "volunteer_assignment"

    id = db.Column(db.Integer, primary_key=True)
    county_id = db.Column(db.ForeignKey("county.id"), nullable=False)
    station_id = db.Column(db.ForeignKey("station.id"), nullable=False)
    unit_id = db.Column(db.ForeignKey("unit.id"), nullable=False, index=True)
    volunteer_id = db.Column(db.ForeignKey("user_account.id"), nullable=False, index=True)
    carrier_id = db.Column(db.ForeignKey("carrier.id"), nullable=True)
    due_date = db.Column(db.Date, nullable=False)
    status = db.Column(db.String(10), nullable=False, default="open")
    created_by_id = db.Column(db.ForeignKey("user_account.id"), nullable=False)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    # The visit, once sent: the phone's id for it (a resend is the same visit), when and where it was made.
    client_id = db.Column(db.String(40), nullable=True, unique=True)
    visited_at = db.Column(db.DateTime, nullable=True)
    submitted_at = db.Column(db.DateTime, nullable=True)
    lat = db.Column(db.Float, nullable=True)
    lng = db.Column(db.Float, nullable=True)
    accuracy_m = db.Column(db.Float, nullable=True)
    photos = db.Column(db.JSON, nullable=False, default=list)
    evaluation_id = db.Column(db.ForeignKey("evaluation.id"), nullable=True, unique=True)

    unit = db.relationship("Unit")
    volunteer = db.relationship("User", foreign_keys=[volunteer_id])
    evaluation = db.relationship("Evaluation")

    __table_args__ = (db.Index("ix_volunteer_assignment_unit_status", "unit_id", "status"),)
