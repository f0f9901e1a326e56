"""The sync protocol of the field app (pull and push). Version 1.

Pull: GET /api/v1/sync/pull?cursor=C returns the records of the user's scope that changed after
C, in commit order, with tombstones for records removed or moved out of scope, and the next
cursor. `more` says another page is waiting. Cursor 0 is a full download.

Push: POST /api/v1/sync/push with up to 100 changes, each with an id made on the device (UUID).
Each change gets one result: applied (stored now), duplicate (stored before; the same result as
then), conflict (the same id with other content, or an edit based on a stale version, with the
server's record), invalid (with a message per field), gone (the record no longer exists or is
out of scope), error (the server failed on this change alone: not stored, the others are; the
device keeps it and shows it as stuck). A result is given only for changes committed with the
response; a device keeps a change until it has one.
"""
from marshmallow import Schema, fields

from schemas.common import UUID, UtcDateTime, between, length
from schemas.inspection import AnswerSchema, RectificationSchema  # noqa: F401  (nested by name below)

PROTOCOL = 1
CHANGE_TYPES = ["inspection", "unit_edit", "sign_posted"]


class PullQuerySchema(Schema):
    cursor = fields.Integer(load_default=0, validate=between(0, 2**62, "同步游标"))
    limit = fields.Integer(load_default=2000, validate=between(1, 5000, "每页条数"))


class TombstoneSchema(Schema):
    entity = fields.String()
    id = fields.String()


class PullSchema(Schema):
    protocol = fields.Integer()
    cursor = fields.Integer(validate=between(0, 2**62, "同步游标"))  # bigint: the change log's sequence
    more = fields.Boolean()
    records = fields.Dict(keys=fields.String(), values=fields.List(fields.Dict()),
                          metadata={"description": "按类型分组：unit, carrier, template, task, inspection"})
    tombstones = fields.List(fields.Nested(TombstoneSchema))


class ChangeSchema(Schema):
    id = fields.String(required=True, validate=UUID)
    type = fields.String(required=True, validate=length(1, 30),
                         metadata={"description": "inspection | unit_edit | sign_posted; others are that change's invalid"})
    data = fields.Dict(required=True)
    on_behalf_of = fields.Integer(allow_none=True, load_default=None, metadata={
        "description": "导入他人的救援文件时：记录的执法人员（账号编号）；仅其所在所的管理员可以"})
    happened_at = UtcDateTime(allow_none=True, load_default=None, metadata={
        "description": "变更在手机上发生的时间；服务器同时保存收到的时间"})


class PushSchema(Schema):
    changes = fields.List(fields.Nested(ChangeSchema), required=True, validate=length(1, 100))


class ChangeResultSchema(Schema):
    id = fields.String()
    status = fields.String(metadata={"description": "applied | duplicate | conflict | invalid | gone | error"})
    message = fields.String()
    record = fields.Dict(metadata={"description": "服务器上的记录：{type, id} 或冲突时的完整记录"})
    missing_photos = fields.List(fields.String())
    imported_by = fields.Dict(metadata={"description": "代为导入他人记录的管理员 {id, name}"})
    fields = fields.Dict()  # last: the name shadows marshmallow's module within the class body


class PushResultSchema(Schema):
    protocol = fields.Integer()
    results = fields.List(fields.Nested(ChangeResultSchema))


class UnitEditSchema(Schema):
    unit_id = fields.Integer(required=True)
    base_version = fields.Integer(required=True)
    changes = fields.Dict(required=True)
    base = fields.Dict(load_default=None, metadata={
        "description": "修改前手机上看到的值（每个修改的字段）：只有双方都改了的字段才冲突，其余合并"})
    note = fields.String(load_default="", validate=length(max=200))


class SyncUnitSchema(Schema):
    """A unit as the field app keeps it."""

    id = fields.Integer()
    station_id = fields.Integer()
    name = fields.String()
    uscc = fields.String()
    address = fields.String()
    lat = fields.Float(allow_none=True)
    lng = fields.Float(allow_none=True)
    industry = fields.String()
    contact_name = fields.String()
    contact_phone = fields.String()
    type = fields.String()
    return_days = fields.Integer(allow_none=True)
    return_exclusions = fields.String()
    tags = fields.List(fields.String())
    business_status = fields.String()
    version = fields.Integer()
    stages = fields.Dict(keys=fields.String(), values=fields.String())
    checklist_template_id = fields.Integer(allow_none=True, metadata={
        "description": "该单位现场检查所用检查表（1+X）；使用该检查表已拉取的最高版本号"})


class SyncCarrierSchema(Schema):
    id = fields.Integer()
    station_id = fields.Integer()
    kind = fields.String()
    name = fields.String()
    leader_name = fields.String()
    active = fields.Boolean()
    member_ids = fields.Method("_members")

    def _members(self, obj):
        return [u.id for u in obj.members]


class SyncInspectionSchema(Schema):
    id = fields.Integer()
    client_id = fields.String()
    unit_id = fields.Integer()
    task_id = fields.Integer(allow_none=True)
    kind = fields.String()
    conclusion = fields.String()
    started_at = fields.DateTime()
    submitted_at = fields.DateTime()
    supersedes_id = fields.Integer(allow_none=True)
    rectifications = fields.List(fields.Nested("RectificationSchema"))
    # What a correction made on the phone starts from (issue 18, item 4): the record as submitted.
    template_version_id = fields.Integer()
    year = fields.Integer()
    ended_at = fields.DateTime()
    lat = fields.Float(allow_none=True)
    lng = fields.Float(allow_none=True)
    accuracy_m = fields.Float(allow_none=True)
    gps_missing_reason = fields.String(allow_none=True)
    answers = fields.List(fields.Nested("AnswerSchema"))
    summary = fields.String()
    signature_sha256 = fields.String(allow_none=True)
    signer_name = fields.String()
    signed_hash = fields.String(allow_none=True)
    signed_at = fields.DateTime(allow_none=True)
    photos = fields.List(fields.String())
    inspector_id = fields.Integer()
    inspector_name = fields.String(attribute="inspector.name")
    supersedes_client_id = fields.String(attribute="supersedes.client_id", allow_none=True)
    correction_reason = fields.String(allow_none=True)
    correctable_until = fields.DateTime(allow_none=True, metadata={
        "description": "本人可更正的截止时间（UTC，提交后 CORRECTION_DAYS 天）"})
    superseded_by = fields.Dict(allow_none=True, metadata={
        "description": "更正了本记录的记录：{id, client_id, by, at, reason, conclusion}；未被更正为 null"})
