"""The stages on past dates (dashboard.service.stage_history, one walk for many dates) say what one grouped
query per date says: each unit's last lifecycle step (highest id) made before the next China midnight."""
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from server.core.clock import china_midnight
from server.dashboard.service import stage_counts, stage_history
from server.extensions import db
from server.station.models import County
from server.unit.models import LifecycleEvent, Unit
from server.account.models import User
from server.station.service import scope_clause
from tests.conftest import YEAR, valid_uscc

STAGES = ("pool", "committed", "profiled", "evaluated", "sign_issued", "sign_posted", "removed")
START = datetime(YEAR, 1, 1)
# Steps on a few weeks' days (and some in the year after), at 04:00, 15:59 or 16:00 UTC: 16:00 is China
# midnight, where a step belongs to the next day.
AT = st.builds(lambda d, t: START + timedelta(days=d) + t, st.integers(-3, 40) | st.just(380),
               st.sampled_from((timedelta(hours=4), timedelta(hours=15, minutes=59), timedelta(hours=16))))
STEP = st.tuples(st.integers(0, 5), st.sampled_from(STAGES), AT, st.sampled_from((YEAR, YEAR, YEAR + 1)))
DATES = st.lists(st.dates(date(YEAR - 1, 12, 28), date(YEAR, 2, 15)) | st.just(date(YEAR + 1, 1, 20)), min_size=1)


def by_one_query(user, year: int, as_of: date) -> dict:
    """The oracle: the grouped query per date the dashboard ran before (max(id) of the steps before then)."""
    cutoff = china_midnight(as_of + timedelta(days=1))
    last = (sa.select(LifecycleEvent.unit_id, sa.func.max(LifecycleEvent.id).label("id"))
            .join(Unit, Unit.id == LifecycleEvent.unit_id)
            .where(LifecycleEvent.year == year, LifecycleEvent.at < cutoff,
                   scope_clause(user, Unit.station_id, Unit.county_id))
            .group_by(LifecycleEvent.unit_id).subquery())
    q = (sa.select(Unit.station_id, Unit.type, LifecycleEvent.to_stage, sa.func.count())
         .join(last, last.c.unit_id == Unit.id).join(LifecycleEvent, LifecycleEvent.id == last.c.id)
         .group_by(Unit.station_id, Unit.type, LifecycleEvent.to_stage))
    return {(s, t, stg): n for s, t, stg, n in db.session.execute(q)}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(STEP, max_size=40), data=st.data())
def test_one_walk_says_what_one_query_per_date_says(app, world, steps, data):
    # The dates asked: any, and the China days of the steps and the days before (whose end is a step at midnight).
    days = sorted({(at + timedelta(hours=8)).date() - timedelta(days=k) for _, _, at, _ in steps for k in (0, 1)})
    dates = data.draw(st.lists(st.sampled_from(days) | DATES.map(lambda ds: ds[0]) if days else DATES.map(
        lambda ds: ds[0]), min_size=1, max_size=8))
    with app.app_context():
        county = db.session.get(County, world.ids["county"])
        stations = (world.ids["a"], world.ids["a"], world.ids["b"], world.ids["b"], world.ids["a"], world.ids["b"])
        units = []
        for i, sid in enumerate(stations):
            unit = Unit(county_id=county.id, station_id=sid, name=f"历史单位{i}", uscc=valid_uscc(900 + i),
                        address="五云", type=("general", "no_reason_return")[i % 2])
            db.session.add(unit)
            units.append(unit)
        db.session.flush()
        # Steps are numbered in the order given, whatever their time: a step recorded late may bear an earlier time.
        for u, stage, at, y in steps:
            db.session.execute(sa.insert(LifecycleEvent).values(unit_id=units[u].id, year=y, to_stage=stage, at=at,
                                                                 note=""))
        for who in ("county_admin", "admin_a"):
            user = db.session.get(User, world.ids[who])
            history = stage_history(user, YEAR, dates)
            assert set(history) == set(dates)
            for d in dates:
                assert history[d] == by_one_query(user, YEAR, d), (who, d)
                assert stage_counts(user, YEAR, d) == history[d]
        db.session.rollback()


def test_no_dates_no_query(app, world):
    with app.app_context():
        assert stage_history(db.session.get(User, world.ids["county_admin"]), YEAR, []) == {}
