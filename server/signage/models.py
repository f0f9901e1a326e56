"""Signs and their history."""
from server.core.clock import utcnow
from server.extensions import db

# The title printed on a sign, by unit type.
SIGN_TITLES = {
    "general": "放心消费单位",
    "no_reason_return": "无理由退货承诺单位",
    "factory": "放心工厂",
}
STATUSES = {"issued": "有效", "replaced": "已更换", "revoked": "已撤销"}
REVOKE_REASONS = {
    "unit_removed": "单位已移出",
    "violations": "存在违法违规行为",
    "failed_evaluation": "后评价不合格",
    "closed": "歇业关闭",
    "lost_damaged": "标识遗失或损毁",
    "stage_back": "年度环节退回",
    "other": "其他原因",
}
# A unit's removal (lifecycle) reason, as the reason its signs are revoked.
REMOVAL_TO_REVOKE = {"violations": "violations", "failed_evaluation": "failed_evaluation",
                     "closed": "closed", "deregistered": "closed", "transferred": "closed"}
ACTIONS = {"issue": "发放", "print": "打印", "reprint": "补打", "replace": "更换", "replaced": "被更换",
           "revoke": "撤销", "post": "确认张贴", "unpost": "撤回张贴确认"}


class Sign(db.Model):
    """One printed sign: its serial for people, its token for the QR code, and where it stands."""

    __tablename__ = "sign"

    id = db.Column(db.Integer, primary_key=True)
    county_id = db.Column(db.ForeignKey("county.id"), nullable=False)
    station_id = db.Column(db.ForeignKey("station.id"), nullable=False)
    unit_id = db.Column(db.ForeignKey("unit.id"), nullable=False, index=True)
    year = db.Column(db.Integer, nullable=False)
    type = db.Column(db.String(20), nullable=False)
    seq = db.Column(db.Integer, nullable=False)
    serial = db.Column(db.String(30), nullable=False, unique=True)
    token = db.Column(db.String(24), nullable=False, unique=True)
    status = db.Column(db.String(10), nullable=False, default="issued")
    # Set at issuance from the county's next programme year's post-evaluation deadline; a replacement
    # keeps its predecessor's date. After it the public page says 已过期.
    valid_until = db.Column(db.Date, nullable=False)
    issued_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    issued_by = db.Column(db.ForeignKey("user_account.id"), nullable=True)
    print_count = db.Column(db.Integer, nullable=False, default=0)
    posted_at = db.Column(db.DateTime, nullable=True)
    posted_by = db.Column(db.ForeignKey("user_account.id"), nullable=True)
    posted_photo_sha256 = db.Column(db.String(64), nullable=True)
    revoked_at = db.Column(db.DateTime, nullable=True)
    revoke_reason = db.Column(db.String(20), nullable=True)
    replaced_by_id = db.Column(db.ForeignKey("sign.id"), nullable=True)

    unit = db.relationship("Unit")
    station = db.relationship("Station")
    events = db.relationship("SignEvent", order_by="SignEvent.id", back_populates="sign")

    __sync__ = "sign"
    __table_args__ = (
        db.UniqueConstraint("county_id", "year", "seq", name="uq_sign_county_year_seq"),
        db.Index("ix_sign_station_year", "station_id", "year"),
    )

    def sync_scope(self, old: bool = False) -> tuple:
        """Devices of the unit's station hear of its signs."""
        return (self.county_id, self.station_id, None)


class SignEvent(db.Model):
    """Something done to a sign: issued, printed, replaced, revoked, posted — who, when, why."""

    __tablename__ = "sign_event"

    id = db.Column(db.Integer, primary_key=True)
    sign_id = db.Column(db.ForeignKey("sign.id"), nullable=False, index=True)
    action = db.Column(db.String(10), nullable=False)
    reason = db.Column(db.String(20), nullable=True)
    note = db.Column(db.String(500), nullable=False, default="")
    user_id = db.Column(db.ForeignKey("user_account.id"), nullable=True)
    at = db.Column(db.DateTime, nullable=False, default=utcnow)

    sign = db.relationship(Sign, back_populates="events")
    user = db.relationship("User")
