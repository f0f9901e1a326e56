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

Each rule also checks its own effect against a plain oracle: a manual step (every stage tried, forbidden ones
included) is accepted exactly when the rules allow it — never 标识发放 or 标识张贴 by hand; a sign lost or damaged
is replaced at once; a revocation for a violation takes the unit out of the year; a sign no longer in force can
be neither printed, replaced nor revoked. Each example starts with its units part-way along (signs in force),
so most steps act where a revocation, a closure or a move can go wrong.

The oracle below is plain Python over the rows, independent of server.integrity (which is checked to agree).
Runs on SQLite, or PostgreSQL with TEST_DATABASE_URL. Figures: see the README (section 有效期、续期与终止).
"""
import os
from datetime import date, datetime, timedelta, timezone

import sqlalchemy as sa
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test

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

        def passes(self) -> set:
            """(unit id, year) of every passing post-evaluation on record: a recorded result or an inspection."""
            from server.inspection.models import Inspection
            results = {(r.unit_id, r.year) for r in db.session.scalars(sa.select(EvaluationResult))
                       if r.passed}
            return results | {(i.unit_id, i.year) for i in db.session.scalars(sa.select(Inspection))
                              if i.kind == "post_evaluation" and i.conclusion == "pass"}

        def stage(self, n, y):
            record = lifecycle.unit_year(self.unit(n), y)
            return record.stage if record is not None else None

        def manual_allowed(self, n, y, to) -> bool:
            """The oracle of a manual step (issue 15, item 1), from the raw rows: enrol; 培育库 → 承诺公示 →
            系统录入 (a complete profile); 后评价通过 from 系统录入 with a passing post-evaluation on record;
            removal of a unit standing in the year. Nothing else — never 标识发放 or 标识张贴 by hand."""
            unit, stage = self.unit(n), self.stage(n, y)
            if to == "removed":
                return stage not in (None, "removed")
            if unit.business_status in ENDING_STATUSES:
                return False
            if stage is None:
                return to == "pool"
            if (stage, to) == ("pool", "committed"):
                return True
            if (stage, to) == ("committed", "profiled"):
                return not lifecycle.missing_profile(unit)
            if (stage, to) == ("profiled", "evaluated"):
                return (unit.id, y) in self.passes()
            return False

        def step(self, n, y, to, reason="unsuitable", county=False):
            """A manual step, accepted exactly when the oracle allows it."""
            allowed = self.manual_allowed(n, y, to)
            before = self.stage(n, y)
            user = self.user(self.county) if county else self.admin_of(n)
            done = self.do(lifecycle.transition, user, self.unit(n), y, to,
                           reason=reason if to == "removed" else None) is not None
            assert done == allowed, (f"manual step of unit {n} in {y} from {before} to {to}: "
                                     f"{'accepted' if done else 'refused'}")
            if done:
                assert self.stage(n, y) == to

        def pick_sign(self, pick, in_force=True):
            """A sign of the county in force (or, in_force=False, one no longer in force), if there is one."""
            q = sa.select(Sign.id).where((Sign.status == "issued") if in_force else (Sign.status != "issued"))
            ids = db.session.scalars(q.order_by(Sign.id)).all()
            return db.session.get(Sign, ids[pick % len(ids)]) if ids else None

        def actor_for(self, sign, county):
            return self.user(self.county) if county else self.user(self.admins[self.unit_of(sign).station_id])

        def unit_of(self, sign):
            return db.session.get(Unit, sign.unit_id)

        def in_force(self, unit_id, y):
            return db.session.scalars(sa.select(Sign).where(Sign.unit_id == unit_id, Sign.year == y,
                                                            Sign.status == "issued")).all()

        # -- rules ------------------------------------------------------------------------------------
        @initialize(y=year, goals=st.lists(st.sampled_from([None, "evaluated", "sign_issued", "sign_posted"]),
                                             min_size=UNITS, max_size=UNITS))
        def start(self, y, goals):
            """Each example starts with its units somewhere along the way, so that most steps act on units
            that hold signs (the paths where a revocation, a closure or a move can go wrong)."""
            for n, to in enumerate(goals):
                if to is not None:
                    self.walk(n, y, to)

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

        @rule(n=unit_no, y=year, to=st.sampled_from(list(STAGES)), reason=st.sampled_from(list(REMOVAL_REASONS)),
              county=st.booleans())
        def manual_step(self, n, y, to, reason, county):
            self.step(n, y, to, reason, county)

        @rule(county=st.booleans())
        def every_manual_step(self, county):
            """The page's 下一步 and every other stage tried by hand, for every unit and year from where it
            stands (each then rolled back): exactly the oracle's are accepted, whatever the stage — 标识发放 and
            标识张贴 never (only a sign and a posted confirmation lead there)."""
            for n in range(UNITS):
                for y in YEARS:
                    before = self.stage(n, y)
                    for to in STAGES:
                        allowed = self.manual_allowed(n, y, to)
                        user = self.user(self.county) if county else self.admin_of(n)
                        try:
                            lifecycle.transition(user, self.unit(n), y, to,
                                                 reason="unsuitable" if to == "removed" else None)
                            done = True
                        except DomainError:
                            done = False
                        db.session.rollback()
                        assert done == allowed, (f"manual step of unit {n} in {y} from {before} to {to}: "
                                                 f"{'accepted' if done else 'refused'}")

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
            """Issued exactly when the unit stands at 后评价通过 that year; then it is at 标识发放."""
            before = self.stage(n, y)
            done = self.do(signs.issue_sign, self.admin_of(n), self.units[n], y) is not None
            assert done == (before == "evaluated"), f"sign issued to unit {n} in {y} at {before}: {done}"
            if done:
                assert self.stage(n, y) == "sign_issued" and len(self.in_force(self.units[n], y)) == 1

        @rule(pick=st.integers(0, 7), county=st.booleans())
        def print_sign(self, pick, county):
            sign = self.pick_sign(pick)
            if sign is not None:
                sid, count, user = sign.id, sign.print_count, self.actor_for(sign, county)
                done = self.do(lambda: signs.record_print(user, signs.get_sign(user, sid))) is not None
                assert done and db.session.get(Sign, sid).print_count == count + 1, "a sign in force not printed"

        @rule(pick=st.integers(0, 7), county=st.booleans())
        def replace(self, pick, county):
            sign = self.pick_sign(pick)
            if sign is not None:
                sid = sign.id
                new = self.do(signs.replace_sign, self.actor_for(sign, county), sid)
                assert new is not None, "a sign in force could not be replaced"
                self.replaced_by(sid, new)

        @rule(pick=st.integers(0, 7), action=st.sampled_from(["print", "replace", "revoke"]),
              reason=st.sampled_from(list(REVOKE_REASONS)))
        def act_on_sign_not_in_force(self, pick, action, reason):
            """A replaced or revoked sign can be neither printed, replaced nor revoked again."""
            sign = self.pick_sign(pick, in_force=False)
            if sign is None:
                return
            sid, user = sign.id, self.actor_for(sign, False)
            fn = {"print": lambda: signs.record_print(user, signs.get_sign(user, sid)),
                  "replace": lambda: signs.replace_sign(user, sid),
                  "revoke": lambda: signs.revoke_sign(user, sid, reason)}[action]
            assert self.do(fn) is None, f"{action} of a sign no longer in force accepted"

        def replaced_by(self, old_id, new):
            """The old sign says 已更换 and points to the new one, in force for the same unit, year and date;
            the unit stands at 标识发放 (the new sign is not on the wall yet) — never out of the count."""
            old = db.session.get(Sign, old_id)
            assert old.status == "replaced" and old.replaced_by_id == new.id, "the old sign not replaced by the new"
            assert (new.status, new.unit_id, new.year, new.valid_until) == (
                "issued", old.unit_id, old.year, old.valid_until), "the replacement not the same unit's, in force"
            assert new.serial != old.serial and new.token != old.token
            assert [s.id for s in self.in_force(old.unit_id, old.year)] == [new.id]
            record = db.session.scalar(sa.select(UnitYear).where(UnitYear.unit_id == old.unit_id,
                                                                 UnitYear.year == old.year))
            assert record.stage == "sign_issued", f"after a replacement the unit stands at {record.stage}"

        @rule(pick=st.integers(0, 7), reason=st.sampled_from(list(REVOKE_REASONS)), county=st.booleans())
        def revoke(self, pick, reason, county):
            """A revocation's effect (issue 15, item 2): lost or damaged → replaced at once; a violation, a
            failed evaluation, closure or removal → the unit leaves the year; another reason → back to
            后评价通过."""
            sign = self.pick_sign(pick)
            if sign is None:
                return
            sid, unit_id, y = sign.id, sign.unit_id, sign.year
            out = self.do(signs.revoke_sign, self.actor_for(sign, county), sid, reason)
            assert out is not None, f"a sign in force could not be revoked for {reason}"
            if reason == "lost_damaged":
                assert out.id != sid, "a sign lost or damaged revoked without a replacement"
                self.replaced_by(sid, out)
                return
            sign = db.session.get(Sign, sid)
            assert (sign.status, sign.revoke_reason) == ("revoked", reason)
            assert self.in_force(unit_id, y) == []
            record = db.session.scalar(sa.select(UnitYear).where(UnitYear.unit_id == unit_id, UnitYear.year == y))
            if reason in ("violations", "failed_evaluation", "closed", "unit_removed"):
                assert record.stage == "removed", f"revoked for {reason}, the unit still at {record.stage}"
                if reason in ("violations", "failed_evaluation", "closed"):
                    assert record.removal_reason == reason
            else:
                assert record.stage == "evaluated", f"revoked for {reason}, the unit at {record.stage}"

        @rule(pick=st.integers(0, 7), county=st.booleans())
        def lose_sign(self, pick, county):
            """The commonest revocation, 标识遗失或损毁, on its own: a replacement in force at once."""
            self.revoke(pick, "lost_damaged", county)

        @rule(pick=st.integers(0, 7), county=st.booleans())
        def violation(self, pick, county):
            """A sign revoked for 违法违规, on its own: the unit leaves the year and the certified count."""
            self.revoke(pick, "violations", county)

        @rule(n=unit_no, y=year, own_photo=st.booleans())
        def post(self, n, y, own_photo):
            """Confirmed posted exactly when a sign of the year is in force and the photo is the confirmer's."""
            inspector = self.user(self.inspectors[self.unit(n).station_id])
            self.photos += 1
            photo = photo_row(inspector if own_photo else self.admin_of(n), self.photos)
            held = bool(self.in_force(self.units[n], y))
            done = self.do(signs.mark_posted, inspector, self.units[n], y, photo) is not None
            assert done == (held and own_photo), f"posting of unit {n} in {y} (sign in force {held}): {done}"
            if done:
                assert self.stage(n, y) == "sign_posted"

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
            passes = self.passes()
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
                    assert unit.business_status not in ENDING_STATUSES, (
                        f"sign {s.serial} in force of a unit {unit.business_status}")
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
                    assert all(stages.get((u.id, y)) in (None, "removed") for y in YEARS), (
                        f"unit {u.id} {u.business_status} still stands in a year")
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
