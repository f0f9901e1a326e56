"""消费义工: the county's draw of anonymous visits, and a volunteer's visit as the phone sends it."""
from marshmallow import Schema, fields, validate

from schemas.common import UtcDateTime, between, length


class AssignSchema(Schema):
    """Volunteers, one station or one carrier, how many units, the due date (the rules: server.volunteer)."""

    volunteer_ids = fields.List(fields.Integer(), required=True, validate=validate.Length(
        min=1, max=100, error="请选择消费义工"))
    station_id = fields.Integer(load_default=None, allow_none=True)
    carrier_id = fields.Integer(load_default=None, allow_none=True)
    count = fields.Integer(required=True, validate=between(1, 200, "暗访家数"))
    due_date = fields.Date(required=True)


class VisitSchema(Schema):
    """A visit: the phone's id for it, overall stars, stars per 八有八无 pair, notes, when and where."""

    client_id = fields.String(required=True, validate=validate.Regexp(
        r"^[A-Za-z0-9-]{8,40}$", error="提交编号不正确"))
    stars = fields.Integer(required=True, validate=between(1, 5, "总体星级"))
    pair_stars = fields.Dict(keys=fields.String(validate=length(max=40)),
                             values=fields.Integer(validate=between(1, 5, "分项星级")), load_default=dict)
    comment = fields.String(load_default="", validate=length(max=500))
    visited_at = UtcDateTime(load_default=None, allow_none=True)
    lat = fields.Float(load_default=None, allow_none=True, validate=between(-90, 90, "纬度"))
    lng = fields.Float(load_default=None, allow_none=True, validate=between(-180, 180, "经度"))
    accuracy_m = fields.Float(load_default=None, allow_none=True, validate=between(0, 100000, "定位精度"))
