"""/api/v1: carriers."""
from flask import g

from schemas.carrier import CarrierFieldsSchema, CarrierSchema, CarrierUpdateSchema
from server.carrier import service
from server.core.blueprint import Blueprint

api_bp = Blueprint("carriers", __name__, url_prefix="/carriers", description="载体：街区（商圈）、乡村、联络站")


@api_bp.get("")
@api_bp.response(200, CarrierSchema(many=True))
def list_carriers():
    """The carriers I may see."""
    return service.list_carriers(g.user)


@api_bp.post("")
@api_bp.arguments(CarrierFieldsSchema)
@api_bp.response(201, CarrierSchema)
def create_carrier(data):
    """Create a carrier in my station (county admins: any station of the county)."""
    return service.create_carrier(g.user, data)


@api_bp.get("/<int:carrier_id>")
@api_bp.response(200, CarrierSchema)
def get_carrier(carrier_id):
    """One carrier."""
    return service.get_carrier(g.user, carrier_id)


@api_bp.patch("/<int:carrier_id>")
@api_bp.arguments(CarrierUpdateSchema(partial=tuple(CarrierFieldsSchema._declared_fields)))
@api_bp.response(200, CarrierSchema)
def update_carrier(data, carrier_id):
    """Edit a carrier based on `version`."""
    return service.update_carrier(g.user, carrier_id, data, base_version=data.pop("version"))
