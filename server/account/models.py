"""Users, their device tokens, and login attempts (for rate limiting across processes)."""
from flask_login import UserMixin

from server.core.clock import utcnow
from server.extensions import db

# The roles of a county's accounts (what its admins may give); above them, the region roles.
COUNTY_ROLES = {
    "county_admin": "县局管理员",
    "station_admin": "所（分局）管理员",
    "inspector": "执法人员",
    "volunteer": "消费义工",
}
ROLES = {**COUNTY_ROLES, "city": "市局（查看各县进度）", "province": "省局（查看各县进度）"}
ADMIN_ROLES = ("county_admin", "station_admin")  # they manage the programme; inspectors record visits
# Above the counties: they read the counties' progress and the roll-up, masked, and change nothing
# (server.region; the request gate in server.web keeps them to those pages).
REGION_ROLES = ("city", "province")
# Accounts of the county, not of a station: county admins, and 消费义工 (volunteer consumers registered by the
# county, who see their own assigned visits and nothing of the bureau's internals: server.web's gate).
STATIONLESS_ROLES = ("county_admin", "volunteer")


class User(UserMixin, db.Model):
    __tablename__ = "user_account"

    id = db.Column(db.Integer, primary_key=True)
    username = db.Column(db.String(60), nullable=False, unique=True)
    name = db.Column(db.String(60), nullable=False)
    phone = db.Column(db.String(30), nullable=False, default="")
    role = db.Column(db.String(20), nullable=False)
    # Every county, station and inspector account belongs to a county; a city or province account to a
    # region instead (county_id None).
    county_id = db.Column(db.ForeignKey("county.id"), nullable=True, index=True)
    station_id = db.Column(db.ForeignKey("station.id"), nullable=True, index=True)
    region_id = db.Column(db.ForeignKey("region.id"), nullable=True)
    password_hash = db.Column(db.String(200), nullable=False)
    active = db.Column(db.Boolean, nullable=False, default=True)
    # Bumped on password change or deactivation: old cookie sessions stop working.
    session_epoch = db.Column(db.Integer, nullable=False, default=0)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    station = db.relationship("Station")
    county = db.relationship("County")
    region = db.relationship("Region")

    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str:
        return f"{self.id}:{self.session_epoch}"

    @property
    def is_county(self) -> bool:
        return self.role == "county_admin"

    @property
    def is_region(self) -> bool:
        return self.role in REGION_ROLES

    @property
    def is_volunteer(self) -> bool:
        return self.role == "volunteer"

    @property
    def role_label(self) -> str:
        return ROLES.get(self.role, self.role)


class DeviceToken(db.Model):
    """A bearer token for the API; only its SHA-256 is stored."""

    __tablename__ = "device_token"

    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.ForeignKey("user_account.id"), nullable=False, index=True)
    name = db.Column(db.String(80), nullable=False)
    token_hash = db.Column(db.String(64), nullable=False, unique=True)
    prefix = db.Column(db.String(12), nullable=False)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    last_used_at = db.Column(db.DateTime, nullable=True)
    revoked_at = db.Column(db.DateTime, nullable=True)
    revoked_by_id = db.Column(db.ForeignKey("user_account.id"), nullable=True)

    user = db.relationship(User, foreign_keys=[user_id])


class LoginAttempt(db.Model):
    __tablename__ = "login_attempt"
    __audit__ = False

    id = db.Column(db.Integer, primary_key=True)
    username = db.Column(db.String(60), nullable=False)
    address = db.Column(db.String(64), nullable=False)
    at = db.Column(db.DateTime, nullable=False, default=utcnow)
    success = db.Column(db.Boolean, nullable=False)

    __table_args__ = (
        db.Index("ix_login_attempt_username_at", "username", "at"),
        db.Index("ix_login_attempt_address_at", "address", "at"),
    )
