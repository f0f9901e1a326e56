"""The SQL form of "sign in force" (state.in_force_clause) says what sign_state says, sign by sign."""
import itertools

import sqlalchemy as sa

from server.extensions import db
from server.signage.models import Sign
from server.signage.state import in_force_clause, sign_state
from server.station.models import Target
from server.unit.models import Unit, UnitYear
from tests.conftest import YEAR, valid_uscc

STATUSES = ("issued", "revoked", "replaced")
THEN = (None, "sign_posted", "removed")  # the unit's stage in the sign's year
NOW = (None, "pool", "evaluated", "sign_posted", "removed")  # its stage in the latest year


def _sign(world, unit, year, status, n):
    s = Sign(county_id=world.ids["county"], station_id=unit.station_id, unit_id=unit.id, year=year,
             type="general", seq=n, serial=f"JY-{year}-{n:06d}", token=f"tok{n:013d}", status=status)
    db.session.add(s)
    return s


def test_clause_agrees_with_sign_state_for_every_case(app, world):
    # Given a sign of every status, for a unit at every stage in the sign's year and in the latest year,
    # of the latest year and of the year before
    with app.app_context():
        n = 100
        for status, then, now, year in itertools.product(STATUSES, THEN, NOW, (YEAR - 1, YEAR)):
            n += 1
            unit = Unit(county_id=world.ids["county"], station_id=world.ids["a"], name=f"单位{n}",
                        uscc=valid_uscc(n), address="五云", type="general")
            db.session.add(unit)
            db.session.flush()
            if year < YEAR and then is not None:
                db.session.add(UnitYear(unit_id=unit.id, year=year, stage=then))
            if now is not None:
                db.session.add(UnitYear(unit_id=unit.id, year=YEAR, stage=now if year < YEAR or then is None
                                        else then))
            _sign(world, unit, year, status, n)
        db.session.commit()
        # When each is judged one by one and by the clause in one query
        signs = db.session.scalars(sa.select(Sign)).all()
        by_state = {s.id for s in signs if sign_state(s) == "valid"}
        by_clause = set(db.session.scalars(sa.select(Sign.id).where(in_force_clause())))
        # Then both say the same, and both kinds occur
        assert by_clause == by_state
        assert by_state and len(by_state) < len(signs)


def test_no_targets_yet_every_issued_sign_of_a_standing_unit_is_in_force(app, world):
    with app.app_context():
        db.session.execute(sa.delete(Target))
        unit = db.session.get(Unit, world.ids["unit_a"])
        _sign(world, unit, YEAR - 3, "issued", 1)
        db.session.commit()
        s = db.session.scalar(sa.select(Sign))
        assert sign_state(s) == "valid"
        assert db.session.scalars(sa.select(Sign.id).where(in_force_clause())).all() == [s.id]
