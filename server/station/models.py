"""Counties, stations and yearly targets."""
from server.core.clock import utcnow
from server.extensions import db

# What a target counts: the three unit types and the three carrier kinds.
UNIT_TYPES = {
    "general": "一般放心消费单位",
    "no_reason_return": "无理由退货单位",
    "factory": "放心工厂",
}
CARRIER_KINDS = {
    "district": "放心消费街区（商圈）",
    "village": "放心消费乡村",
    "liaison": "村级消费维权联络站（点）",
}
TARGET_KINDS = {**UNIT_TYPES, **CARRIER_KINDS}
# Levels above the counties: a city bureau (市局) oversees its counties, the province (省局) all of them.
REGION_KINDS = {"province": "省局", "city": "市局"}


class Region(db.Model):
    """A city or the province: the level above counties that looks at their progress (read-only)."""

    __tablename__ = "region"

    id = db.Column(db.Integer, primary_key=True)
    code = db.Column(db.String(40), nullable=False, unique=True)
    name = db.Column(db.String(60), nullable=False)
    kind = db.Column(db.String(20), nullable=False)
    parent_id = db.Column(db.ForeignKey("region.id"), nullable=True)


class County(db.Model):
    __tablename__ = "county"

    id = db.Column(db.Integer, primary_key=True)
    code = db.Column(db.String(40), nullable=False, unique=True)
    name = db.Column(db.String(60), nullable=False)
    authority = db.Column(db.String(80), nullable=False, default="")
    # The city the county belongs to (None: not yet placed; the province sees it all the same).
    region_id = db.Column(db.ForeignKey("region.id"), nullable=True, index=True)


class Station(db.Model):
    __tablename__ = "station"

    id = db.Column(db.Integer, primary_key=True)
    county_id = db.Column(db.ForeignKey("county.id"), nullable=False, index=True)
    code = db.Column(db.String(40), nullable=False)
    name = db.Column(db.String(60), nullable=False)
    position = db.Column(db.Integer, nullable=False, default=0)

    county = db.relationship(County)

    __table_args__ = (db.UniqueConstraint("county_id", "code", name="uq_station_county_code"),)


class Target(db.Model):
    """How many units or carriers of a kind a station (or, with no station, the county) must have in a year."""

    __tablename__ = "target"

    id = db.Column(db.Integer, primary_key=True)
    year = db.Column(db.Integer, nullable=False)
    county_id = db.Column(db.ForeignKey("county.id"), nullable=False)
    station_id = db.Column(db.ForeignKey("station.id"), nullable=True)
    kind = db.Column(db.String(20), nullable=False)
    count = db.Column(db.Integer, nullable=False)
    updated_at = db.Column(db.DateTime, nullable=False, default=utcnow, onupdate=utcnow)

    __table_args__ = (
        db.UniqueConstraint("year", "county_id", "station_id", "kind", name="uq_target_year_place_kind"),
        db.Index("ix_target_county_year", "county_id", "year"),
    )


class ProgrammeYear(db.Model):
    """A county's milestone dates for a programme year, editable by the county admin; absent means
    the plan's: entry 100% by 30 June, post-evaluation and signs posted by 30 November."""

    __tablename__ = "programme_year"

    id = db.Column(db.Integer, primary_key=True)
    county_id = db.Column(db.ForeignKey("county.id"), nullable=False)
    year = db.Column(db.Integer, nullable=False)
    entry_due = db.Column(db.Date, nullable=False)
    evaluation_due = db.Column(db.Date, nullable=False)
    updated_at = db.Column(db.DateTime, nullable=False, default=utcnow, onupdate=utcnow)

    __table_args__ = (db.UniqueConstraint("county_id", "year", name="uq_programme_year_county_year"),)
