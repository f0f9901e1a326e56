"""A Core SELECT run straight on a pooled DBAPI connection (server.core.pool.hand_run_one) gives what the same
statement gives through SQLAlchemy: the same values of the same Python types, on SQLite and PostgreSQL."""
from datetime import date, datetime

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from server.core.clock import utcnow
from server.core.pool import hand_run_one
from server.extensions import db
from server.feedback.models import Evaluation
from server.signage.models import Sign
from tests.conftest import bearer
from tests.signage.conftest import evaluated, issue  # noqa: F401
from tests.sync.conftest import checklist, inspection_body  # noqa: F401
from tests.signage.test_in_force import _every_case

# Values in, values out: a date and a timestamp pass a bind processor on SQLite (to SQLAlchemy's text, which
# is not the driver's own: "…00:00:00.000000", not "…00:00:00") and a result processor back; an integer
# past 2³¹ and any text but NUL (emoji, other planes) pass as they are.
ECHO = sa.select(sa.bindparam("d", type_=sa.Date).label("d"), sa.bindparam("t", type_=sa.DateTime).label("t"),
                 sa.cast(sa.bindparam("t", type_=sa.DateTime), sa.String).label("bound"),
                 sa.bindparam("n", type_=sa.BigInteger).label("n"), sa.bindparam("s", type_=sa.String).label("s"))
BY_DATE = sa.select(Sign.token, Sign.valid_until).where(Sign.valid_until == sa.bindparam("on", type_=sa.Date))


def _same(hand, through):
    """Equal field by field, and of the same type (a date is no string, an int no Decimal)."""
    assert hand is not None and through is not None
    assert tuple(hand) == tuple(through)
    assert [type(v) for v in hand] == [type(v) for v in through]
    assert hand._fields == tuple(through._fields)


def test_the_facts_of_every_sign_read_the_same_both_ways(app, client, world, evaluated, checklist):
    from server.public.service import _FACTS
    _, token, _ = issue(app, world)
    body = inspection_body(world.ids["unit_a"], checklist, kind="post_evaluation")  # a timestamp to read
    r = client.post("/api/v1/sync/push", json={"changes": [{"id": body["client_id"], "type": "inspection",
                                                             "data": body}]},
                    headers=bearer(world.tokens["inspector_a"]))
    assert r.json["results"][0]["status"] == "applied", r.json
    with app.app_context():
        _every_case(world)
        sign = db.session.scalar(sa.select(Sign).where(Sign.token == token))
        for stars in (5, 4, 4):  # an average that is no whole number
            db.session.add(Evaluation(unit_id=sign.unit_id, sign_id=sign.id, county_id=sign.county_id,
                                      station_id=sign.station_id, stars=stars, tags=[], comment="",
                                      address_hash="x", created_at=utcnow()))
        db.session.commit()
        tokens = db.session.scalars(sa.select(Sign.token)).all()
        rows = {t: hand_run_one(db.engine, _FACTS, {"token": t}) for t in tokens}
        for t in tokens:
            _same(rows[t], db.session.execute(_FACTS, {"token": t}).one())
        assert rows[token].ended_at is not None and rows[token].n == 3
        assert hand_run_one(db.engine, _FACTS, {"token": "no-such-token"}) is None


def test_a_date_parameter_is_bound_as_sqlalchemy_binds_it(app, world):
    with app.app_context():
        _every_case(world)
        on = date(2023, 12, 1)
        expected = db.session.execute(BY_DATE, {"on": on}).first()
        _same(hand_run_one(db.engine, BY_DATE, {"on": on}), expected)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(d=st.dates(min_value=date(1900, 1, 1)), t=st.datetimes(min_value=datetime(1900, 1, 1)),
       n=st.integers(min_value=-2 ** 62, max_value=2 ** 62),
       s=st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=30))
def test_values_come_back_as_through_sqlalchemy(app, d, t, n, s):
    with app.app_context():
        values = {"d": d, "t": t, "n": n, "s": s}
        through = db.session.execute(ECHO, values).one()
        db.session.rollback()
        _same(hand_run_one(db.engine, ECHO, values), through)
        assert (through[0], through[1], through[3], through[4]) == (d, t, n, s)
