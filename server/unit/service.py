"""Units: search, create, edit with conflict detection, and the history of every change."""
from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from server.account.service import require_admin
from server.core import uscc
from server.core.clock import happened_at
from server.core.errors import Conflict, Forbidden, Invalid, NotFound
from server.extensions import db
from server.station.models import Station
from server.station.service import check_station_access, scope_clause
from server.unit.models import ENDING_STATUSES, TRACKED_FIELDS, Unit, UnitChange, UnitYear

INSPECTOR_EDITABLE = {"address", "contact_phone", "business_status", "lat", "lng"}
EDITABLE = ["name", "uscc", "address", "lat", "lng", "industry", "contact_name", "contact_phone",
            "station_id", "type", "return_days", "return_exclusions", "tags", "business_status"]


def get_unit(user, unit_id: int) -> Unit:
    """A unit the user may see; NotFound for others' units, as for missing ones."""
    unit = db.session.get(Unit, unit_id)
    if unit is None or not _visible(user, unit):
        raise NotFound("找不到该单位")
    return unit


class UnitRef(NamedTuple):
    """Who a unit belongs to: enough to check scope and to file records against it."""
    id: int
    county_id: int
    station_id: int
    lat: float | None = None
    lng: float | None = None


_UNIT_REF = sa.select(Unit.id, Unit.county_id, Unit.station_id, Unit.lat, Unit.lng).where(Unit.id == sa.bindparam("id"))


def unit_ref(user, unit_id: int) -> UnitRef:
    """get_unit without loading the record, for writers that only file things against it (an
    inspection on every push); NotFound alike for others' units and missing ones."""
    row = db.session.connection().execute(_UNIT_REF, {"id": unit_id}).first()
    if row is None or not _visible(user, row):
        raise NotFound("找不到该单位")
    return UnitRef(*row)


def _visible(user, unit: Unit | UnitRef) -> bool:
    if user.role == "county_admin":
        return unit.county_id == user.county_id
    return unit.station_id == user.station_id


def search_units(user, *, q="", station_id=None, type=None, stage=None, year=None,
                 page=1, per_page=20):
    """A page of the units the user may see, with their stage in the year; (rows, total).

    Each row is (unit, stage or None). stage "none" finds units not enrolled that year.
    """
    uy = sa.orm.aliased(UnitYear)
    query = (sa.select(Unit, uy.stage)
             .outerjoin(uy, sa.and_(uy.unit_id == Unit.id, uy.year == year))
             .where(scope_clause(user, Unit.station_id, Unit.county_id)))
    if q:
        like = f"%{q.strip()}%"
        query = query.where(sa.or_(Unit.name.ilike(like), Unit.uscc.ilike(like), Unit.address.ilike(like)))
    if station_id:
        query = query.where(Unit.station_id == station_id)
    if type:
        query = query.where(Unit.type == type)
    if stage == "none":
        query = query.where(uy.id.is_(None))
    elif stage:
        query = query.where(uy.stage == stage)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    rows = db.session.execute(query.options(joinedload(Unit.station))
                              .order_by(Unit.station_id, Unit.name, Unit.id)
                              .limit(per_page).offset((page - 1) * per_page)).all()
    return [(r[0], r[1]) for r in rows], total


def name_problem(name: str) -> str | None:
    """Why a unit name cannot be printed on its sign (characters the sign's font lacks, emoji), or None.
    Refused when entered, naming the characters, rather than when a sign is first drawn."""
    from server.signage.printing import undrawable
    missing = undrawable(name)
    if missing:
        return f"标识上印不出这些字符：{' '.join(missing[:10])}，请删除或改用文字"
    return None


def _check_fields(user, data: dict, unit: Unit | None) -> dict:
    """Normalise and check the business rules a schema cannot know; returns the cleaned data."""
    data = dict(data)
    errors = {}
    if "uscc" in data:
        data["uscc"] = uscc.normalise(data["uscc"])
        why = uscc.problem(data["uscc"])
        if why:
            errors["uscc"] = [why]
        else:
            holder = db.session.scalar(sa.select(Unit).where(Unit.uscc == data["uscc"]))
            if holder is not None and (unit is None or holder.id != unit.id):
                errors["uscc"] = [f"该统一社会信用代码已登记为“{holder.name}”"]
    why = name_problem(data.get("name") or "")
    if why:
        errors["name"] = [why]
    if "station_id" in data:
        station = db.session.get(Station, data["station_id"]) if data["station_id"] else None
        if station is None or station.county_id != user.county_id or (
                user.role != "county_admin" and station.id != user.station_id):
            errors["station_id"] = ["请选择本人有权管理的所（分局）"]
    unit_type = data.get("type", unit.type if unit else None)
    if unit_type == "no_reason_return":
        days = data.get("return_days", unit.return_days if unit else None)
        if not days:
            errors["return_days"] = ["无理由退货单位须填写退货期限（天）"]
    elif "type" in data:
        data["return_days"] = None
    if "tags" in data:
        data["tags"] = sorted({t.strip() for t in data["tags"] if t and t.strip()})
    if errors:
        raise Invalid("填写的内容有误，请按提示修改", fields=errors)
    return data


def create_unit(user, data: dict, *, year: int | None = None, stage: str = "pool") -> Unit:
    """A new unit in the user's scope, enrolled in the year's cultivation pool when a year is given."""
    require_admin(user)
    if user.role != "county_admin" and not data.get("station_id"):
        data = {**data, "station_id": user.station_id}
    data = _check_fields(user, data, None)
    station = db.session.get(Station, data["station_id"])
    unit = Unit(county_id=station.county_id, **{k: data[k] for k in EDITABLE if k in data})
    db.session.add(unit)
    db.session.flush()
    if year:
        from server.unit.lifecycle import enroll
        enroll(user, unit, year, stage=stage)
    return unit


def update_unit(user, unit_id: int, data: dict, *, base_version: int, note: str = "") -> Unit:
    """Apply an edit made on base_version; a stale edit is a Conflict carrying the current unit."""
    unit = get_unit(user, unit_id)
    if user.role == "inspector" and set(data) - INSPECTOR_EDITABLE:
        raise Forbidden("执法人员只能修改地址、联系电话和经营状态")
    if base_version != unit.version:
        raise Conflict("该单位已被他人修改，请查看最新信息后再保存", current=unit)
    data = _check_fields(user, {k: v for k, v in data.items() if k in EDITABLE}, unit)
    changed = False
    old_station, old_status = unit.station_id, unit.business_status
    for key, value in data.items():
        old = getattr(unit, key)
        if old == value:
            continue
        setattr(unit, key, value)
        changed = True
        if key in TRACKED_FIELDS:
            db.session.add(UnitChange(unit_id=unit.id, field=key, old_value=_text(old), at=happened_at(),
                                      new_value=_text(value), note=note[:200], user_id=user.id))
    if changed:
        if "station_id" in data:
            check_station_access(user, db.session.get(Station, unit.station_id))
        db.session.flush()
        _follow(user, unit, old_station, old_status)
    return unit


def _follow(user, unit: Unit, old_station: int, old_status: str) -> None:
    """A move or an end of business takes the unit's year, signs, tasks and rectifications with it."""
    from server.unit import lifecycle
    if unit.station_id != old_station:
        lifecycle.moved(unit, old_station, user.id)
    if unit.business_status in ENDING_STATUSES and old_status not in ENDING_STATUSES:
        lifecycle.end_business(unit, unit.business_status, user.id)


def merge_edit(user, unit_id: int, changes: dict, base: dict, note: str = "") -> Unit:
    """Apply an edit made offline field by field (issue 18, item 9): `base` holds the values the device
    saw for the fields it changed. A field conflicts only when both sides changed it to different values
    (the server's value is no longer the base, nor already the device's); the other fields merge. A
    Conflict carries the current unit and `fields`, the colliding field names; nothing is applied then."""
    unit = get_unit(user, unit_id)
    current = {f: getattr(unit, f) for f in changes}
    colliding = sorted(f for f in changes if f in base and not _same(current[f], base[f])
                       and not _same(current[f], changes[f]))
    if colliding:
        raise Conflict("该单位的" + "、".join(FIELD_WORDS.get(f, f) for f in colliding) + "已被他人修改，请选择保留哪一个",
                       current=unit, fields={f: ["双方都修改了这一项"] for f in colliding})
    todo = {f: v for f, v in changes.items() if not _same(current[f], v)}
    return update_unit(user, unit_id, todo, base_version=unit.version, note=note) if todo else unit


FIELD_WORDS = {"address": "地址", "contact_phone": "联系电话", "business_status": "经营状态", "lat": "纬度", "lng": "经度"}


def _same(a, b) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        return a is not None and b is not None and abs(float(a) - float(b)) < 1e-7
    return (a or None) == (b or None)


def _text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, list):
        return "、".join(value)
    return str(value)


def unit_history(user, unit_id: int) -> list[UnitChange]:
    """Every recorded change of the unit's profile, newest first."""
    get_unit(user, unit_id)
    return db.session.scalars(sa.select(UnitChange).where(UnitChange.unit_id == unit_id)
                              .order_by(UnitChange.at.desc(), UnitChange.id.desc())).all()
