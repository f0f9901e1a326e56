"""One handler per kind of device change: validate its data, apply it, return {record, ...}.

A handler raises DomainError (or marshmallow's ValidationError) to refuse; push turns that into
the change's result. Conflicts carry the server's record already dumped for the client.
"""
from schemas.inspection import InspectionSubmitSchema
from schemas.sync import UnitEditSchema
from schemas.unit import UnitSchema
from server.core.errors import Conflict, Invalid
from server.inspection import service as inspections
from server.photo.service import missing_photos
from server.unit import service as units

UNIT_EDIT_FIELDS = {"address", "contact_phone", "business_status", "lat", "lng"}


# Made once: a schema is reusable, and building one (with its nested schemas) costs more than a load.
SUBMIT_SCHEMA = InspectionSubmitSchema()
EDIT_SCHEMA = UnitEditSchema()


def inspection(user, data: dict, change_id: str) -> dict:
    """A submitted inspection; its client_id must be the change id."""
    data = SUBMIT_SCHEMA.load(data)
    if data["client_id"].lower() != change_id:
        raise Invalid("检查记录编号与变更编号不一致", fields={"client_id": ["应与变更编号一致"]})
    data["client_id"] = change_id
    # Asked before the first write: on SQLite the one writer's turn lasts from the first write to commit.
    waiting = missing_photos(inspections.photo_hashes(data.get("photos"), data["answers"],
                                                      data.get("signature_sha256")))
    if data.get("signature_sha256") not in waiting:
        inspections.check_signature_ink(data["signature_sha256"])
    record = inspections.submit_inspection(user, data)
    return {"record": {"type": "inspection", "id": record.id}, "missing_photos": sorted(waiting)}


def unit_edit(user, data: dict, change_id: str) -> dict:
    """An edit of a unit's address, phone or business status, based on a version."""
    data = EDIT_SCHEMA.load(data)
    extra = set(data["changes"]) - UNIT_EDIT_FIELDS
    if extra:
        raise Invalid("现场只能修改地址、电话、经营状态和位置", fields={"changes": sorted(extra)})
    loaded = UnitSchema(partial=True, only=sorted(UNIT_EDIT_FIELDS)).load(data["changes"])
    note = data["note"] or "现场核实修改"
    try:
        if data["base"] is None:  # an app from before field-level merging: the whole version must match
            unit = units.update_unit(user, data["unit_id"], loaded, base_version=data["base_version"], note=note)
        else:
            unit = units.merge_edit(user, data["unit_id"], loaded, data["base"], note=note)
    except Conflict as err:
        raise Conflict(err.message, current={"type": "unit", **UnitSchema().dump(err.current),
                                             "mine": data["changes"],
                                             "conflicts": sorted(err.fields) or sorted(data["changes"])}) from None
    return {"record": {"type": "unit", "id": unit.id, "version": unit.version}}


HANDLERS = {"inspection": inspection, "unit_edit": unit_edit}


def register(change_type: str, handler) -> None:
    """Let another domain (signs) handle a kind of device change."""
    HANDLERS[change_type] = handler
