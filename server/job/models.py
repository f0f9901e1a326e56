"""A background job as the person who started it sees it: what, whose, how far, and its file."""
from server.core.clock import utcnow
from server.extensions import db

STATUSES = {"queued": "排队中", "running": "进行中", "done": "已完成", "failed": "失败"}
KINDS = {"sign_batch": "标识批量打印", "unit_import": "单位导入", "bulletin": "月度通报",
         "bulletin_stations": "各所月度通报", "rollup_export": "各县进度汇总导出",
         "rollup_snapshot": "各县进度汇总刷新"}


class Job(db.Model):
    """One run of a long task. `done`/`total` count its own units (signs, rows, steps); `result_key`
    names the file it made in the photo store (server.photo.storage), `result` a small summary."""

    __tablename__ = "job"

    id = db.Column(db.Integer, primary_key=True)
    kind = db.Column(db.String(20), nullable=False)
    params = db.Column(db.JSON, nullable=False, default=dict)
    user_id = db.Column(db.ForeignKey("user_account.id"), nullable=False)
    # None for a job of a city or province account (the roll-up export), which has no county.
    county_id = db.Column(db.ForeignKey("county.id"), nullable=True)
    station_id = db.Column(db.ForeignKey("station.id"), nullable=True)
    status = db.Column(db.String(10), nullable=False, default="queued")
    done = db.Column(db.Integer, nullable=False, default=0)
    total = db.Column(db.Integer, nullable=False, default=0)
    error = db.Column(db.String(500), nullable=False, default="")
    result_key = db.Column(db.String(200), nullable=True)
    result_name = db.Column(db.String(200), nullable=True)
    result_type = db.Column(db.String(100), nullable=True)
    result = db.Column(db.JSON, nullable=True)
    retry_of_id = db.Column(db.ForeignKey("job.id"), nullable=True)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    started_at = db.Column(db.DateTime, nullable=True)
    finished_at = db.Column(db.DateTime, nullable=True)
    # Last sign of life from the worker running it: a running job silent for too long lost its worker.
    beat_at = db.Column(db.DateTime, nullable=True)

    __table_args__ = (db.Index("ix_job_status_beat", "status", "beat_at"),
                      db.Index("ix_job_user_created", "user_id", "created_at"))

    @property
    def status_label(self) -> str:
        return STATUSES[self.status]

    @property
    def kind_label(self) -> str:
        return KINDS.get(self.kind, "后台任务")

    @property
    def finished(self) -> bool:
        return self.status in ("done", "failed")
