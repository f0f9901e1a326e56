"""Receipts of applied device changes: what makes a replay a duplicate and not a second copy."""
from server.core.clock import utcnow
from server.extensions import db


class SyncReceipt(db.Model):
    """Kept per user: a change id is the device's own, and another account's use of it is not a replay."""

    __tablename__ = "sync_receipt"
    __audit__ = False
    __table_args__ = (db.PrimaryKeyConstraint("user_id", "change_id", name="pk_sync_receipt"),)

    change_id = db.Column(db.String(36), nullable=False)
    user_id = db.Column(db.ForeignKey("user_account.id"), nullable=False)
    type = db.Column(db.String(30), nullable=False)
    content_hash = db.Column(db.String(64), nullable=False)
    result = db.Column(db.JSON, nullable=False)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    # When the change was made on the device (UTC), as it said; created_at is when the server got it.
    happened_at = db.Column(db.DateTime, nullable=True)
