"""Assessment findings: the import form, the county's decision on an unmatched finding, the list filters."""
from marshmallow import Schema, fields, validate

from schemas.common import one_of

SOURCES = ["third_party", "province"]
STATUSES = ["pending", "open", "overdue", "closed", "dismissed"]


class FindingImportSchema(Schema):
    source = fields.String(required=True, validate=one_of(SOURCES, "问题来源"))
    due_date = fields.Date(load_default=None, error_messages={"invalid": "整改期限格式不正确"})
    confirm = fields.Boolean(load_default=False)


class FindingDecisionSchema(Schema):
    unit_id = fields.Integer(load_default=None, error_messages={"invalid": "请选择单位"})
    not_ours = fields.Boolean(load_default=False)
    note = fields.String(load_default="", validate=validate.Length(max=500, error="理由不能超过500字"))


class FindingQuerySchema(Schema):
    status = fields.String(validate=one_of(STATUSES, "状态"))
    station_id = fields.Integer()
    q = fields.String(validate=validate.Length(max=50))
