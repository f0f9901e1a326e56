"""Validators with Chinese messages and small shared schemas."""
from server.core.clock import CHINA
from datetime import timezone

from marshmallow import Schema, fields, validate

PHONE = r"^[0-9+\-() ]{0,30}$"


def length(min=None, max=None):
    """Length with a Chinese message."""
    if min and max:
        msg = f"长度应在{min}到{max}个字之间"
    elif min:
        msg = "此项不能为空" if min == 1 else f"至少{min}个字"
    else:
        msg = f"不能超过{max}个字"
    return validate.Length(min=min, max=max, error=msg)


def one_of(choices: dict | list, what: str = "选项"):
    """OneOf with a Chinese message."""
    return validate.OneOf(list(choices), error=f"{what}不正确")


def between(min=None, max=None, what: str = "数值"):
    """Range with a Chinese message."""
    return validate.Range(min=min, max=max, error=f"{what}应在{min}到{max}之间")


def phone():
    """A telephone number: digits and + - ( ) spaces."""
    return validate.Regexp(PHONE, error="电话号码格式不正确")


class ErrorDetailSchema(Schema):
    code = fields.String(metadata={"description": "机器可读的错误码"})
    message = fields.String(metadata={"description": "给人看的中文说明"})
    current = fields.Dict(metadata={"description": "冲突时服务器上的最新记录"})
    fields = fields.Dict(metadata={"description": "每个字段的中文错误"})


class ErrorSchema(Schema):
    error = fields.Nested(ErrorDetailSchema)


class PageQuerySchema(Schema):
    page = fields.Integer(load_default=1, validate=between(1, 100000, "页码"))
    per_page = fields.Integer(load_default=20, validate=between(1, 200, "每页条数"))


class UtcDateTime(fields.AwareDateTime):
    """An ISO 8601 time; naive ones are taken as UTC. Loaded as naive UTC, as the database keeps it."""

    def __init__(self, **kwargs):
        super().__init__(default_timezone=timezone.utc, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        aware = super()._deserialize(value, attr, data, **kwargs)
        return aware.astimezone(timezone.utc).replace(tzinfo=None)

    def _serialize(self, value, attr, obj, **kwargs):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return super()._serialize(value, attr, obj, **kwargs)


SHA256 = validate.Regexp(r"^[0-9a-f]{64}$", error="照片编号应为64位小写十六进制SHA-256")
SHA256_HEX = validate.Regexp(r"^[0-9a-f]{64}$", error="应为64位小写十六进制SHA-256")
UUID = validate.Regexp(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$",
                       error="编号应为UUID")


CST = CHINA  # times written without an offset are China time


class CstDateTime(fields.AwareDateTime):
    """A time as people write it: ISO 8601, or "2026-11-27 09:30" (a form's datetime-local); times without
    an offset are China Standard Time. Loaded as naive UTC, as the database keeps it."""

    def __init__(self, **kwargs):
        super().__init__(default_timezone=CST, **kwargs)
        self.error_messages["invalid"] = "时间格式不正确（应为 2026-11-27 09:30）"

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str) and len(value.strip()) == 16 and value.strip()[10] == " ":
            value = value.strip().replace(" ", "T")
        aware = super()._deserialize(value, attr, data, **kwargs)
        return aware.astimezone(timezone.utc).replace(tzinfo=None)
