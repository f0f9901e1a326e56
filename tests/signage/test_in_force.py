"""The SQL form of "sign in force" (state.in_force_clause) says what sign_state says, sign by sign."""
import itertools
from datetime import date

import sqlalchemy as sa

from server.extensions import db
from server.signage.models import Sign
from server.signage.state import in_force_clause, sign_state
from server.station.models import Target
from server.unit.models import Unit
from tests.conftest import YEAR, valid_uscc

STATUSES = ("issued", "revoked", "replaced")
BUSINESS = ("open", "suspended", "closed", "deregistered")
UNTIL = (date(YEAR, 11, 30), date(YEAR, 12, 1), date(YEAR + 1, 11, 30))  # around the day judged: 1 Dec YEAR
ON = date(YEAR, 12, 1)


def _sign(world, unit, year, status, n, until):
    s = Sign(county_id=world.ids["county"], station_id=unit.station_id, unit_id=unit.id, year=year,
             type="general", seq=n, serial=f"JY-{year}-{n:06d}", token=f"tok{n:013d}", status=status,
             valid_until=until)
    db.session.add(s)
    return s


def _every_case(world):
    """A sign of every status and validity date, for a unit of every business status (committed)."""
    n = 100
    for status, business, until in itertools.product(STATUSES, BUSINESS, UNTIL):
        n += 1
        unit = Unit(county_id=world.ids["county"], station_id=world.ids["a"], name=f"单位{n}",
                    uscc=valid_uscc(n), address="五云", type="general", business_status=business)
        db.session.add(unit)
        db.session.flush()
        _sign(world, unit, YEAR, status, n, until)
    db.session.commit()


def test_clause_agrees_with_sign_state_for_every_case(app, world):
    # Given a sign of every status and validity date, for a unit of every business status
    with app.app_context():
        _every_case(world)
        # When each is judged one by one and by the clause in one query
        signs = db.session.scalars(sa.select(Sign)).all()
        by_state = {s.id for s in signs if sign_state(s, ON) == "valid"}
        by_clause = set(db.session.scalars(sa.select(Sign.id).where(in_force_clause(ON))))
        # Then both say the same, and both kinds occur
        assert by_clause == by_state
        assert by_state and len(by_state) < len(signs)


def test_targets_change_nothing(app, world):
    with app.app_context():
        unit = db.session.get(Unit, world.ids["unit_a"])
        s = _sign(world, unit, YEAR, "issued", 1, date(YEAR + 1, 11, 30))
        db.session.add(Target(year=YEAR + 1, county_id=world.ids["county"], station_id=world.ids["a"],
                              kind="general", count=3))
        db.session.commit()
        assert sign_state(s, ON) == "valid"
        assert db.session.scalars(sa.select(Sign.id).where(in_force_clause(ON))).all() == [s.id]


def test_the_public_page_judges_by_the_same_rule(app, world):
    """The scan reads a sign in one row (server.public.service) and judges it by state_of: the same
    verdict as sign_state on the Sign, for every status, business status and validity date."""
    from server.public.service import sign_page
    with app.app_context():  # today is ON for both (tests/conftest.py)
        _every_case(world)
        verdicts = {s.token: sign_state(s) for s in db.session.scalars(sa.select(Sign))}
        assert {token: sign_page(token).state for token in verdicts} == verdicts
        assert set(verdicts.values()) == {"valid", "expired", "revoked", "replaced"}
