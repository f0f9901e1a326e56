"""Patrol days and handled items, weekly look-backs, and published monthly bulletins."""
from server.core.clock import utcnow
from server.extensions import db


class PatrolMark(db.Model):
    """An item of a station's daily patrol marked handled, with a note."""

    __tablename__ = "patrol_mark"

    id = db.Column(db.Integer, primary_key=True)
    station_id = db.Column(db.ForeignKey("station.id"), nullable=False)
    day = db.Column(db.Date, nullable=False)
    item_key = db.Column(db.String(60), nullable=False)
    note = db.Column(db.String(500), nullable=False, default="")
    user_id = db.Column(db.ForeignKey("user_account.id"), nullable=False)
    at = db.Column(db.DateTime, nullable=False, default=utcnow)

    __table_args__ = (db.UniqueConstraint("station_id", "day", "item_key", name="uq_patrol_mark_station_day_item"),)


class PatrolDay(db.Model):
    """A station's daily patrol done: who, when, and what it found."""

    __tablename__ = "patrol_day"

    id = db.Column(db.Integer, primary_key=True)
    station_id = db.Column(db.ForeignKey("station.id"), nullable=False)
    day = db.Column(db.Date, nullable=False)
    items = db.Column(db.Integer, nullable=False)
    handled = db.Column(db.Integer, nullable=False)
    note = db.Column(db.String(500), nullable=False, default="")
    user_id = db.Column(db.ForeignKey("user_account.id"), nullable=False)
    at = db.Column(db.DateTime, nullable=False, default=utcnow)

    __table_args__ = (db.UniqueConstraint("station_id", "day", name="uq_patrol_day_station_day"),)


class Lookback(db.Model):
    """A station's weekly look-back: what was found, which follow-ups it created."""

    __tablename__ = "lookback"

    id = db.Column(db.Integer, primary_key=True)
    station_id = db.Column(db.ForeignKey("station.id"), nullable=False)
    week_start = db.Column(db.Date, nullable=False)
    summary = db.Column(db.JSON, nullable=False)
    user_id = db.Column(db.ForeignKey("user_account.id"), nullable=True)
    at = db.Column(db.DateTime, nullable=False, default=utcnow)

    __table_args__ = (db.UniqueConstraint("station_id", "week_start", name="uq_lookback_station_week"),)


class Bulletin(db.Model):
    """A monthly bulletin as generated: its figures are kept, so a published one never changes."""

    __tablename__ = "bulletin"

    id = db.Column(db.Integer, primary_key=True)
    county_id = db.Column(db.ForeignKey("county.id"), nullable=False)
    month = db.Column(db.String(7), nullable=False)
    data = db.Column(db.JSON, nullable=False)
    published = db.Column(db.Boolean, nullable=False, default=False)
    user_id = db.Column(db.ForeignKey("user_account.id"), nullable=True)
    at = db.Column(db.DateTime, nullable=False, default=utcnow)
