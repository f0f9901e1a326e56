"""Login, device tokens and accounts."""
from marshmallow import Schema, fields

from schemas.common import length, one_of, phone

ROLES = ["county_admin", "station_admin", "inspector", "volunteer"]
USERNAME = length(2, 60)
PASSWORD = length(8, 128)


class LoginSchema(Schema):
    username = fields.String(required=True, validate=length(1, 60))
    password = fields.String(required=True, validate=length(1, 128), load_only=True)


class TokenCreateSchema(LoginSchema):
    device_name = fields.String(load_default="设备", validate=length(1, 80))


class TokenSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    prefix = fields.String()
    created_at = fields.DateTime()
    last_used_at = fields.DateTime(allow_none=True)
    revoked_at = fields.DateTime(allow_none=True)


class IssuedTokenSchema(Schema):
    token = fields.String(metadata={"description": "只显示这一次；之后以 Authorization: Bearer <token> 使用"})
    device = fields.Nested(TokenSchema)


class UserSchema(Schema):
    id = fields.Integer(dump_only=True)
    username = fields.String()
    name = fields.String()
    phone = fields.String()
    role = fields.String()
    station_id = fields.Integer(allow_none=True)
    station_name = fields.String(attribute="station.name", allow_none=True, dump_only=True)
    active = fields.Boolean()


class UserCreateSchema(Schema):
    username = fields.String(required=True, validate=USERNAME)
    name = fields.String(required=True, validate=length(1, 60))
    phone = fields.String(load_default="", validate=phone())
    role = fields.String(required=True, validate=one_of(ROLES, "角色"))
    station_id = fields.Integer(allow_none=True, load_default=None)
    password = fields.String(required=True, validate=PASSWORD, load_only=True)


class UserUpdateSchema(Schema):
    name = fields.String(validate=length(1, 60))
    phone = fields.String(validate=phone())
    role = fields.String(validate=one_of(ROLES, "角色"))
    station_id = fields.Integer(allow_none=True)
    active = fields.Boolean()
    password = fields.String(validate=PASSWORD, load_only=True)


class PasswordChangeSchema(Schema):
    old_password = fields.String(required=True, validate=length(1, 128))
    new_password = fields.String(required=True, validate=PASSWORD)
