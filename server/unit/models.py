"""Units, the history of their changes, and their lifecycle per year."""
from sqlalchemy.orm import object_session

from server.core.changelog import scope_from
from server.core.clock import utcnow
from server.extensions import db

STAGES = {
    "pool": "培育库",
    "committed": "承诺公示",
    "profiled": "系统录入",
    "evaluated": "后评价通过",
    "sign_issued": "标识发放",
    "sign_posted": "标识张贴",
    "removed": "已移出",
}
STAGE_ORDER = ["pool", "committed", "profiled", "evaluated", "sign_issued", "sign_posted"]
# Stages in which a unit counts as certified: it holds the year's sign (plan: 标识发放、张贴).
CERTIFIED = ("sign_issued", "sign_posted")

EVIDENCE_KINDS = {
    "inspection": "后评价检查",
    "evaluation_result": "后评价结果登记",
    "sign": "标识",
    "post": "张贴确认",
    "revocation": "标识撤销",
    "step_back": "县局退回",
    "closure": "经营状态变更",
    "correction": "后评价更正",
}

REMOVAL_REASONS = {
    "unsuitable": "不适宜继续培育",
    "violations": "多次违法违规",
    "failed_evaluation": "后评价不合格",
    "closed": "歇业关闭",
    "transferred": "转让",
    "deregistered": "注销",
}
# A business status that ends the unit: it leaves the programme and its signs are revoked.
ENDING_STATUSES = {"closed": "closed", "transferred": "transferred", "deregistered": "deregistered"}
# The profile a unit needs before 系统录入 (plan: 系统录入 of complete information).
PROFILE_REQUIRED = {"name": "名称", "uscc": "统一社会信用代码", "address": "地址", "industry": "行业",
                    "contact_name": "负责人", "contact_phone": "联系电话"}

BUSINESS_STATUSES = {
    "open": "正常营业",
    "suspended": "停业",
    "closed": "歇业关闭",
    "transferred": "已转让",
    "deregistered": "已注销",
}

# Changes to these fields are kept as history (UnitChange), never silently overwritten.
TRACKED_FIELDS = {
    "name": "名称", "address": "地址", "lat": "纬度", "lng": "经度", "industry": "行业",
    "contact_name": "负责人", "contact_phone": "联系电话", "station_id": "所属所（分局）",
    "type": "类型", "return_days": "退货期限（天）", "return_exclusions": "不适用退货的商品",
    "tags": "标签", "business_status": "经营状态", "uscc": "统一社会信用代码",
}


class Unit(db.Model):
    __tablename__ = "unit"

    id = db.Column(db.Integer, primary_key=True)
    county_id = db.Column(db.ForeignKey("county.id"), nullable=False)
    station_id = db.Column(db.ForeignKey("station.id"), nullable=False)
    name = db.Column(db.String(120), nullable=False)
    uscc = db.Column(db.String(18), nullable=False, unique=True)
    address = db.Column(db.String(200), nullable=False)
    lat = db.Column(db.Float, nullable=True)
    lng = db.Column(db.Float, nullable=True)
    industry = db.Column(db.String(60), nullable=False, default="")
    contact_name = db.Column(db.String(60), nullable=False, default="")
    contact_phone = db.Column(db.String(30), nullable=False, default="")
    type = db.Column(db.String(20), nullable=False)
    return_days = db.Column(db.Integer, nullable=True)
    return_exclusions = db.Column(db.String(500), nullable=False, default="")
    tags = db.Column(db.JSON, nullable=False, default=list)
    business_status = db.Column(db.String(20), nullable=False, default="open")
    version = db.Column(db.Integer, nullable=False, default=1)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    updated_at = db.Column(db.DateTime, nullable=False, default=utcnow, onupdate=utcnow)

    station = db.relationship("Station")

    __mapper_args__ = {"version_id_col": version}
    __sync__ = "unit"

    def sync_scope(self, old: bool = False) -> tuple:
        """Devices of the unit's station hear of it; a transfer is a tombstone for the old station."""
        return scope_from(self, old, "county_id", "station_id") + (None,)
    __table_args__ = (
        db.Index("ix_unit_station_name", "station_id", "name"),
        db.Index("ix_unit_county_station", "county_id", "station_id"),
        db.Index("ix_unit_name_id", "name", "id"),  # the public directory's order
    )


class UnitChange(db.Model):
    """One field of a unit changed: old and new value, who and when."""

    __tablename__ = "unit_change"

    id = db.Column(db.Integer, primary_key=True)
    unit_id = db.Column(db.ForeignKey("unit.id"), nullable=False, index=True)
    field = db.Column(db.String(40), nullable=False)
    old_value = db.Column(db.Text, nullable=True)
    new_value = db.Column(db.Text, nullable=True)
    note = db.Column(db.String(200), nullable=False, default="")
    user_id = db.Column(db.ForeignKey("user_account.id"), nullable=True)
    at = db.Column(db.DateTime, nullable=False, default=utcnow)

    user = db.relationship("User")


class UnitYear(db.Model):
    """Where a unit stands in the programme in one year."""

    __tablename__ = "unit_year"

    id = db.Column(db.Integer, primary_key=True)
    unit_id = db.Column(db.ForeignKey("unit.id"), nullable=False)
    year = db.Column(db.Integer, nullable=False)
    stage = db.Column(db.String(20), nullable=False, default="pool")
    removal_reason = db.Column(db.String(30), nullable=True)
    updated_at = db.Column(db.DateTime, nullable=False, default=utcnow, onupdate=utcnow)

    unit = db.relationship(Unit, backref=db.backref("years", lazy="dynamic"))

    def sync_key(self) -> tuple:
        """A unit's stage travels with the unit."""
        return "unit", self.unit_id

    def sync_scope(self, old: bool = False) -> tuple:
        unit = object_session(self).get(Unit, self.unit_id)
        return (unit.county_id, unit.station_id, None)

    __table_args__ = (
        db.UniqueConstraint("unit_id", "year", name="uq_unit_year_unit_year"),
        db.Index("ix_unit_year_year_stage", "year", "stage"),
    )


class LifecycleEvent(db.Model):
    """A step of a unit's lifecycle in a year: from, to, why, who and when."""

    __tablename__ = "lifecycle_event"

    id = db.Column(db.Integer, primary_key=True)
    unit_id = db.Column(db.ForeignKey("unit.id"), nullable=False, index=True)
    year = db.Column(db.Integer, nullable=False)
    from_stage = db.Column(db.String(20), nullable=True)
    to_stage = db.Column(db.String(20), nullable=False)
    reason = db.Column(db.String(30), nullable=True)
    note = db.Column(db.String(500), nullable=False, default="")
    # What the step rests on (EVIDENCE_KINDS) and its record's id: an inspection, a staff-recorded
    # evaluation result, a sign (issued, posted, replaced or revoked); None for a manual step.
    evidence_type = db.Column(db.String(20), nullable=True)
    evidence_id = db.Column(db.Integer, nullable=True)
    user_id = db.Column(db.ForeignKey("user_account.id"), nullable=True)
    at = db.Column(db.DateTime, nullable=False, default=utcnow)

    user = db.relationship("User")

    __table_args__ = (db.Index("ix_lifecycle_event_year_at", "year", "at"),)


class EvaluationResult(db.Model):
    """A post-evaluation done outside the app, recorded by staff with its evidence (a document number
    or a photo), who recorded it and when; passed or failed."""

    __tablename__ = "evaluation_result"

    id = db.Column(db.Integer, primary_key=True)
    unit_id = db.Column(db.ForeignKey("unit.id"), nullable=False, index=True)
    year = db.Column(db.Integer, nullable=False)
    passed = db.Column(db.Boolean, nullable=False)
    evaluated_on = db.Column(db.Date, nullable=False)
    evidence_ref = db.Column(db.String(100), nullable=False, default="")
    evidence_photo_sha256 = db.Column(db.String(64), nullable=True)
    note = db.Column(db.String(500), nullable=False, default="")
    recorded_by = db.Column(db.ForeignKey("user_account.id"), nullable=True)
    recorded_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    user = db.relationship("User")


class ImportBatch(db.Model):
    """An uploaded unit list, parsed and waiting for the user to confirm it."""

    __tablename__ = "import_batch"

    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.ForeignKey("user_account.id"), nullable=False)
    county_id = db.Column(db.ForeignKey("county.id"), nullable=False)
    filename = db.Column(db.String(200), nullable=False)
    year = db.Column(db.Integer, nullable=False)
    rows = db.Column(db.JSON, nullable=False)
    problems = db.Column(db.JSON, nullable=False)
    status = db.Column(db.String(20), nullable=False, default="preview")
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
