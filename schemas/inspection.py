"""Inspections: what a device submits, and how they are shown."""
from marshmallow import Schema, fields, validate

from schemas.common import SHA256, SHA256_HEX, UUID, UtcDateTime, between, length, one_of
from schemas.visit import TASK_KINDS

RESULTS = ["yes", "no", "na"]
CONCLUSIONS = ["pass", "rectify", "fail"]


class AnswerSchema(Schema):
    item_code = fields.String(required=True, validate=length(1, 40))
    result = fields.String(required=True, validate=one_of(RESULTS, "检查结果"))
    note = fields.String(load_default="", validate=length(max=500))
    photos = fields.List(fields.String(validate=SHA256), load_default=list, validate=length(max=10))


class RectificationInSchema(Schema):
    item_code = fields.String(allow_none=True, validate=length(max=40))
    demand = fields.String(required=True, validate=length(1, 500))
    due_date = fields.Date(required=True)


class InspectionSubmitSchema(Schema):
    client_id = fields.String(required=True, validate=UUID)
    unit_id = fields.Integer(required=True)
    task_id = fields.Integer(allow_none=True, load_default=None)
    template_version_id = fields.Integer(required=True)
    kind = fields.String(required=True, validate=one_of(TASK_KINDS, "检查类型"))
    started_at = UtcDateTime(required=True)
    ended_at = UtcDateTime(required=True)
    lat = fields.Float(allow_none=True, load_default=None, validate=between(-90, 90, "纬度"))
    lng = fields.Float(allow_none=True, load_default=None, validate=between(-180, 180, "经度"))
    accuracy_m = fields.Float(allow_none=True, load_default=None, validate=between(0, 100000, "定位精度"))
    gps_missing_reason = fields.String(allow_none=True, load_default=None, validate=length(max=200))
    answers = fields.Nested(AnswerSchema, many=True, required=True, validate=length(1, 100))
    conclusion = fields.String(required=True, validate=one_of(CONCLUSIONS, "结论"))
    summary = fields.String(load_default="", validate=length(max=1000))
    rectifications = fields.List(fields.Nested(RectificationInSchema), load_default=list, validate=length(max=30))
    signature_sha256 = fields.String(required=True, validate=SHA256, metadata={"description": "负责人签名图片的SHA-256"})
    signer_name = fields.String(required=True, validate=validate.Length(1, 60, error="须填写签名人姓名（不超过60个字）"),
                                metadata={"description": "签名人姓名"})
    signed_hash = fields.String(required=True, validate=SHA256_HEX, metadata={
        "description": "负责人签名所覆盖内容的SHA-256（server/inspection/signing.py 的格式）"})
    signed_at = UtcDateTime(allow_none=True, load_default=None, metadata={"description": "签名时手机上的时间"})
    photos = fields.List(fields.String(validate=SHA256), load_default=list, validate=length(max=20))
    supersedes = fields.String(allow_none=True, load_default=None, validate=UUID,
                               metadata={"description": "被本记录更正的检查记录的 client_id"})
    correction_reason = fields.String(allow_none=True, load_default=None, validate=length(max=500), metadata={
        "description": "更正原因（更正时必填，不在负责人签名的内容之内）"})
    year = fields.Integer(allow_none=True, load_default=None, validate=between(2000, 2100, "年度"),
                          metadata={"description": "无任务的检查计入的年度（默认当前年度）；有任务时以任务年度为准"})


class RectificationSchema(Schema):
    id = fields.Integer()
    item_code = fields.String(allow_none=True)
    demand = fields.String()
    due_date = fields.Date()
    status = fields.String()
    follow_up_task_id = fields.Integer(allow_none=True)


class InspectionSchema(Schema):
    id = fields.Integer()
    client_id = fields.String()
    unit_id = fields.Integer()
    unit_name = fields.String(attribute="unit.name")
    task_id = fields.Integer(allow_none=True)
    inspector_id = fields.Integer()
    inspector_name = fields.String(attribute="inspector.name")
    template_version_id = fields.Integer()
    kind = fields.String()
    year = fields.Integer()
    started_at = UtcDateTime()
    ended_at = UtcDateTime()
    lat = fields.Float(allow_none=True)
    lng = fields.Float(allow_none=True)
    accuracy_m = fields.Float(allow_none=True)
    gps_missing_reason = fields.String(allow_none=True)
    conclusion = fields.String()
    summary = fields.String()
    answers = fields.List(fields.Nested(AnswerSchema))
    rectifications = fields.List(fields.Nested(RectificationSchema))
    signature_sha256 = fields.String(allow_none=True)
    signer_name = fields.String()
    signed_hash = fields.String(allow_none=True)
    signed_at = UtcDateTime(allow_none=True)
    photos = fields.List(fields.String())
    supersedes_client_id = fields.String(attribute="supersedes.client_id", allow_none=True)
    correction_reason = fields.String(allow_none=True)
    corrected_by_name = fields.String(attribute="corrected_by.name", allow_none=True,
                                      metadata={"description": "更正人（本人或所里）；非更正记录为 null"})
    imported_by_name = fields.String(attribute="imported_by.name", allow_none=True,
                                     metadata={"description": "从救援文件导入本记录的管理员（非本人提交时）"})
    submitted_at = UtcDateTime()
    missing_photos = fields.List(fields.String(), dump_only=True,
                                 metadata={"description": "已引用但尚未上传的照片：等待照片"})
