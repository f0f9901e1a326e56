"""Visit tasks."""
from server.core.changelog import scope_from
from server.core.clock import utcnow
from server.extensions import db

TASK_KINDS = {
    "post_evaluation": "后评价",
    "service_visit": "三服务走访",
    "rectification": "整改复查",
    "sign_check": "标识张贴检查",
    "complaint_check": "投诉核查",
}
TASK_STATUSES = {"open": "待完成", "done": "已完成", "cancelled": "已取消"}


class VisitTask(db.Model):
    __tablename__ = "visit_task"

    id = db.Column(db.Integer, primary_key=True)
    county_id = db.Column(db.ForeignKey("county.id"), nullable=False)
    station_id = db.Column(db.ForeignKey("station.id"), nullable=False)
    unit_id = db.Column(db.ForeignKey("unit.id"), nullable=False, index=True)
    kind = db.Column(db.String(20), nullable=False)
    assignee_id = db.Column(db.ForeignKey("user_account.id"), nullable=True)
    due_date = db.Column(db.Date, nullable=False)
    status = db.Column(db.String(10), nullable=False, default="open")
    note = db.Column(db.String(500), nullable=False, default="")
    year = db.Column(db.Integer, nullable=False)
    source_inspection_id = db.Column(db.ForeignKey("inspection.id", use_alter=True), nullable=True)
    done_inspection_id = db.Column(db.ForeignKey("inspection.id", use_alter=True), nullable=True)
    created_by_id = db.Column(db.ForeignKey("user_account.id"), nullable=True)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    done_at = db.Column(db.DateTime, nullable=True)

    unit = db.relationship("Unit")
    assignee = db.relationship("User", foreign_keys=[assignee_id])

    __table_args__ = (db.Index("ix_visit_task_station_status_due", "station_id", "status", "due_date"),)
    __sync__ = "task"

    def sync_scope(self, old: bool = False) -> tuple:
        """Only the assignee's devices hear of a task; reassignment is a tombstone for the old one."""
        return scope_from(self, old, "county_id", "station_id", "assignee_id")
