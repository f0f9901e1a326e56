"""The audit trail's search: who, which record, what kind of change, which period (China dates)."""
from marshmallow import Schema, ValidationError, fields, validates_schema

from schemas.common import between, length, one_of

ACTIONS = ["insert", "update", "delete"]
DATE_ERRORS = {"invalid": "日期应为“年-月-日”，且须是真实存在的日期"}


class AuditQuerySchema(Schema):
    """Filters of the audit trail; all optional. `since`/`until` are China dates, both included."""

    person = fields.String(validate=length(max=50), metadata={"description": "操作人：用户名或姓名的一部分"})
    entity = fields.String(validate=length(max=60), metadata={"description": "记录类型"})
    entity_id = fields.String(validate=length(max=80), metadata={"description": "记录编号"})
    action = fields.String(validate=one_of(ACTIONS, "操作类型"))
    since = fields.Date(error_messages=DATE_ERRORS)
    until = fields.Date(error_messages=DATE_ERRORS)
    page = fields.Integer(load_default=1, validate=between(1, 100000, "页码"),
                          error_messages={"invalid": "页码应为整数"})

    @validates_schema
    def _period(self, data, **kwargs):
        since, until = data.get("since"), data.get("until")
        if since and until and until < since:
            raise ValidationError("结束日期不能早于开始日期", "until")
        for key in ("since", "until"):
            if data.get(key) and not 2000 <= data[key].year <= 2100:
                raise ValidationError("日期应在2000年到2100年之间", key)
