"""Small form schemas that only the admin pages use."""
from marshmallow import Schema, fields

from schemas.common import length


class DeviceNameSchema(Schema):
    """The name of a new device token."""

    name = fields.String(required=True, validate=length(1, 80))
