"""Complaints and reports entered by staff or imported from 12315."""
from marshmallow import Schema, fields

from schemas.common import length, one_of, phone

KINDS = ["complaint", "report"]
SOURCES = ["hotline", "platform", "counter", "import", "sign_page"]


class ComplaintIntakeSchema(Schema):
    kind = fields.String(required=True, validate=one_of(KINDS, "类型（投诉/举报）"))
    source = fields.String(required=True, validate=one_of(SOURCES, "来源"))
    external_no = fields.String(allow_none=True, validate=length(max=40))
    complainant_name = fields.String(load_default="", validate=length(max=60))
    phone = fields.String(load_default="", validate=phone())
    description = fields.String(required=True, validate=length(1, 1000))
    unit_id = fields.Integer(allow_none=True)
    station_id = fields.Integer(allow_none=True)
