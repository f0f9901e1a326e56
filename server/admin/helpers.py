"""Small helpers shared by the admin views: form parsing, access checks and template globals."""
from datetime import date

from flask import g, request, url_for
from marshmallow import Schema, ValidationError

from server.core.clock import china_text
from server.account.models import COUNTY_ROLES, ROLES
from server.core.bounds import to_day
from server.core.errors import Forbidden, Invalid
from server.station.models import CARRIER_KINDS, TARGET_KINDS, UNIT_TYPES
from server.unit.models import BUSINESS_STATUSES, REMOVAL_REASONS, STAGE_ORDER, STAGES, TRACKED_FIELDS


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


def form_day(value: str | None, default: date | None = None, field: str = "day") -> date | None:
    """A date from a form or query argument: default when left empty; Invalid (422, a Chinese message for
    the field) for an impossible or far-off one (2023-02-30), never silently today."""
    if not value or not value.strip():
        return default
    try:
        return to_day(value)
    except ValueError as err:
        raise Invalid(str(err), fields={field: [str(err)]}) from None


def blanks(form, data: dict, *, texts=(), nulls=()) -> dict:
    """Fields sent empty on an edit form: clear them ("" or None) instead of leaving them unchanged."""
    out = dict(data)
    for key in texts:
        if key in form and not form.get(key, "").strip():
            out[key] = ""
    for key in nulls:
        if key in form and not form.get(key, "").strip():
            out[key] = None
    return out


def require_county() -> None:
    """Refuse anyone but a county admin (403)."""
    if g.user is None or g.user.role != "county_admin":
        raise Forbidden("只有县局管理员可以使用此功能")


def page_url(**changes) -> str:
    """The current page's URL with some query arguments changed."""
    args = request.args.to_dict()
    args.update({k: v for k, v in changes.items()})
    return url_for(request.endpoint, **(request.view_args or {}), **{k: v for k, v in args.items() if v not in ("", None)})


def cst(value, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A stored UTC time shown in China Standard Time."""
    return china_text(value, fmt)


def template_helpers() -> dict:
    """Labels and the current user for every template."""
    return {"STAGES": STAGES, "STAGE_ORDER": STAGE_ORDER, "UNIT_TYPES": UNIT_TYPES,
            "CARRIER_KINDS": CARRIER_KINDS, "TARGET_KINDS": TARGET_KINDS, "ROLES": ROLES, "COUNTY_ROLES": COUNTY_ROLES,
            "REMOVAL_REASONS": REMOVAL_REASONS, "BUSINESS_STATUSES": BUSINESS_STATUSES,
            "TRACKED_FIELDS": TRACKED_FIELDS, "page_url": page_url, "me": g.get("user")}
