"""Stations, targets and the dashboard."""
from marshmallow import Schema, fields

from schemas.common import between, one_of

UNIT_TYPES = ["general", "no_reason_return", "factory"]
TARGET_KINDS = UNIT_TYPES + ["district", "village", "liaison"]


class StationSchema(Schema):
    id = fields.Integer(dump_only=True)
    code = fields.String()
    name = fields.String()


class TargetEntrySchema(Schema):
    station_id = fields.Integer(allow_none=True, load_default=None)
    kind = fields.String(required=True, validate=one_of(TARGET_KINDS, "目标类型"))
    count = fields.Integer(required=True, validate=between(0, 100000, "目标数"))


class TargetsSchema(Schema):
    year = fields.Integer(required=True, validate=between(2000, 2100, "年份"))
    entries = fields.List(fields.Nested(TargetEntrySchema), required=True)


class YearQuerySchema(Schema):
    year = fields.Integer(validate=between(2000, 2100, "年份"))


class CellSchema(Schema):
    target = fields.Integer()
    stages = fields.Dict(keys=fields.String(), values=fields.Integer())
    active = fields.Integer()
    certified = fields.Integer()
    percent = fields.Integer()


class DeadlineSchema(Schema):
    key = fields.String()
    label = fields.String()
    due = fields.Date()
    done = fields.Integer(metadata={"description": "截至节点日的数（节点日已过时按当日的环节记录），否则今日数"})
    today = fields.Integer(metadata={"description": "今日数"})
    as_of_due = fields.Boolean(metadata={"description": "done 是否为截至节点日的数"})
    target = fields.Integer()
    gap = fields.Integer()
    percent = fields.Integer()
    days_left = fields.Integer()


class DashboardRowSchema(Schema):
    station = fields.Nested(StationSchema)
    cells = fields.Dict(keys=fields.String(), values=fields.Nested(CellSchema))
    all = fields.Nested(CellSchema)
    carriers = fields.Dict(keys=fields.String(), values=fields.List(fields.Integer()))
    deadlines = fields.List(fields.Nested(DeadlineSchema))


class DashboardSchema(Schema):
    year = fields.Integer()
    years = fields.List(fields.Integer())
    rows = fields.List(fields.Nested(DashboardRowSchema))
    total = fields.Dict(keys=fields.String(), values=fields.Nested(CellSchema))
    total_all = fields.Nested(CellSchema)
    carriers = fields.Dict(keys=fields.String(), values=fields.List(fields.Integer()))
    deadlines = fields.List(fields.Nested(DeadlineSchema))
