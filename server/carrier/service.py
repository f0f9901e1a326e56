"""Carriers: list, create, edit, and their member units."""
import sqlalchemy as sa
from sqlalchemy.orm.attributes import flag_modified

from server.account.service import require_admin
from server.carrier.models import Carrier
from server.core.errors import Conflict, Invalid, NotFound
from server.extensions import db
from server.station.models import CARRIER_KINDS, Station
from server.station.service import check_station_access, scope_clause
from server.unit.models import Unit

FIELDS = ["kind", "name", "address", "leader_name", "leader_phone", "since_year", "active"]


def list_carriers(user, *, kind=None, station_id=None) -> list[Carrier]:
    """The carriers the user may see."""
    q = sa.select(Carrier).where(scope_clause(user, Carrier.station_id, Carrier.county_id))
    if kind:
        q = q.where(Carrier.kind == kind)
    if station_id:
        q = q.where(Carrier.station_id == station_id)
    return db.session.scalars(q.order_by(Carrier.station_id, Carrier.kind, Carrier.name)).all()


def get_carrier(user, carrier_id: int) -> Carrier:
    """One carrier the user may see."""
    carrier = db.session.get(Carrier, carrier_id)
    if carrier is None:
        raise NotFound("找不到该载体")
    try:
        check_station_access(user, carrier.station)
    except NotFound:
        raise NotFound("找不到该载体") from None
    return carrier


def _members(user, carrier_station_id: int, unit_ids: list[int]) -> list[Unit]:
    units = db.session.scalars(sa.select(Unit).where(Unit.id.in_(unit_ids))).all() if unit_ids else []
    if len(units) != len(set(unit_ids)) or any(u.station_id != carrier_station_id for u in units):
        raise Invalid("成员单位须为同一所（分局）的单位", fields={"member_ids": ["成员单位不正确"]})
    return units


def create_carrier(user, data: dict) -> Carrier:
    """A new carrier in a station the user may act on."""
    require_admin(user)
    station = check_station_access(user, db.session.get(Station, data.get("station_id") or user.station_id))
    if data["kind"] not in CARRIER_KINDS:
        raise Invalid("载体类型不正确", fields={"kind": ["载体类型不正确"]})
    carrier = Carrier(county_id=station.county_id, station_id=station.id,
                      **{k: data[k] for k in FIELDS if k in data})
    carrier.members = _members(user, station.id, data.get("member_ids", []))
    db.session.add(carrier)
    db.session.flush()
    return carrier


def update_carrier(user, carrier_id: int, data: dict, *, base_version: int) -> Carrier:
    """Edit a carrier made on base_version; stale edits are conflicts."""
    carrier = get_carrier(user, carrier_id)
    require_admin(user)
    if carrier.version != base_version:
        raise Conflict("该载体已被他人修改，请刷新后再保存", current=carrier)
    for key in FIELDS:
        if key in data:
            setattr(carrier, key, data[key])
    if "member_ids" in data:
        members = _members(user, carrier.station_id, data["member_ids"])
        if {u.id for u in members} != {u.id for u in carrier.members}:
            carrier.members = members
            # The member list lives in another table: mark the row changed so its version moves too.
            flag_modified(carrier, "name")
    db.session.flush()
    return carrier


def carrier_counts(user, year: int) -> dict:
    """{(station_id, kind): number of active carriers standing in the year}."""
    q = (sa.select(Carrier.station_id, Carrier.kind, sa.func.count())
         .where(scope_clause(user, Carrier.station_id, Carrier.county_id),
                Carrier.active.is_(True), Carrier.since_year <= year)
         .group_by(Carrier.station_id, Carrier.kind))
    return {(s, k): n for s, k, n in db.session.execute(q)}
