"""The roll-up as a dated report: what a city's or the province's /region/ page reads."""
from server.core.clock import utcnow
from server.extensions import db


class RollupSnapshot(db.Model):
    """One run of the roll-up (region.service.overview) of a city or the province for a year, as the
    page shows it (JSON from region.snapshot.to_data), with the time its counting began. A report with
    its time, like a bulletin: never read back as a source of numbers for anything else."""

    __tablename__ = "rollup_snapshot"

    id = db.Column(db.Integer, primary_key=True)
    region_id = db.Column(db.ForeignKey("region.id"), nullable=False)
    year = db.Column(db.Integer, nullable=False)
    # UTC, when the counting began: the numbers are those of this moment (shown in China time).
    made_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    data = db.Column(db.JSON, nullable=False)
    # The job that made it (the 刷新 button or the first visit); None for the periodic refresh.
    job_id = db.Column(db.ForeignKey("job.id", ondelete="SET NULL"), nullable=True)

    __table_args__ = (db.Index("ix_rollup_snapshot_region_year_made", "region_id", "year", "made_at"),)
