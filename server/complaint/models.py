"""Every step of a complaint's handling, with its time and who took it."""
from server.core.clock import utcnow
from server.extensions import db

SOURCES = {"sign_page": "扫码投诉", "hotline": "12315热线", "platform": "12315平台", "counter": "窗口登记",
           "import": "12315导入"}
STATUSES = {"new": "待受理", "accepted": "调解中", "rejected": "不予受理", "mediation_ended": "调解终结待告知",
            "case_opened": "已立案", "not_opened": "不予立案", "closed": "已办结"}
OUTCOMES = {"success": "调解成功", "failure": "调解不成", "withdrawn": "撤回投诉"}
ACTIONS = {"received": "登记", "assigned": "指派", "accepted": "受理", "rejected": "不予受理",
           "case_opened": "立案", "not_opened": "不予立案", "extended": "延长期限（经批准）",
           "appraisal": "鉴定（不计入调解期限）", "clue": "发现违法线索", "clue_verified": "线索核查完毕",
           "mediation_ended": "终止调解", "notified": "告知终止调解", "violation": "确认违法"}


class ComplaintStep(db.Model):
    __tablename__ = "complaint_step"

    id = db.Column(db.Integer, primary_key=True)
    complaint_id = db.Column(db.ForeignKey("complaint.id"), nullable=False, index=True)
    action = db.Column(db.String(20), nullable=False)
    note = db.Column(db.String(1000), nullable=False, default="")
    user_id = db.Column(db.ForeignKey("user_account.id"), nullable=True)
    at = db.Column(db.DateTime, nullable=False, default=utcnow)

    user = db.relationship("User")
