"""Signs: the API's list, issue and revoke bodies, and the field app's sign_posted change."""
from marshmallow import Schema, fields, validate

from schemas.common import between, length, one_of
from schemas.station import UNIT_TYPES

SIGN_STATUSES = ["issued", "replaced", "revoked"]
REVOKE_REASONS = ["unit_removed", "violations", "failed_evaluation", "closed", "lost_damaged", "other"]
SHA256 = r"^[0-9a-f]{64}$"


class SignSchema(Schema):
    """A sign as the API shows it."""

    id = fields.Integer(dump_only=True)
    serial = fields.String(metadata={"description": "编号，如 JY-2023-000123"})
    unit_id = fields.Integer()
    unit_name = fields.Function(lambda s: s.unit.name, dump_only=True)
    station_id = fields.Integer()
    year = fields.Integer()
    type = fields.String(metadata={"description": "general / no_reason_return / factory"})
    status = fields.String(metadata={"description": "issued 有效 / replaced 已更换 / revoked 已撤销"})
    url = fields.String(dump_only=True, metadata={"description": "二维码所载的网址"})
    print_count = fields.Integer()
    issued_at = fields.DateTime()
    posted_at = fields.DateTime(allow_none=True)
    token = fields.String(metadata={"description": "二维码中的标识令牌：现场离线扫码核验用"})
    posted_photo_sha256 = fields.String(allow_none=True)
    revoked_at = fields.DateTime(allow_none=True)
    revoke_reason = fields.String(allow_none=True)
    replaced_by_id = fields.Integer(allow_none=True)


class SignQuerySchema(Schema):
    station_id = fields.Integer()
    year = fields.Integer(validate=between(2000, 2100, "年份"))
    type = fields.String(validate=one_of(UNIT_TYPES, "单位类型"))
    status = fields.String(validate=one_of(SIGN_STATUSES, "状态"))
    unit_id = fields.Integer()


class SignIssueSchema(Schema):
    """Issue a sign to a unit for a year (the unit must have passed post-evaluation that year)."""

    unit_id = fields.Integer(required=True)
    year = fields.Integer(required=True, validate=between(2000, 2100, "年份"))
    note = fields.String(load_default="", validate=length(max=500))


class SignBulkIssueSchema(Schema):
    """Issue signs to several units of one station and year."""

    station_id = fields.Integer(required=True)
    year = fields.Integer(required=True, validate=between(2000, 2100, "年份"))
    unit_ids = fields.List(fields.Integer(), load_default=list, validate=length(max=2000))
    all = fields.Boolean(load_default=False, metadata={"description": "发放给该所全部待发放单位"})
    type = fields.String(load_default=None, validate=one_of(UNIT_TYPES, "单位类型"))


class SignRevokeSchema(Schema):
    reason = fields.String(required=True, validate=one_of(REVOKE_REASONS, "撤销原因"))
    note = fields.String(load_default="", validate=length(max=500))


class SignReplaceSchema(Schema):
    note = fields.String(load_default="", validate=length(max=500))


class SignBatchSchema(Schema):
    """Print a station's signs of a year (and type) as one PDF."""

    station_id = fields.Integer(required=True)
    year = fields.Integer(required=True, validate=between(2000, 2100, "年份"))
    type = fields.String(load_default=None, validate=one_of(UNIT_TYPES, "单位类型"))


class SignPostedSchema(Schema):
    """The data of a "sign_posted" change: the inspector saw the unit's sign on the wall."""

    unit_id = fields.Integer(required=True)
    year = fields.Integer(required=True, validate=between(2000, 2100, "年份"))
    photo_sha256 = fields.String(load_default=None, allow_none=True,
                                 validate=validate.Regexp(SHA256, error="照片编号格式不正确"))
    note = fields.String(load_default="", validate=length(max=500))


class SyncSignSchema(Schema):
    """A sign as the field app pulls it."""

    id = fields.Integer()
    serial = fields.String()
    unit_id = fields.Integer()
    year = fields.Integer()
    type = fields.String()
    status = fields.String()
    posted_at = fields.DateTime(allow_none=True)
    token = fields.String(metadata={"description": "二维码中的标识令牌：现场离线扫码核验用"})
    posted_photo_sha256 = fields.String(allow_none=True)
