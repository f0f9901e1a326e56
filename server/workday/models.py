"""The working-day calendar and the deadline rules in force over time."""
from server.core.clock import utcnow
from server.extensions import db


class CalendarYear(db.Model):
    """A year whose holidays and adjusted working days are known (published by the State Council)."""

    __tablename__ = "calendar_year"

    year = db.Column(db.Integer, primary_key=True, autoincrement=False)
    source = db.Column(db.String(40), nullable=False)
    updated_by_id = db.Column(db.ForeignKey("user_account.id"), nullable=True)
    updated_at = db.Column(db.DateTime, nullable=False, default=utcnow)


class CalendarDay(db.Model):
    """An exception to the weekly rhythm: a holiday on a weekday, or a weekend day worked (调休)."""

    __tablename__ = "calendar_day"

    day = db.Column(db.Date, primary_key=True)
    is_workday = db.Column(db.Boolean, nullable=False)
    name = db.Column(db.String(40), nullable=False, default="")


class DeadlineRule(db.Model):
    """A period set by law, valid from a date: N working or calendar days, counted from the day after."""

    __tablename__ = "deadline_rule"

    id = db.Column(db.Integer, primary_key=True)
    code = db.Column(db.String(40), nullable=False)
    valid_from = db.Column(db.Date, nullable=False)
    valid_to = db.Column(db.Date, nullable=True)
    days = db.Column(db.Integer, nullable=False)
    working_days = db.Column(db.Boolean, nullable=False)
    extension_days = db.Column(db.Integer, nullable=False, default=0)
    label = db.Column(db.String(100), nullable=False)
    basis = db.Column(db.String(200), nullable=False)

    __table_args__ = (db.UniqueConstraint("code", "valid_from", name="uq_deadline_rule_code_from"),)
