"""Carriers."""
from marshmallow import Schema, fields

from schemas.common import between, length, one_of, phone

CARRIER_KINDS = ["district", "village", "liaison"]


class CarrierFieldsSchema(Schema):
    kind = fields.String(required=True, validate=one_of(CARRIER_KINDS, "载体类型"))
    name = fields.String(required=True, validate=length(1, 120))
    station_id = fields.Integer(allow_none=True)
    address = fields.String(validate=length(max=200))
    leader_name = fields.String(validate=length(max=60), metadata={"description": "街长/场长/负责人"})
    leader_phone = fields.String(validate=phone())
    since_year = fields.Integer(required=True, validate=between(2000, 2100, "年份"))
    active = fields.Boolean()
    member_ids = fields.List(fields.Integer(), load_default=list)


class CarrierUpdateSchema(CarrierFieldsSchema):
    version = fields.Integer(required=True)


class CarrierSchema(CarrierFieldsSchema):
    id = fields.Integer(dump_only=True)
    version = fields.Integer(dump_only=True)
    station_name = fields.String(attribute="station.name", dump_only=True)
    member_ids = fields.Method("_member_ids", dump_only=True)

    def _member_ids(self, obj):
        return [u.id for u in obj.members]
