"""Complaints and reports entered by staff or imported from 12315."""
from marshmallow import Schema, fields

from schemas.common import CstDateTime, length, one_of, phone

KINDS = ["complaint", "report"]
SOURCES = ["hotline", "platform", "counter", "import", "sign_page"]


class ComplaintIntakeSchema(Schema):
    """A complaint or report registered by staff or by the API; `received_at` defaults to now."""

    kind = fields.String(required=True, validate=one_of(KINDS, "类型（投诉/举报）"))
    source = fields.String(required=True, validate=one_of(SOURCES, "来源"))
    external_no = fields.String(allow_none=True, validate=length(max=40))
    received_at = CstDateTime(allow_none=True, metadata={
        "description": "收到投诉举报的时间（法定期限自次日起算）；不带时区时为北京时间；不填为现在，不能晚于现在"})
    complainant_name = fields.String(load_default="", validate=length(max=60))
    phone = fields.String(load_default="", validate=phone())
    complainant_address = fields.String(load_default="", validate=length(max=200))
    demand = fields.String(load_default="", validate=length(max=500), metadata={"description": "投诉请求"})
    description = fields.String(required=True, validate=length(1, 1000))
    unit = fields.String(allow_none=True, validate=length(max=100),
                         metadata={"description": "被投诉单位：全称或统一社会信用代码"})
    unit_id = fields.Integer(allow_none=True)
    station_id = fields.Integer(allow_none=True)


class ComplaintSchema(Schema):
    """A complaint or report as registered, with its first statutory due date."""

    id = fields.Integer()
    kind = fields.String()
    status = fields.String()
    station_id = fields.Integer()
    unit_id = fields.Integer(allow_none=True)
    external_no = fields.String(allow_none=True)
    received_at = fields.DateTime(metadata={"description": "收到时间（UTC）"})
    accept_due = fields.Date(metadata={"description": "受理（举报：立案）决定期限"})
    deadline_uncertain = fields.Boolean(metadata={"description": "期限涉及尚未录入节假日安排的年份（暂定）"})
