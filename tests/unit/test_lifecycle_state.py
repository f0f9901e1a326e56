"""Stateful property (issue 15): random sequences of enrolment, every manual step, post-evaluations passed and
failed (inspections and recorded results), sign issue / print / replace / revoke / post, business status
changes, station transfers, removals and step-backs — all through the services, each step committed or rolled
back as a request would be — and after every step the invariants hold:

- a unit counted certified (标识发放/标识张贴) has exactly one sign in force for that year;
- a removed unit-year holds no sign of that year in force; a closed, transferred or deregistered unit none at
  all, and stands in no year;
- 后评价通过 and later rest on a passing post-evaluation of that year; 标识张贴 on a posted sign;
- a sign is visible and actionable to exactly its unit's station (and the county), and not to the other;
- every dashboard count equals the count recomputed from the raw records;
- only a sign in force renders; the public page never calls a revoked or replaced sign valid;
- a posted sign's photo was uploaded by the person who confirmed it.

The oracle below is plain Python over the rows, independent of server.integrity (which is checked to agree).
Runs on SQLite, or PostgreSQL with TEST_DATABASE_URL. Figures: see the README (section 有效期、续期与终止).
"""
import os
from datetime import date, datetime, timedelta, timezone

import sqlalchemy as sa
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from schemas.inspection import InspectionSubmitSchema
from server.account.models import User
from server.core.errors import DomainError
from server.dashboard.service import stage_counts
from server.extensions import db
from server.inspection.service import submit_inspection
from server.integrity.service import check
from server.photo.models import Photo
from server.signage import service as signs
from server.signage.models import REVOKE_REASONS, Sign
from server.signage.state import printable, sign_state
from server.unit import lifecycle
from server.unit.models import (CERTIFIED, ENDING_STATUSES, REMOVAL_REASONS, STAGE_ORDER, STAGES, EvaluationResult, Unit,
                                UnitYear)
from server.unit.service import update_unit
from tests.conftest import YEAR, World, _wipe, photo_row

YEARS = [YEAR, YEAR + 1]
UNITS = 3
EXAMPLES = int(os.environ.get("LIFECYCLE_EXAMPLES", "40"))
STEPS = int(os.environ.get("LIFECYCLE_STEPS", "30"))

unit_no = st.integers(0, UNITS - 1)
year = st.sampled_from(YEARS)


def _body(unit_id: int, version_id: int, conclusion: str, year_: int) -> dict:
    from tests.sync.conftest import inspection_body
    started = datetime(year_, 9, 1, 2, 0, tzinfo=timezone.utc)
    return InspectionSubmitSchema().load(inspection_body(unit_id, version_id, kind="post_evaluation",
                                                         conclusion=conclusion, started=started, year=year_))


def machine_for(app):
    class Lifecycle(RuleBasedStateMachine):
        """One county, two stations, three units; every action a request of a county or station admin."""

        def __init__(self):
            super().__init__()
            self.ctx = app.app_context()
            self.ctx.push()
            db.session.remove()
            _wipe(db.engine)
            w = World()
            self.county, self.admins = w.county_admin.id, {w.a.id: w.admin_a.id, w.b.id: w.admin_b.id}
            self.inspectors = {w.a.id: w.inspector_a.id, w.b.id: w.inspector_b.id}
            self.stations = [w.a.id, w.b.id]
            self.units = [w.unit_a.id, w.unit_b.id, w.unit("三号放心店", w.a, 3).id]
            db.session.commit()
            from server.checklist.service import base_items, create_template
            from server.demo.loader import checklist_base
            self.version = create_template(w.county.id, "base", "八有八无", None,
                                           base_items(checklist_base())).versions[0].id
            db.session.commit()
            self.photos = 0

        def teardown(self):
            db.session.remove()
            self.ctx.pop()

        # -- helpers ----------------------------------------------------------------------------------
        def user(self, uid):
            return db.session.get(User, uid)

        def unit(self, n):
            return db.session.get(Unit, self.units[n])

        def admin_of(self, n):
            return self.user(self.admins[self.unit(n).station_id])

        def do(self, fn, *args, **kw):
            """One request: commit on success, roll back on a refusal (4xx)."""
            try:
                out = fn(*args, **kw)
            except DomainError:
                db.session.rollback()
                return None
            db.session.commit()
            return out

        def sign_of(self, n, pick):
            ids = db.session.scalars(sa.select(Sign.id).where(Sign.unit_id == self.units[n]).order_by(Sign.id)).all()
            return ids[pick % len(ids)] if ids else None

        # -- rules ------------------------------------------------------------------------------------
        @rule(n=unit_no, y=year)
        def enroll(self, n, y):
            self.do(lifecycle.transition, self.admin_of(n), self.unit(n), y, "pool")

        @rule(n=unit_no, y=year, to=st.sampled_from(["evaluated", "sign_issued", "sign_posted"]))
        def walk(self, n, y, to):
            """A unit taken through the ordinary path to `to` (enrolment, the manual steps, a recorded passing
            evaluation, a sign, a posting), each step a request of its own: the deep states come often."""
            self.enroll(n, y)
            for stage in ("committed", "profiled"):
                self.do(lifecycle.transition, self.admin_of(n), self.unit(n), y, stage)
            self.post_evaluation(n, y, True, False)
            if to != "evaluated":
                self.issue(n, y)
            if to == "sign_posted":
                self.post(n, y, True)

        @rule(n=unit_no, y=year)
        def next_step(self, n, y):
            """The page's 下一步: the next stage of the order, whatever it is."""
            record = lifecycle.unit_year(self.unit(n), y)
            if record is not None and record.stage in STAGE_ORDER[:-1]:
                to = STAGE_ORDER[STAGE_ORDER.index(record.stage) + 1]
                self.do(lifecycle.transition, self.admin_of(n), self.unit(n), y, to)

        @rule(n=unit_no, y=year, to=st.sampled_from(list(STAGES)), reason=st.sampled_from(list(REMOVAL_REASONS)),
              county=st.booleans())
        def manual_step(self, n, y, to, reason, county):
            user = self.user(self.county) if county else self.admin_of(n)
            self.do(lifecycle.transition, user, self.unit(n), y, to, reason=reason if to == "removed" else None)

        @rule(n=unit_no, y=year, passed=st.booleans(), inspection=st.booleans())
        def post_evaluation(self, n, y, passed, inspection):
            if inspection:
                inspector = self.user(self.inspectors[self.unit(n).station_id])
                body = _body(self.units[n], self.version, "pass" if passed else "fail", y)
                self.do(submit_inspection, inspector, body)
            else:
                self.do(lifecycle.record_evaluation, self.admin_of(n), self.unit(n), y, passed=passed,
                        evaluated_on=date(y, 9, 1), evidence_ref="后评〔测试〕")

        @rule(n=unit_no, y=year)
        def issue(self, n, y):
            self.do(signs.issue_sign, self.admin_of(n), self.units[n], y)

        @rule(n=unit_no, pick=st.integers(0, 5))
        def print_sign(self, n, pick):
            sid = self.sign_of(n, pick)
            if sid is not None:
                self.do(lambda: signs.record_print(self.admin_of(n), signs.get_sign(self.admin_of(n), sid)))

        @rule(n=unit_no, pick=st.integers(0, 5))
        def replace(self, n, pick):
            sid = self.sign_of(n, pick)
            if sid is not None:
                self.do(signs.replace_sign, self.admin_of(n), sid)

        @rule(n=unit_no, pick=st.integers(0, 5), reason=st.sampled_from(list(REVOKE_REASONS)))
        def revoke(self, n, pick, reason):
            sid = self.sign_of(n, pick)
            if sid is not None:
                self.do(signs.revoke_sign, self.admin_of(n), sid, reason)

        @rule(n=unit_no, y=year, own_photo=st.booleans())
        def post(self, n, y, own_photo):
            inspector = self.user(self.inspectors[self.unit(n).station_id])
            self.photos += 1
            photo = photo_row(inspector if own_photo else self.admin_of(n), self.photos)
            self.do(signs.mark_posted, inspector, self.units[n], y, photo)

        @rule(n=unit_no, status=st.sampled_from(["open", "suspended", "closed", "transferred", "deregistered"]))
        def business_status(self, n, status):
            u = self.unit(n)
            self.do(update_unit, self.admin_of(n), u.id, {"business_status": status}, base_version=u.version)

        @rule(n=unit_no)
        def transfer(self, n):
            u = self.unit(n)
            other = [s for s in self.stations if s != u.station_id][0]
            self.do(update_unit, self.user(self.county), u.id, {"station_id": other}, base_version=u.version)

        @rule(n=unit_no, y=year, to=st.sampled_from(["pool", "committed", "profiled", "evaluated", "sign_issued"]))
        def step_back(self, n, y, to):
            self.do(lifecycle.step_back, self.user(self.county), self.unit(n), y, to, "纠正误操作")

        # -- the invariants ---------------------------------------------------------------------------
        @invariant()
        def one_truthful_record(self):
            units = {u.id: u for u in db.session.scalars(sa.select(Unit))}
            years = db.session.scalars(sa.select(UnitYear)).all()
            all_signs = db.session.scalars(sa.select(Sign)).all()
            in_force = {}
            for s in all_signs:
                if s.status == "issued":
                    in_force.setdefault((s.unit_id, s.year), []).append(s)
            results = db.session.scalars(sa.select(EvaluationResult)).all()
            from server.inspection.models import Inspection
            passes = {(r.unit_id, r.year) for r in results if r.passed} | {
                (i.unit_id, i.year) for i in db.session.scalars(sa.select(Inspection)) if
                i.kind == "post_evaluation" and i.conclusion == "pass"}
            stages = {(uy.unit_id, uy.year): uy.stage for uy in years}
            for uy in years:
                key = (uy.unit_id, uy.year)
                held = in_force.get(key, [])
                if uy.stage in CERTIFIED:
                    assert len(held) == 1, f"certified {key} holds {len(held)} signs in force"
                else:
                    assert held == [], f"{key} at {uy.stage} holds a sign in force"
                if uy.stage in ("evaluated",) + CERTIFIED:
                    assert key in passes, f"{key} at {uy.stage} without a passing post-evaluation"
                if uy.stage == "sign_posted":
                    assert held[0].posted_at is not None, f"{key} posted without a posted sign"
            for s in all_signs:
                unit = units[s.unit_id]
                if s.status == "issued":
                    assert stages.get((s.unit_id, s.year)) in CERTIFIED, f"sign {s.serial} in force of {s.year}"
                    assert unit.business_status not in ENDING_STATUSES
                else:
                    assert not printable(s) and sign_state(s, date(s.year, 12, 1)) == s.status
                assert s.station_id == unit.station_id, f"sign {s.serial} not with its unit's station"
                if s.posted_photo_sha256:
                    photo = db.session.get(Photo, s.posted_photo_sha256)
                    assert photo is None or photo.uploaded_by == s.posted_by, "a posted photo not the confirmer's"
                for sid, admin in self.admins.items():
                    visible = True
                    try:
                        signs.get_sign(self.user(admin), s.id)
                    except DomainError:
                        visible = False
                    assert visible == (sid == unit.station_id)
                signs.get_sign(self.user(self.county), s.id)
            for u in units.values():
                if u.business_status in ENDING_STATUSES:
                    assert all(stages.get((u.id, y)) in (None, "removed") for y in YEARS)
            county = self.user(self.county)
            for y in YEARS:
                counted = sum(n for (_s, _t, st_), n in stage_counts(county, y).items() if st_ in CERTIFIED)
                assert counted == sum(1 for (uid, yy), held in in_force.items() if yy == y and held)
                today = stage_counts(county, y)
                then = stage_counts(county, y, as_of=date.today() + timedelta(days=2))
                assert {k: v for k, v in today.items() if v} == {k: v for k, v in then.items() if v}
            assert check() == []

    return Lifecycle


def test_lifecycle_signs_and_counts_never_contradict(app):
    machine = machine_for(app)
    run_state_machine_as_test(machine, settings=settings(
        max_examples=EXAMPLES, stateful_step_count=STEPS, deadline=None, derandomize=True, database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]))
