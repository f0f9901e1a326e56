"""The public directory: trusted units whose sign is in force, searched and filtered, page by page.

Only public facts (name, address, industry, type and what it promises, tags, station, the sign's year and its
page) — never a contact person or phone. Which signs are in force is the signage domain's one rule
(server.signage.state.in_force_clause); nothing here decides it.
"""
import json
from dataclasses import dataclass, field

import sqlalchemy as sa

from server.carrier.models import Carrier, carrier_member
from server.extensions import db
from server.signage.models import SIGN_TITLES, Sign
from server.signage.state import in_force_clause
from server.station.models import CARRIER_KINDS, UNIT_TYPES, County, Station
from server.unit.models import Unit

PAGE_SIZE = 20
PRINT_MAX = 5000  # entries on one printed township list (a county's township holds a few hundred)
TAGS = ("党员经营户", "党员先锋岗")  # the programme's tags a consumer may look for (work plan)


@dataclass(frozen=True)
class Filters:
    """What a consumer asked for; every field optional. `page` counts from 1."""

    q: str = ""
    county_id: int | None = None
    station_id: int | None = None
    type: str | None = None
    tag: str | None = None
    carrier_id: int | None = None
    page: int = 1


@dataclass
class Entry:
    """One unit as the directory shows it: public facts and the page of its sign in force."""

    id: int
    name: str
    address: str
    industry: str
    type: str
    type_label: str
    return_days: int | None
    return_exclusions: str
    tags: list
    station: str
    token: str = ""
    year: int | None = None
    valid_until: object = None  # date: the sign's validity, as its page shows it


def _listed():
    """Units with at least one sign in force (EXISTS over the unit's signs)."""
    return sa.select(Sign.id).where(Sign.unit_id == Unit.id, in_force_clause()).correlate(Unit).exists()


def _where(f: Filters) -> list:
    conds = [_listed()]
    if f.q:
        conds.append(sa.or_(*(col.contains(f.q, autoescape=True) for col in (Unit.name, Unit.address,
                                                                             Unit.industry))))
    for col, value in ((Unit.county_id, f.county_id), (Unit.station_id, f.station_id), (Unit.type, f.type)):
        if value is not None:
            conds.append(col == value)
    if f.tag:  # tags is a JSON list written by json.dumps: match the tag's own encoding, quotes included
        conds.append(sa.cast(Unit.tags, sa.Text).contains(json.dumps(f.tag), autoescape=True))
    if f.carrier_id is not None:
        conds.append(sa.select(carrier_member.c.unit_id).where(carrier_member.c.unit_id == Unit.id,
                                                               carrier_member.c.carrier_id == f.carrier_id)
                     .correlate(Unit).exists())
    return conds


_COLUMNS = (Unit.id, Unit.name, Unit.address, Unit.industry, Unit.type, Unit.return_days,
            Unit.return_exclusions, Unit.tags, Station.name)


def _entries(rows) -> list[Entry]:
    entries = [Entry(id=r[0], name=r[1], address=r[2], industry=r[3], type=r[4],
                     type_label=SIGN_TITLES.get(r[4], UNIT_TYPES.get(r[4], "")),
                     return_days=r[5] if r[4] == "no_reason_return" else None,
                     return_exclusions=r[6] if r[4] == "no_reason_return" else "",
                     tags=[t for t in (r[7] or []) if t in TAGS], station=r[8]) for r in rows]
    by_id = {e.id: e for e in entries}
    if by_id:  # each unit's newest sign in force: the page the entry links to
        signs = db.session.execute(sa.select(Sign.unit_id, Sign.token, Sign.year, Sign.valid_until)
                                   .where(Sign.unit_id.in_(by_id), in_force_clause())
                                   .order_by(Sign.unit_id, Sign.year, Sign.id))
        for unit_id, token, year, until in signs:
            e = by_id[unit_id]
            e.token, e.year, e.valid_until = token, year, until
    return entries


def search(f: Filters, per_page: int = PAGE_SIZE) -> tuple[list[Entry], bool]:
    """(entries of page f.page by name, whether a next page exists). No total is counted: a count over a
    province's units costs more than the page itself, and a consumer pages on or narrows the search."""
    q = (sa.select(*_COLUMNS).join(Station, Station.id == Unit.station_id).where(*_where(f))
         .order_by(Unit.name, Unit.id).offset((max(f.page, 1) - 1) * per_page).limit(per_page + 1))
    rows = db.session.execute(q).all()
    return _entries(rows[:per_page]), len(rows) > per_page


def township_list(station_id: int) -> tuple[Station | None, list[Entry]]:
    """(the station, every unit of it in force, by name) — the printed list for a notice board."""
    station = db.session.get(Station, station_id)
    if station is None:
        return None, []
    entries, _ = search(Filters(station_id=station_id), per_page=PRINT_MAX)
    return station, entries


@dataclass
class Choices:
    """What the filters offer: counties (when there are several), stations, carriers of the chosen station."""

    counties: list = field(default_factory=list)
    stations: list = field(default_factory=list)
    carriers: list = field(default_factory=list)
    types: dict = field(default_factory=lambda: dict(UNIT_TYPES))
    tags: tuple = TAGS


def choices(f: Filters) -> Choices:
    """The filter options for the form. Stations are those of the chosen county, or of the only county;
    carriers those of the chosen station (a province holds too many to list at once)."""
    c = Choices()
    c.counties = db.session.execute(sa.select(County.id, County.name).order_by(County.id)).all()
    county_id = f.county_id if f.county_id is not None else (c.counties[0][0] if len(c.counties) == 1 else None)
    if county_id is not None:
        c.stations = db.session.execute(sa.select(Station.id, Station.name).where(Station.county_id == county_id)
                                        .order_by(Station.position, Station.id)).all()
    if f.station_id is not None:
        c.carriers = [(cid, f"{name}（{CARRIER_KINDS.get(kind, '')}）") for cid, name, kind in db.session.execute(
            sa.select(Carrier.id, Carrier.name, Carrier.kind)
            .where(Carrier.station_id == f.station_id, Carrier.active.is_(True)).order_by(Carrier.name))]
    return c
