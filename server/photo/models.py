"""The photo record: one row per distinct image, addressed by the SHA-256 of its bytes."""
from server.core.clock import utcnow
from server.extensions import db


class Photo(db.Model):
    """An uploaded original and its thumbnail; keys name objects in photo storage, never disk paths."""

    __tablename__ = "photo"

    sha256 = db.Column(db.String(64), primary_key=True)
    size = db.Column(db.Integer, nullable=False)
    mime = db.Column(db.String(20), nullable=False)
    width = db.Column(db.Integer, nullable=False)
    height = db.Column(db.Integer, nullable=False)
    original_key = db.Column(db.String(120), nullable=False)
    thumb_key = db.Column(db.String(120), nullable=False)
    uploaded_by = db.Column(db.ForeignKey("user_account.id"), nullable=False, index=True)
    # The uploader's station decides who may see the photo; None for a county admin's upload.
    station_id = db.Column(db.ForeignKey("station.id"), nullable=True, index=True)
    county_id = db.Column(db.ForeignKey("county.id"), nullable=False, index=True)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)


class PhotoUse(db.Model):
    """A record that uses a photo: whoever may see the record may see the photo, whoever uploaded the
    bytes first (issue 18, item 2). Written with the record; the photo itself may come later."""

    __tablename__ = "photo_use"
    __audit__ = False

    sha256 = db.Column(db.String(64), primary_key=True)
    kind = db.Column(db.String(20), primary_key=True)  # inspection | sign
    record_id = db.Column(db.Integer, primary_key=True)
    station_id = db.Column(db.ForeignKey("station.id"), nullable=True, index=True)
    county_id = db.Column(db.ForeignKey("county.id"), nullable=False)
