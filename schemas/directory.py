"""The public directory of trusted units: its query (page and JSON alike) and its read-only entries."""
from marshmallow import EXCLUDE, Schema, fields, validate

from schemas.common import between, length, one_of
from schemas.station import UNIT_TYPES

TAGS = ["党员经营户", "党员先锋岗"]


def an_id(what: str):
    """A record number: a positive integer, or a Chinese message naming what was wrong."""
    return validate.Range(min=1, max=2**31 - 1, error=f"{what}不正确")


class DirectoryQuerySchema(Schema):
    """Search and filters of /directory and GET /api/v1/directory; all optional."""

    class Meta:
        unknown = EXCLUDE  # a shared link may carry a chat app's own parameters

    q = fields.String(load_default="", validate=length(max=60),
                      metadata={"description": "名称、地址或行业中包含的文字"})
    county_id = fields.Integer(load_default=None, validate=an_id("县（市、区）"),
                               metadata={"description": "县（市、区）"})
    station_id = fields.Integer(load_default=None, validate=an_id("所（分局）"),
                                metadata={"description": "所（分局），即乡镇"})
    type = fields.String(load_default=None, validate=one_of(UNIT_TYPES, "单位类型"),
                         metadata={"description": "general 一般 / no_reason_return 无理由退货 / factory 放心工厂"})
    tag = fields.String(load_default=None, validate=one_of(TAGS, "标签"), metadata={"description": "党员经营户等"})
    carrier_id = fields.Integer(load_default=None, validate=an_id("载体"),
                                metadata={"description": "所在的放心消费街区、乡村等载体"})
    page = fields.Integer(load_default=1, validate=between(1, 10000, "页码"))


class DirectoryEntrySchema(Schema):
    """One trusted unit whose sign is in force: public facts only."""

    name = fields.String()
    address = fields.String()
    industry = fields.String()
    type = fields.String(metadata={"description": "general / no_reason_return / factory"})
    type_label = fields.String(metadata={"description": "类型的中文名"})
    return_days = fields.Integer(allow_none=True, metadata={"description": "无理由退货期限（天）"})
    return_exclusions = fields.String(metadata={"description": "不适用无理由退货的商品"})
    tags = fields.List(fields.String())
    station = fields.String(metadata={"description": "所（分局）"})
    year = fields.Integer(metadata={"description": "标识年度"})
    valid_until = fields.Date(metadata={"description": "标识有效期至（含当日）"})
    url = fields.String(metadata={"description": "该单位标识的查验页面"})


class DirectoryPageSchema(Schema):
    """A page of the directory."""

    page = fields.Integer()
    has_next = fields.Boolean()
    entries = fields.List(fields.Nested(DirectoryEntrySchema))
