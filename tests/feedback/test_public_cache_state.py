"""The kept sign page against the records, step by step (a Hypothesis state machine): whatever staff change,
whatever the clock and the date do, a scan shows the page a render would give now — but for a consumer's
evaluation stored by another process, which may wait out the TTL (server.public.cache)."""
import gzip
from datetime import date, timedelta

import sqlalchemy as sa
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from server.extensions import db
from server.feedback.models import Evaluation
from server.public import cache
from server.signage import state
from server.signage.models import Sign
from server.unit.models import Unit
from tests.conftest import YEAR
from tests.feedback.test_public_cache import add_evaluation_elsewhere, fake_clock
from tests.signage.conftest import evaluated, issue  # noqa: F401

ADDRESSES = ("五云街道1号", "壶镇镇2号", "新建镇3号")


def test_a_scan_shows_what_a_render_would_show_now(app, world, evaluated, monkeypatch):
    from server.public import views
    from server.public.service import sign_page
    _, token, _ = issue(app, world)
    with app.app_context():
        sign_id, until = db.session.execute(sa.select(Sign.id, Sign.valid_until).where(Sign.token == token)).one()
        start = {"address": db.session.get(Unit, world.ids["unit_a"]).address}
    days = (date(YEAR, 12, 1), until, until + timedelta(days=1))  # in force, its last day, expired
    move = fake_clock(monkeypatch, 10 ** 12)
    ttl = app.config["PUBLIC_PAGE_TTL"]
    clock = [0.0]
    evaluated_at = [None]  # the cache clock when another process last stored an evaluation
    day = [days[0]]
    monkeypatch.setattr(state, "today", lambda: day[0])

    class Scans(RuleBasedStateMachine):
        def __init__(self):
            super().__init__()
            self.client = app.test_client()
            # Each example starts from the same records, date and no kept page (the app is shared).
            with app.app_context():
                db.session.execute(sa.delete(Evaluation))
                db.session.get(Sign, sign_id).status = "issued"
                unit = db.session.get(Unit, world.ids["unit_a"])
                unit.address, unit.business_status = start["address"], "open"
                db.session.commit()
            app.extensions["public_pages"].drop(token)
            day[0], evaluated_at[0] = days[0], None

        @rule(address=st.sampled_from(ADDRESSES))
        def staff_edit_the_address(self, address):
            with app.app_context():
                db.session.get(Unit, world.ids["unit_a"]).address = address
                db.session.commit()

        @rule(status=st.sampled_from(("issued", "revoked", "replaced")))
        def staff_set_the_sign_status(self, status):
            with app.app_context():
                db.session.get(Sign, sign_id).status = status
                db.session.commit()

        @rule(business=st.sampled_from(("open", "open", "closed")))
        def the_business_opens_or_closes(self, business):
            with app.app_context():
                db.session.get(Unit, world.ids["unit_a"]).business_status = business
                db.session.commit()

        @rule(other=st.sampled_from(ADDRESSES))
        def another_unit_changes(self, other):  # moves the stamp, changes nothing on this page
            with app.app_context():
                db.session.get(Unit, world.ids["unit_b"]).address = other
                db.session.commit()

        @rule(stars=st.integers(1, 5))
        def another_process_stores_an_evaluation(self, stars):
            add_evaluation_elsewhere(app, world, sign_id, stars)
            evaluated_at[0] = clock[0]

        @rule(seconds=st.sampled_from((0.5, ttl - 1, ttl)))
        def time_passes(self, seconds):
            move(seconds)
            clock[0] += seconds

        @rule(to=st.sampled_from(days))
        def the_date_turns(self, to):
            day[0] = to

        @invariant()
        def a_scan_shows_the_page_rendered_now(self):
            r = self.client.get(f"/s/{token}", headers={"Accept-Encoding": "gzip"})
            shown = gzip.decompress(r.get_data())
            with app.test_request_context(f"/s/{token}"):
                page = sign_page(token)
                now = views._render_page(page, token).encode()
            if evaluated_at[0] is None or clock[0] - evaluated_at[0] >= ttl:
                assert shown == now
                assert r.headers["ETag"] == f'W/"{cache.cached_page(now, None).etag}"'
            else:  # the stars may wait out the TTL; the verdict never does
                assert f"<h1>{page.label}</h1>".encode() in shown

    Scans.TestCase.settings = settings(max_examples=50, stateful_step_count=20, deadline=None,
                                       suppress_health_check=[HealthCheck.function_scoped_fixture])
    run_state_machine_as_test(Scans, settings=Scans.TestCase.settings)
