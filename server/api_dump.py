"""How a record carried by a conflict is shown to the API client."""
from schemas.carrier import CarrierSchema
from schemas.unit import UnitSchema


def dump_current(obj) -> dict:
    """The server's current version of a record, in its API shape."""
    from server.carrier.models import Carrier
    from server.unit.models import Unit
    dumpers = {Unit: UnitSchema(), Carrier: CarrierSchema()}
    for cls, schema in dumpers.items():
        if isinstance(obj, cls):
            return schema.dump(obj)
    return {}
