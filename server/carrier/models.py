"""Carriers and their member units."""
from server.core.changelog import scope_from
from server.core.clock import utcnow
from server.extensions import db

carrier_member = db.Table(
    "carrier_member",
    db.Column("carrier_id", db.ForeignKey("carrier.id"), primary_key=True),
    db.Column("unit_id", db.ForeignKey("unit.id"), primary_key=True),
)


class Carrier(db.Model):
    __tablename__ = "carrier"

    id = db.Column(db.Integer, primary_key=True)
    county_id = db.Column(db.ForeignKey("county.id"), nullable=False)
    station_id = db.Column(db.ForeignKey("station.id"), nullable=False, index=True)
    kind = db.Column(db.String(20), nullable=False)
    name = db.Column(db.String(120), nullable=False)
    address = db.Column(db.String(200), nullable=False, default="")
    leader_name = db.Column(db.String(60), nullable=False, default="")
    leader_phone = db.Column(db.String(30), nullable=False, default="")
    since_year = db.Column(db.Integer, nullable=False)
    active = db.Column(db.Boolean, nullable=False, default=True)
    version = db.Column(db.Integer, nullable=False, default=1)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    station = db.relationship("Station")
    members = db.relationship("Unit", secondary=carrier_member, order_by="Unit.name")

    __mapper_args__ = {"version_id_col": version}
    __sync__ = "carrier"

    def sync_scope(self, old: bool = False) -> tuple:
        return scope_from(self, old, "county_id", "station_id") + (None,)
