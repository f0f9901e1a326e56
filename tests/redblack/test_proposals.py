"""红黑榜 candidates from the records (server/redblack/proposals.py): each standard criterion's rule over the
period's China dates, the evidence in words, red only for units in force with no verified complaint, and a
proposal added to the draft with one tap."""
from datetime import date, datetime, time, timedelta

import pytest
import sqlalchemy as sa

import server.models  # noqa: F401  (every mapper, before a domain module is imported alone)

from server.extensions import db
from server.feedback.models import Complaint, Evaluation
from server.inspection.models import Rectification
from server.redblack import proposals
from server.redblack.models import RedBlackEntry, RedBlackList, seed_criteria
from tests.conftest import login
from tests.signage.conftest import evaluated, issue  # noqa: F401


def utc(day, hour=12):
    """A stored UTC instant at `hour` o'clock China time on `day`."""
    return datetime.combine(day, time(hour)) - timedelta(hours=8)


@pytest.fixture
def period(app, world, evaluated):
    """Both units passed post-evaluation on 1 September 2023 and hold that year's sign; a draft for 2023's third
    quarter."""
    issue(app, world, "unit_a", "admin_a")
    issue(app, world, "unit_b", "admin_b")
    start, end = date(2023, 7, 1), date(2023, 9, 30)
    with app.app_context():
        from server.unit.models import LifecycleEvent
        for event in db.session.scalars(sa.select(LifecycleEvent)):
            event.at = utc(date(2023, 9, 1))  # recorded on the day, as it was in 2023
        seed_criteria()
        rb = RedBlackList(county_id=world.ids["county"], title="本期红黑榜", period_start=start, period_end=end,
                          created_by=world.ids["county_admin"])
        db.session.add(rb)
        db.session.commit()
        return rb.id, start, end


def stars(world, unit, values, day):
    for n, s in enumerate(values):
        db.session.add(Evaluation(unit_id=world.ids[unit], county_id=world.ids["county"],
                                  station_id=world.ids["a" if unit == "unit_a" else "b"], stars=s,
                                  address_hash=f"h{unit}{n}{day}", created_at=utc(day)))


def proposed(app, list_id):
    with app.app_context():
        rb = db.session.get(RedBlackList, list_id)
        return {(p.unit.name, p.side): (p.criteria, p.evidence) for p in proposals.propose(rb)}


def test_each_rule_with_its_evidence_and_red_only_for_the_blameless(app, world, period):
    list_id, start, end = period
    with app.app_context():
        stars(world, "unit_a", [5, 5, 4], end - timedelta(days=3))  # 4.7 over 3: high
        stars(world, "unit_a", [1, 1, 1], start - timedelta(days=1))  # before the period: not counted
        stars(world, "unit_b", [5, 5, 5], end)
        db.session.add(Complaint(unit_id=world.ids["unit_b"], county_id=world.ids["county"], station_id=world.ids["b"],
                                 description="短斤少两", phone="13800000000", address_hash="x",
                                 received_at=utc(start), violation_confirmed=True))
        db.session.add(Rectification(county_id=world.ids["county"], station_id=world.ids["b"],
                                     unit_id=world.ids["unit_b"], demand="明码标价", due_date=end - timedelta(days=10)))
        db.session.commit()
    found = proposed(app, list_id)
    assert found[("五云放心超市", "red")] == (
        ["high_rating", "commitment_kept", "no_verified_complaint"],
        ["期内3条评价，平均4.7星", "2023-09-01后评价通过", "期内无查实的投诉举报"])
    assert found[("壶镇诚信五金店", "black")] == (
        ["rectification_overdue", "verified_complaints"],
        [f"1项整改逾期（最早期限{end - timedelta(days=10):%Y-%m-%d}）", "期内1件投诉举报经查属实"])
    assert ("壶镇诚信五金店", "red") not in found  # five stars do not outweigh a verified complaint
    assert len(found) == 2


def test_boundaries_of_the_rules(app, world, period):
    list_id, start, end = period
    with app.app_context():
        county = world.ids["county"]
        stars(world, "unit_a", [5, 5], end)  # two evaluations say too little
        stars(world, "unit_b", [5, 4, 4, 5], start)  # exactly 4.5 over four, on the first day: high
        # due on the period's last day and open: not yet overdue; closed a day late: overdue
        db.session.add_all([
            Rectification(county_id=county, station_id=world.ids["a"], unit_id=world.ids["unit_a"], demand="a",
                          due_date=end),
            Rectification(county_id=county, station_id=world.ids["b"], unit_id=world.ids["unit_b"], demand="b",
                          due_date=start, status="closed", closed_at=utc(start + timedelta(days=1), 9))])
        db.session.commit()
        assert proposals._high_rating(county, start, end) == {world.ids["unit_b"]: "期内4条评价，平均4.5星"}
        assert set(proposals._rectification_overdue(county, start, end)) == {world.ids["unit_b"]}
        # closed on the due date itself (late in the evening, China time): on time
        r = db.session.scalar(sa.select(Rectification).where(Rectification.unit_id == world.ids["unit_b"]))
        r.closed_at = utc(start, 23)
        db.session.commit()
        assert proposals._rectification_overdue(county, start, end) == {}


def test_a_unit_whose_sign_is_not_in_force_is_not_proposed_red(app, world, period):
    list_id, start, end = period
    with app.app_context():
        from server.signage.models import Sign
        for sign in db.session.scalars(sa.select(Sign).where(Sign.unit_id == world.ids["unit_a"])):
            sign.valid_until = start  # expired before the period's end
        db.session.commit()
    assert ("五云放心超市", "red") not in proposed(app, list_id)


def test_a_proposal_is_added_with_one_tap_and_leaves_the_proposals(app, client, world, period):
    list_id, start, end = period
    login(client, "admin")
    page = client.get(f"/red-black/manage/{list_id}").get_data(as_text=True)
    assert "按认定依据提出的候选（2家）" in page and "加入红榜" in page and "commitment_kept" not in page.split(
        'id="proposals"')[1].split("</section>")[0].replace('value="commitment_kept"', "")
    r = client.post(f"/red-black/manage/{list_id}/entries",
                    data={"unit_id": world.ids["unit_a"], "side": "red",
                          "criteria_red": ["commitment_kept", "no_verified_complaint"]})
    assert r.status_code == 303
    with app.app_context():
        entry = db.session.scalar(sa.select(RedBlackEntry))
        assert (entry.unit_id, entry.side, entry.criteria) == (
            world.ids["unit_a"], "red", ["commitment_kept", "no_verified_complaint"])
    assert ("五云放心超市", "red") not in proposed(app, list_id)
    for bad in ("x", "2147483648", "99999"):
        r = client.post(f"/red-black/manage/{list_id}/entries",
                        data={"unit_id": bad, "side": "red", "criteria_red": ["commitment_kept"]})
        assert r.status_code == 422, bad
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(RedBlackEntry)) == 1


def test_an_entry_by_hand_must_meet_its_criteria_and_says_why_not(app, client, world, period):
    """Breaker's finds: a red entry for a unit with no stars, a black one with no complaint, a period of year 1
    or 9999, a unit added twice, a note past its length — each a 422 with its reason on the page, nothing kept."""
    list_id, start, end = period
    login(client, "admin")
    base = f"/red-black/manage/{list_id}/entries"
    cases = [({"unit_id": world.ids["unit_a"], "side": "red", "criteria_red": ["high_rating"]},
              "该单位本期不符合“消费者评价高（期内平均4.5星及以上）”"),
             ({"unit_id": world.ids["unit_a"], "side": "red", "criteria_red": ["exemplary_tag"]},
              "该单位本期不符合“党员经营户、党员先锋岗等示范带头”"),
             ({"unit_id": world.ids["unit_b"], "side": "black", "criteria_black": ["verified_complaints"]},
              "该单位本期不符合“期内投诉举报经查属实”"),
             ({"unit_id": world.ids["unit_a"], "side": "red", "criteria_red": ["commitment_kept"], "note": "长" * 301},
              "说明不能超过300字")]
    for form, message in cases:
        r = client.post(base, data=form)
        assert r.status_code == 422 and message in r.get_data(as_text=True), form
    with app.app_context():
        from server.signage.models import Sign
        for sign in db.session.scalars(sa.select(Sign).where(Sign.unit_id == world.ids["unit_a"])):
            sign.status = "revoked"
        db.session.commit()
    r = client.post(base, data={"unit_id": world.ids["unit_a"], "side": "red", "criteria_red": ["commitment_kept"]})
    assert r.status_code == 422 and "期末没有有效的放心消费标识" in r.get_data(as_text=True)
    # A criterion that only a person can judge (违背放心消费承诺) needs no record; twice is refused, said plainly
    black = {"unit_id": world.ids["unit_b"], "side": "black", "criteria_black": ["commitment_broken"]}
    assert client.post(base, data=black).status_code == 303
    r = client.post(base, data=black)
    assert r.status_code == 422 and "该单位已在本榜单中" in r.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(RedBlackEntry)) == 1
    for start_, end_ in (("0001-01-01", "9999-12-31"), ("2026-01-01", "9999-12-31"), ("1999-12-31", "2023-01-01")):
        r = client.post("/red-black/manage", data={"title": "远古", "period_start": start_, "period_end": end_})
        assert r.status_code == 422 and "日期应在2000年至2100年之间" in r.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(RedBlackList)) == 1
