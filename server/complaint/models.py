"""Every step of a complaint's handling, with its time and who took it."""
from server.core.clock import utcnow
from server.extensions import db

SOURCES = {"sign_page": "扫码投诉", "hotline": "12315热线", "platform": "12315平台", "counter": "窗口登记",
           "import": "12315导入"}
STATUSES = {"new": "待受理", "accepted": "调解中", "rejected": "不予受理", "mediation_ended": "调解终止待告知",
            "case_opened": "已立案", "not_opened": "不予立案", "closed": "已办结", "returned": "已退回分送机构",
            "merged": "已合并（重复举报）"}
OUTCOMES = {"success": "调解成功（达成调解协议）", "failure": "调解不成（终止调解）", "withdrawn": "撤回投诉（终止调解）"}
ACTIONS = {"received": "登记", "assigned": "指派", "accepted": "受理", "rejected": "不予受理",
           "case_opened": "立案", "not_opened": "不予立案", "extended": "延长期限（经批准）",
           "appraisal": "检测、检验、鉴定（时间不计入期限）", "clue": "发现违法线索", "clue_verified": "线索核查完毕",
           "mediation_ended": "终止调解", "agreement": "达成调解协议", "notified": "告知终止调解",
           "violation": "确认违法", "recomputed": "期限重算", "transferred": "转交其他所（分局）",
           "returned": "退回12315分送机构", "merged": "合并重复举报", "merged_in": "并入重复举报（期限重新计算）"}


class ComplaintStep(db.Model):
    __tablename__ = "complaint_step"

    id = db.Column(db.Integer, primary_key=True)
    complaint_id = db.Column(db.ForeignKey("complaint.id"), nullable=False, index=True)
    action = db.Column(db.String(20), nullable=False)
    note = db.Column(db.String(1000), nullable=False, default="")
    user_id = db.Column(db.ForeignKey("user_account.id"), nullable=True)
    at = db.Column(db.DateTime, nullable=False, default=utcnow)
    done_on = db.Column(db.Date, nullable=True)  # the day the step took effect (China time), as entered

    user = db.relationship("User")


class MediationBenchmark(db.Model):
    """The national and provincial mediation success rates a county compares with, per year (plan's target)."""

    __tablename__ = "mediation_benchmark"

    id = db.Column(db.Integer, primary_key=True)
    county_id = db.Column(db.ForeignKey("county.id"), nullable=False)
    year = db.Column(db.Integer, nullable=False)
    national = db.Column(db.Numeric(5, 1), nullable=True)
    provincial = db.Column(db.Numeric(5, 1), nullable=True)
    updated_by_id = db.Column(db.ForeignKey("user_account.id"), nullable=True)
    updated_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    __table_args__ = (db.UniqueConstraint("county_id", "year", name="uq_mediation_benchmark_county_year"),)
