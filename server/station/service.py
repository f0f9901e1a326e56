"""Stations and targets, and the one rule of scope: whose records a user may touch."""
import sqlalchemy as sa

from server.core.errors import Forbidden, Invalid, NotFound
from server.extensions import db
from server.station.models import TARGET_KINDS, Station, Target


def scope_clause(user, station_col, county_col):
    """A WHERE clause limiting rows to what the user may see: their county, or their station."""
    if user.role == "county_admin":
        return county_col == user.county_id
    return station_col == user.station_id


def check_station_access(user, station: Station | None) -> Station:
    """The station if the user may act on it; NotFound otherwise (no hint that it exists)."""
    if station is None or station.county_id != user.county_id:
        raise NotFound("找不到该所（分局）")
    if user.role != "county_admin" and station.id != user.station_id:
        raise NotFound("找不到该所（分局）")
    return station


def list_stations(user) -> list[Station]:
    """The stations the user may see, in the order of the attachment table."""
    q = sa.select(Station).where(scope_clause(user, Station.id, Station.county_id))
    return db.session.scalars(q.order_by(Station.position, Station.id)).all()


def get_station(user, station_id: int) -> Station:
    """One station the user may see."""
    return check_station_access(user, db.session.get(Station, station_id))


def target_years(user) -> list[int]:
    """Years that have targets in the user's county, newest first."""
    q = sa.select(Target.year).where(Target.county_id == user.county_id).distinct()
    return sorted(db.session.scalars(q).all(), reverse=True)


def targets_for(user, year: int) -> dict:
    """{(station_id or None, kind): count} for the year, within the user's scope."""
    q = sa.select(Target).where(Target.county_id == user.county_id, Target.year == year)
    if user.role != "county_admin":
        q = q.where(sa.or_(Target.station_id == user.station_id, Target.station_id.is_(None)))
    return {(t.station_id, t.kind): t.count for t in db.session.scalars(q)}


def set_targets(user, year: int, entries: list[dict]) -> int:
    """Set targets for a year: each entry {station_id or None, kind, count}. County admins only."""
    if user.role != "county_admin":
        raise Forbidden("只有县局管理员可以设置年度目标")
    if not 2000 <= year <= 2100:
        raise Invalid("年份不正确", fields={"year": ["年份不正确"]})
    stations = {s.id for s in list_stations(user)}
    existing = {(t.station_id, t.kind): t for t in db.session.scalars(
        sa.select(Target).where(Target.county_id == user.county_id, Target.year == year))}
    for i, e in enumerate(entries):
        if e["kind"] not in TARGET_KINDS:
            raise Invalid("目标类型不正确", fields={f"entries.{i}.kind": ["目标类型不正确"]})
        if e.get("station_id") is not None and e["station_id"] not in stations:
            raise Invalid("找不到该所（分局）", fields={f"entries.{i}.station_id": ["找不到该所（分局）"]})
    for e in entries:
        key = (e.get("station_id"), e["kind"])
        if key in existing:
            existing[key].count = e["count"]
        else:
            db.session.add(Target(year=year, county_id=user.county_id, station_id=key[0],
                                  kind=key[1], count=e["count"]))
    db.session.flush()
    return len(entries)
