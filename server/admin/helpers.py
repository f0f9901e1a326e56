"""Small helpers shared by the admin views: form parsing and template globals."""
from flask import g
from marshmallow import Schema, ValidationError

from server.account.models import ROLES
from server.station.models import CARRIER_KINDS, UNIT_TYPES
from server.unit.models import BUSINESS_STATUSES, REMOVAL_REASONS, STAGES


def parse_form(schema: Schema, form, *, lists=(), partial=False) -> tuple[dict, dict]:
    """Load an HTML form with a marshmallow schema: (data, errors). Empty optional fields are left out."""
    raw = {}
    for key in form.keys():
        if key in lists:
            raw[key] = [v for v in form.getlist(key) if v.strip()]
        elif key != "csrf_token":
            value = form.get(key, "").strip()
            if value != "":
                raw[key] = value
    for key in lists:
        if key in raw and len(raw[key]) == 1 and ("," in raw[key][0] or "，" in raw[key][0]):
            raw[key] = [t.strip() for t in raw[key][0].replace("，", ",").split(",") if t.strip()]
    try:
        return schema.load(raw, partial=partial, unknown="exclude"), {}
    except ValidationError as err:
        return {}, err.messages


def template_helpers() -> dict:
    """Labels and the current user for every template."""
    return {"STAGES": STAGES, "UNIT_TYPES": UNIT_TYPES, "CARRIER_KINDS": CARRIER_KINDS, "ROLES": ROLES,
            "REMOVAL_REASONS": REMOVAL_REASONS, "BUSINESS_STATUSES": BUSINESS_STATUSES,
            "me": g.get("user")}
