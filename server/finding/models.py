"""A finding of the third-party mystery-visit assessment or the province's check (浙市监消函〔2023〕3号)."""
from server.core.clock import utcnow
from server.extensions import db

SOURCES = {"third_party": "第三方暗访评估", "province": "省级复查"}
# What the county decided for a finding on no unit of ours.
DECISIONS = {"not_ours": "非本县放心消费单位，不予整改"}
STATUSES = {"pending": "待县局确定单位", "open": "整改中", "overdue": "整改逾期", "closed": "已整改",
            "dismissed": "已处理（非本县单位）"}


class Finding(db.Model):
    """One problem the assessor found at a unit: as written in the file, the unit it was matched to (None:
    not ours, for the county to decide), and the rectification demanded of it (Rectification.finding_id)."""

    __tablename__ = "finding"

    id = db.Column(db.Integer, primary_key=True)
    county_id = db.Column(db.ForeignKey("county.id"), nullable=False, index=True)
    station_id = db.Column(db.ForeignKey("station.id"), nullable=True, index=True)
    unit_id = db.Column(db.ForeignKey("unit.id"), nullable=True, index=True)
    source = db.Column(db.String(20), nullable=False)
    batch = db.Column(db.String(200), nullable=False, default="")
    row_no = db.Column(db.Integer, nullable=False, default=0)
    unit_name = db.Column(db.String(200), nullable=False, default="")
    uscc = db.Column(db.String(18), nullable=True)
    problem = db.Column(db.String(500), nullable=False)
    pair_code = db.Column(db.String(40), nullable=True)
    item_code = db.Column(db.String(40), nullable=True)
    photos = db.Column(db.JSON, nullable=False, default=list)
    found_on = db.Column(db.Date, nullable=False)
    due_date = db.Column(db.Date, nullable=False)
    decision = db.Column(db.String(20), nullable=True)
    decision_note = db.Column(db.String(500), nullable=False, default="")
    decided_by_id = db.Column(db.ForeignKey("user_account.id"), nullable=True)
    decided_at = db.Column(db.DateTime, nullable=True)
    created_by_id = db.Column(db.ForeignKey("user_account.id"), nullable=True)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
