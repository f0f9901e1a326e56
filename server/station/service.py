"""Stations and targets, and the one rule of scope: whose records a user may touch."""
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

import sqlalchemy as sa

from server.core.clock import today
from server.core.errors import Forbidden, Invalid, NotFound
from server.extensions import db
from server.station.models import TARGET_KINDS, County, ProgrammeYear, Station, Target

# Roles that see a whole county: its admin, and a region user's read-only look at one county (CountyLens).
COUNTY_WIDE = ("county_admin", "county_view")


@dataclass(frozen=True)
class CountyLens:
    """One county as its county admin sees it, read-only: what a city or province user looks through at a
    county (its dashboard, pace, complaint rates). Never a request's user; made by `county_lens` only."""

    county_id: int
    role: str = "county_view"
    station_id: None = None
    id: None = None

    @property
    def is_county(self) -> bool:
        return True


@dataclass(frozen=True)
class StationLens:
    """One station as its station admin sees it, read-only: what a job computing every station's bulletin
    for a county admin looks through (never a request's user)."""

    county_id: int
    station_id: int
    role: str = "station_view"
    id: None = None

    @property
    def is_county(self) -> bool:
        return False


@dataclass(frozen=True)
class RegionLens:
    """A city or the province as any of its accounts sees it, read-only: what the periodic refresh of
    the roll-up (region.snapshot) counts through, with no account behind it. Never a request's user."""

    region_id: int
    role: str  # "city" or "province", the region's kind
    county_id: None = None
    station_id: None = None
    id: None = None

    @property
    def is_county(self) -> bool:
        return False

    @property
    def is_region(self) -> bool:
        return True


def region_county_ids(user):
    """The counties a city or province user oversees, as a SELECT of county ids: the province every
    county, a city the counties placed in it (County.region_id)."""
    q = sa.select(County.id)
    if user.role == "province":
        return q
    return q.where(County.region_id == user.region_id)


def scope_clause(user, station_col, county_col):
    """A WHERE clause limiting rows to what the user may see: their county, or their station; for a
    city or province user, the counties they oversee (read-only: server.web lets them reach no write)."""
    if user.role in COUNTY_WIDE:
        return county_col == user.county_id
    if user.role in ("city", "province"):
        return county_col.in_(region_county_ids(user)) if user.role == "city" else sa.true()
    return station_col == user.station_id


def region_counties(user) -> list[County]:
    """The counties a city or province user oversees, by code; [] for anyone else."""
    if user.role not in ("city", "province"):
        return []
    q = sa.select(County).where(County.id.in_(region_county_ids(user)))
    return db.session.scalars(q.order_by(County.code)).all()


def county_lens(user, county_id: int) -> CountyLens:
    """A read-only look at one county for a city or province user who oversees it; NotFound otherwise
    (no hint that the county exists)."""
    if user.role not in ("city", "province") or not db.session.scalar(
            sa.select(sa.func.count()).where(County.id == county_id, County.id.in_(region_county_ids(user)))):
        raise NotFound("找不到该县（市、区）")
    return CountyLens(county_id)


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
    """Years that have targets in the user's county (or the counties a region user oversees), newest first."""
    county = Target.county_id.in_(region_county_ids(user)) if user.role in ("city", "province") \
        else Target.county_id == user.county_id
    q = sa.select(Target.year).where(county).distinct()
    return sorted(db.session.scalars(q).all(), reverse=True)


def targets_for(user, year: int) -> dict:
    """{(station_id or None, kind): count} for the year, within the user's scope (one county's: a region
    user asks per county, `targets_by_county`)."""
    q = sa.select(Target).where(Target.county_id == user.county_id, Target.year == year)
    if user.role not in COUNTY_WIDE:
        q = q.where(sa.or_(Target.station_id == user.station_id, Target.station_id.is_(None)))
    return {(t.station_id, t.kind): t.count for t in db.session.scalars(q)}


def targets_by_county(user, year: int) -> dict:
    """{county_id: {(station_id or None, kind): count}} for the year over the counties a city or province
    user oversees, in one query; each county's dict is what `targets_for` gives its county admin."""
    q = sa.select(Target.county_id, Target.station_id, Target.kind, Target.count).where(
        Target.year == year, Target.county_id.in_(region_county_ids(user)))
    out = {}
    for c, s, k, n in db.session.execute(q):
        out.setdefault(c, {})[(s, k)] = n
    return out


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


class Milestones(NamedTuple):
    """A programme year's two dates (work plan: 系统录入 100% by 30 June; 后评价 and 标识张贴 by 30 November)."""
    entry_due: date
    evaluation_due: date


def default_milestones(year: int) -> Milestones:
    """The plan's dates for a year."""
    return Milestones(date(year, 6, 30), date(year, 11, 30))


def milestones(county_id: int, year: int) -> Milestones:
    """The county's dates for the year: as set by its county admin, else the plan's."""
    row = db.session.scalar(sa.select(ProgrammeYear).where(ProgrammeYear.county_id == county_id,
                                                           ProgrammeYear.year == year))
    return Milestones(row.entry_due, row.evaluation_due) if row else default_milestones(year)


def milestones_by_county(county_ids, year: int) -> dict:
    """{county_id: Milestones} for many counties in one query; the plan's dates where none are set."""
    rows = {r.county_id: Milestones(r.entry_due, r.evaluation_due) for r in db.session.scalars(
        sa.select(ProgrammeYear).where(ProgrammeYear.year == year, ProgrammeYear.county_id.in_(list(county_ids))))}
    return {c: rows.get(c) or default_milestones(year) for c in county_ids}


def set_milestones(user, year: int, entry_due: date, evaluation_due: date) -> Milestones:
    """Set a year's milestone dates; county admins only, both dates within the year, entry first.

    Signs already issued keep the validity date they were given (dated data, not recomputed)."""
    if user.role != "county_admin":
        raise Forbidden("只有县局管理员可以设置年度节点")
    errors = {}
    if not 2000 <= year <= 2100:
        errors["year"] = ["年份不正确"]
    for key, d in (("entry_due", entry_due), ("evaluation_due", evaluation_due)):
        if d.year != year:
            errors[key] = [f"日期须在{year}年内"]
    if not errors and entry_due > evaluation_due:
        errors["evaluation_due"] = ["后评价截止日期不能早于录入截止日期"]
    if errors:
        raise Invalid("节点日期有误，请按提示修改", fields=errors)
    row = db.session.scalar(sa.select(ProgrammeYear).where(ProgrammeYear.county_id == user.county_id,
                                                           ProgrammeYear.year == year))
    if row is None:
        row = ProgrammeYear(county_id=user.county_id, year=year)
        db.session.add(row)
    row.entry_due, row.evaluation_due = entry_due, evaluation_due
    db.session.flush()
    return Milestones(entry_due, evaluation_due)


def current_programme_year(on: date | None = None) -> int:
    """The programme year in progress: the calendar year in China time (the plan runs January to
    its 30 November deadline; work on an earlier year's task counts for the task's year)."""
    return (on or today()).year


def sign_valid_until(county_id: int, year: int) -> date:
    """The date a sign of the year is valid until: the county's post-evaluation deadline of the next
    programme year, by which the unit must pass again to be renewed (default 30 November of year+1)."""
    return milestones(county_id, year + 1).evaluation_due
