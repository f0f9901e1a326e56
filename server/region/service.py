"""What a city or province user sees: the roll-up of its counties and one county's board, from the
dashboard's, pace's and complaint rates' own functions (no second way of counting); people masked."""
from datetime import date, timedelta

import sqlalchemy as sa

from server.account.models import User
from server.complaint.rates import no_rates, rates, rates_by_county
from server.core.clock import today
from server.core.privacy import mask_name, mask_phone
from server.dashboard import chart, pace
from server.dashboard import service as progress
from server.extensions import db
from server.station.models import County, Region
from server.station.service import county_lens, region_counties, targets_for  # noqa: F401


def default_year(user) -> int:
    """The latest year with targets in the counties overseen, or this year."""
    return progress.default_year(user)


def rate_period(year: int, on: date | None = None) -> tuple[date, date]:
    """[1 January, the end): the year so far (today included) for this year, the whole year for a past one."""
    on = on or today()
    return date(year, 1, 1), min(on + timedelta(days=1), date(year + 1, 1, 1))


def overview(user, year: int, on: date | None = None) -> dict:
    """The roll-up (dashboard.service.rollup) with each county's complaint rates and the total's.

    Returns rollup's dict plus "rates": {county_id: rates, "total": rates} (complaint.rates) and
    "period": (start, end)."""
    board = progress.rollup(user, year, on)
    start, end = rate_period(year, on)
    found = rates_by_county(user, start, end, on)
    empty = no_rates(start, end)
    board["rates"] = {c["county"].id: found.get(c["county"].id, empty) for c in board["counties"]}
    board["rates"]["total"] = found["total"]
    board["period"] = (start, end)
    return board


def county_view(user, county_id: int, year: int, on: date | None = None) -> dict:
    """One county as its county admin's dashboard shows it (board, pace, charts), its complaint rates and
    its contacts masked. NotFound for a county the user does not oversee."""
    lens = county_lens(user, county_id)
    county = db.session.get(County, county_id)
    board = progress.dashboard(lens, year, on)
    forecast = pace.pace(lens, year, [r["station"] for r in board["rows"]], targets_for(lens, year), on)
    start, end = rate_period(year, on)
    return {"county": county, "board": board, "pace": forecast, "charts": chart.charts(forecast),
            "rates": rates(lens, start, end, on)["county"], "period": (start, end),
            "contacts": contacts(county_id)}


def contacts(county_id: int) -> list[dict]:
    """The county's admins to call, masked: [{role, station, name (张*), phone (138****1234)}], the county
    admins first, then each station's."""
    q = (sa.select(User).where(User.county_id == county_id, User.active.is_(True),
                               User.role.in_(("county_admin", "station_admin")))
         .order_by(User.role, User.station_id, User.id))
    return [{"role": u.role_label, "station": u.station.name if u.station else "县局",
             "name": mask_name(u.name), "phone": mask_phone(u.phone)} for u in db.session.scalars(q)]


def region_name(user) -> str:
    """The name of the user's city or province."""
    region = db.session.get(Region, user.region_id) if user.region_id else None
    return region.name if region else ("全省" if user.role == "province" else "")
