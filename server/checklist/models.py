"""Checklist templates and their immutable versions."""
from server.core.clock import utcnow
from server.extensions import db


class ChecklistTemplate(db.Model):
    """A family of checklists: for an industry, for a unit type, or (both None) the base for all."""

    __tablename__ = "checklist_template"

    id = db.Column(db.Integer, primary_key=True)
    county_id = db.Column(db.ForeignKey("county.id"), nullable=False)
    code = db.Column(db.String(40), nullable=False)
    name = db.Column(db.String(80), nullable=False)
    unit_type = db.Column(db.String(20), nullable=True)
    industry = db.Column(db.String(60), nullable=True)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    __table_args__ = (db.UniqueConstraint("county_id", "code", name="uq_checklist_template_county_code"),)


class ChecklistVersion(db.Model):
    """One published set of items. Never changed: an edit publishes a new version."""

    __tablename__ = "checklist_version"

    id = db.Column(db.Integer, primary_key=True)
    template_id = db.Column(db.ForeignKey("checklist_template.id"), nullable=False)
    county_id = db.Column(db.ForeignKey("county.id"), nullable=False)
    number = db.Column(db.Integer, nullable=False)
    items = db.Column(db.JSON, nullable=False)
    note = db.Column(db.String(200), nullable=False, default="")
    created_by_id = db.Column(db.ForeignKey("user_account.id"), nullable=True)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    template = db.relationship(ChecklistTemplate, backref=db.backref("versions", order_by="ChecklistVersion.number"))

    __table_args__ = (db.UniqueConstraint("template_id", "number", name="uq_checklist_version_template_number"),)
    __sync__ = "template"

    def sync_scope(self, old: bool = False) -> tuple:
        return (self.county_id, None, None)
