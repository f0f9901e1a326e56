"""Units, their history and lifecycle steps."""
from marshmallow import Schema, fields, validates_schema, ValidationError

from schemas.common import between, length, one_of, phone
from schemas.station import UNIT_TYPES

STAGES = ["pool", "committed", "profiled", "evaluated", "sign_issued", "sign_posted", "removed"]
REMOVAL_REASONS = ["unsuitable", "violations", "failed_evaluation", "closed", "transferred", "deregistered"]
BUSINESS_STATUSES = ["open", "suspended", "closed", "transferred", "deregistered"]


class UnitFieldsSchema(Schema):
    """The editable profile of a unit."""

    name = fields.String(required=True, validate=length(1, 120))
    uscc = fields.String(required=True, validate=length(1, 30),
                         metadata={"description": "统一社会信用代码（18位，含校验位）"})
    address = fields.String(required=True, validate=length(1, 200))
    lat = fields.Float(allow_none=True, validate=between(-90, 90, "纬度"))
    lng = fields.Float(allow_none=True, validate=between(-180, 180, "经度"))
    industry = fields.String(validate=length(max=60))
    contact_name = fields.String(validate=length(max=60))
    contact_phone = fields.String(validate=phone())
    station_id = fields.Integer(allow_none=True)
    type = fields.String(required=True, validate=one_of(UNIT_TYPES, "单位类型"))
    return_days = fields.Integer(allow_none=True, validate=between(1, 90, "退货期限（天）"))
    return_exclusions = fields.String(validate=length(max=500))
    tags = fields.List(fields.String(validate=length(1, 20)), validate=length(max=10))
    business_status = fields.String(validate=one_of(BUSINESS_STATUSES, "经营状态"))


class UnitCreateSchema(UnitFieldsSchema):
    year = fields.Integer(allow_none=True, validate=between(2000, 2100, "年份"),
                          metadata={"description": "纳入该年度培育库"})


class UnitUpdateSchema(UnitFieldsSchema):
    version = fields.Integer(required=True, metadata={"description": "修改所基于的版本号"})
    note = fields.String(load_default="", validate=length(max=200))


class UnitSchema(UnitFieldsSchema):
    id = fields.Integer(dump_only=True)
    station_name = fields.String(attribute="station.name", dump_only=True)
    version = fields.Integer(dump_only=True)
    created_at = fields.DateTime(dump_only=True)
    updated_at = fields.DateTime(dump_only=True)


class UnitListItemSchema(Schema):
    unit = fields.Nested(UnitSchema)
    stage = fields.String(allow_none=True)


class UnitListSchema(Schema):
    items = fields.List(fields.Nested(UnitListItemSchema))
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()


class UnitQuerySchema(Schema):
    q = fields.String(load_default="", validate=length(max=100))
    station_id = fields.Integer()
    type = fields.String(validate=one_of(UNIT_TYPES, "单位类型"))
    stage = fields.String(validate=one_of(STAGES + ["none"], "环节"))
    year = fields.Integer(validate=between(2000, 2100, "年份"))
    page = fields.Integer(load_default=1, validate=between(1, 100000, "页码"))
    per_page = fields.Integer(load_default=20, validate=between(1, 200, "每页条数"))


class TransitionSchema(Schema):
    year = fields.Integer(required=True, validate=between(2000, 2100, "年份"))
    to_stage = fields.String(required=True, validate=one_of(STAGES, "环节"))
    reason = fields.String(allow_none=True, validate=one_of(REMOVAL_REASONS, "移出原因"))
    note = fields.String(load_default="", validate=length(max=500))

    @validates_schema
    def _reason_for_removal(self, data, **kwargs):
        if data.get("to_stage") == "removed" and not data.get("reason"):
            raise ValidationError("移出时须选择原因", field_name="reason")


class EvaluationResultSchema(Schema):
    """A post-evaluation done outside the app, recorded by staff with its evidence."""

    year = fields.Integer(required=True, validate=between(2000, 2100, "年份"))
    passed = fields.Boolean(required=True, metadata={"description": "true 合格，false 不合格"})
    evaluated_on = fields.Date(required=True, metadata={"description": "后评价日期"})
    evidence_ref = fields.String(load_default="", validate=length(max=100),
                                 metadata={"description": "后评价文书编号（与照片至少填一项）"})
    evidence_photo_sha256 = fields.String(load_default=None, allow_none=True, validate=length(64, 64),
                                          metadata={"description": "已上传的后评价文书或现场照片的SHA-256"})
    note = fields.String(load_default="", validate=length(max=500))


class EvaluationResultOutSchema(Schema):
    id = fields.Integer()
    year = fields.Integer()
    passed = fields.Boolean()
    evaluated_on = fields.Date()
    evidence_ref = fields.String()
    evidence_photo_sha256 = fields.String(allow_none=True)
    note = fields.String()
    recorded_at = fields.DateTime()


class StepBackSchema(Schema):
    """A county admin steps a unit back to an earlier stage, with the reason."""

    year = fields.Integer(required=True, validate=between(2000, 2100, "年份"))
    to_stage = fields.String(required=True, validate=one_of(STAGES, "环节"))
    note = fields.String(required=True, validate=length(1, 500),
                         error_messages={"required": "退回须填写原因"})


class PostedFormSchema(Schema):
    """Staff confirm a sign posted on the unit page (the photo comes as the form's file `photo`)."""

    year = fields.Integer(required=True, validate=between(2000, 2100, "年份"))
    note = fields.String(load_default="", validate=length(0, 500))


class UnitYearSchema(Schema):
    year = fields.Integer()
    stage = fields.String()
    removal_reason = fields.String(allow_none=True)


class UnitChangeSchema(Schema):
    field = fields.String()
    old_value = fields.String(allow_none=True)
    new_value = fields.String(allow_none=True)
    note = fields.String()
    user_name = fields.String(attribute="user.name", allow_none=True)
    at = fields.DateTime()


class LifecycleEventSchema(Schema):
    year = fields.Integer()
    from_stage = fields.String(allow_none=True)
    to_stage = fields.String()
    reason = fields.String(allow_none=True)
    note = fields.String()
    evidence_type = fields.String(allow_none=True)
    evidence_id = fields.Integer(allow_none=True)
    user_name = fields.String(attribute="user.name", allow_none=True)
    at = fields.DateTime()


class UnitHistorySchema(Schema):
    changes = fields.List(fields.Nested(UnitChangeSchema))
    lifecycle = fields.List(fields.Nested(LifecycleEventSchema))
