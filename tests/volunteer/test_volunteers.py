"""消费义工 (issue 19, item 3): the role, the random draw of visits, the volunteer's own page, and the visit's
evaluation feeding the unit's record — with who made it hidden from everyone but county admins."""
import io
import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from PIL import Image

from server.account.models import User
from server.carrier.models import Carrier, carrier_member
from server.core.clock import today
from server.core.errors import Conflict, Forbidden, Invalid, NotFound
from server.extensions import db
from server.feedback.models import Evaluation
from server.feedback.record import low_star_units
from server.feedback.service import rating
from server.unit.models import Unit
from server.volunteer import service
from server.volunteer.models import VolunteerAssignment
from tests.conftest import PASSWORD, World, certify, login
from tests.sync.conftest import checklist  # noqa: F401

DUE = today() + timedelta(days=14)


@pytest.fixture
def town(app, world, checklist):  # noqa: F811
    """Station A with six units whose signs are in force (unit_a and five more), one without a sign, two
    volunteers, and a carrier holding two of the signed units; returns a dict of ids."""
    with app.app_context():
        w = World.__new__(World)
        w.county = db.session.get(__import__("server.station.models", fromlist=["County"]).County, world.ids["county"])
        from server.station.models import Station
        station = db.session.get(Station, world.ids["a"])
        admin = db.session.get(User, world.ids["admin_a"])
        signed = [db.session.get(Unit, world.ids["unit_a"])] + [w.unit(f"五云商店{i}", station, 20 + i) for i in range(5)]
        for u in signed:
            certify(admin, u, to="sign_issued")
        unsigned = w.unit("五云未授牌店", station, 40)
        vols = [w.user(name, "volunteer", None) for name in ("vol_1", "vol_2")]
        carrier = Carrier(county_id=world.ids["county"], station_id=station.id, kind="district", name="五云老街",
                          since_year=2023)
        db.session.add(carrier)
        db.session.flush()
        db.session.execute(carrier_member.insert(), [{"carrier_id": carrier.id, "unit_id": u.id}
                                                     for u in (signed[1], signed[2], unsigned)])
        db.session.commit()
        return {"signed": [u.id for u in signed], "unsigned": unsigned.id, "vols": [v.id for v in vols],
                "carrier": carrier.id, "carrier_signed": [signed[1].id, signed[2].id]}


def _county(world):
    return db.session.get(User, world.ids["county_admin"])


def _draw(world, town, **kw):
    args = {"volunteer_ids": town["vols"], "station_id": world.ids["a"], "count": 4, "due_date": DUE, "seed": 7}
    return service.assign_visits(_county(world), **{**args, **kw})


def test_the_draw_is_reproducible_by_seed_and_shared_in_turn(app, world, town):
    with app.app_context():
        first = [(a.unit_id, a.volunteer_id) for a in _draw(world, town)]
        db.session.rollback()
        again = [(a.unit_id, a.volunteer_id) for a in _draw(world, town, volunteer_ids=town["vols"][::-1])]
        db.session.rollback()
        other = [a.unit_id for a in _draw(world, town, seed=8, count=6)]
        db.session.rollback()
    assert first == again and len({u for u, _ in first}) == 4
    assert set(u for u, _ in first) <= set(town["signed"]) and town["unsigned"] not in other
    assert [v for _, v in first] == [town["vols"][0], town["vols"][1]] * 2
    assert sorted(other) == sorted(town["signed"])  # all six signed units, never the one without a sign


def test_units_with_an_open_visit_and_units_outside_the_carrier_are_not_drawn(app, world, town):
    with app.app_context():
        made = _draw(world, town, station_id=None, carrier_id=town["carrier"], count=1)
        assert made[0].unit_id in town["carrier_signed"] and made[0].carrier_id == town["carrier"]
        second = _draw(world, town, station_id=None, carrier_id=town["carrier"], count=1)
        assert {made[0].unit_id, second[0].unit_id} == set(town["carrier_signed"])
        with pytest.raises(Invalid) as err:
            _draw(world, town, station_id=None, carrier_id=town["carrier"], count=1)
        assert err.value.fields["count"] == ["五云老街目前没有标识有效且未安排暗访的单位"]
        with pytest.raises(Invalid) as err:
            _draw(world, town, count=5)  # six signed, two taken: four left
        assert err.value.fields["count"] == ["五云所目前只有4家标识有效且未安排暗访的单位"]
        assert len(_draw(world, town, count=4)) == 4  # exactly what is left


@pytest.mark.parametrize("change, field", [
    ({"volunteer_ids": []}, "volunteer_ids"),
    ({"volunteer_ids": "inspector"}, "volunteer_ids"),
    ({"station_id": None}, "station_id"),
    ({"carrier_id": "carrier"}, "station_id"),
    ({"count": 0}, "count"),
    ({"count": 201}, "count"),
    ({"due_date": today() - timedelta(days=1)}, "due_date"),
])
def test_a_bad_draw_names_the_field_and_assigns_nothing(app, world, town, change, field):
    with app.app_context():
        if change.get("volunteer_ids") == "inspector":
            change = {"volunteer_ids": [town["vols"][0], world.ids["inspector_a"]]}
        if change.get("carrier_id") == "carrier":
            change = {"carrier_id": town["carrier"]}
        with pytest.raises(Invalid) as err:
            _draw(world, town, **change)
        assert field in err.value.fields and all("_" not in m for m in err.value.fields[field])
        assert db.session.scalar(sa.select(sa.func.count(VolunteerAssignment.id))) == 0


def test_due_today_is_allowed_and_only_county_admins_draw(app, world, town):
    with app.app_context():
        assert len(_draw(world, town, due_date=today(), count=1)) == 1
        with pytest.raises(Forbidden):
            service.assign_visits(db.session.get(User, world.ids["admin_a"]), volunteer_ids=town["vols"],
                                  station_id=world.ids["a"], count=1, due_date=DUE)


def _visit(**kw):
    return {"client_id": "visit-0001-abcd", "stars": 2, "pair_stars": {"pricing": 1, "quality": 3},
            "comment": "价签与结算价不符", "lat": 28.66, "lng": 120.08, "accuracy_m": 15.0, "visited_at": None, **kw}


def test_a_visit_feeds_the_record_once_and_is_not_a_consumers_rating(app, world, town):
    with app.app_context():
        made = _draw(world, town, count=2)
        mine = next(a for a in made if a.volunteer_id == town["vols"][0])
        theirs = next(a for a in made if a.volunteer_id == town["vols"][1])
        vol = db.session.get(User, town["vols"][0])
        assert [a.id for a in service.my_assignments(vol)] == [mine.id]
        with pytest.raises(NotFound):
            service.submit_visit(vol, theirs.id, _visit())
        with pytest.raises(Invalid):
            service.submit_visit(vol, mine.id, _visit(pair_stars={"nonsense": 3}))
        assert db.session.scalar(sa.select(sa.func.count(Evaluation.id))) == 0
        done = service.submit_visit(vol, mine.id, _visit())
        ev = db.session.get(Evaluation, done.evaluation_id)
        assert (ev.source, ev.stars, ev.pair_stars, ev.unit_id) == ("volunteer", 2, {"quality": 3, "pricing": 1},
                                                                   mine.unit_id)
        assert (done.status, done.lat, done.accuracy_m) == ("done", 28.66, 15.0)
        assert service.submit_visit(vol, mine.id, _visit()).evaluation_id == ev.id  # the same visit again
        with pytest.raises(Conflict):
            service.submit_visit(vol, mine.id, _visit(client_id="visit-0002-abcd"))
        assert db.session.scalar(sa.select(sa.func.count(Evaluation.id))) == 1
        assert rating(mine.unit_id) == (None, 0)  # the public figure is consumers' alone


def test_low_visits_put_the_unit_in_the_daily_patrol(app, world, town):
    with app.app_context():
        made = _draw(world, town, count=2)
        unit_id = made[0].unit_id
        for i, a in enumerate(made):
            a.unit_id, a.station_id = unit_id, world.ids["a"]  # two visits to one unit
            service.submit_visit(db.session.get(User, a.volunteer_id), a.id, _visit(client_id=f"visit-low-{i}-abc",
                                                                                      stars=1 + i))
        low = low_star_units([world.ids["a"]], today())
        assert [(r["unit_id"], r["n"], r["avg"]) for r in low] == [(unit_id, 2, 1.5)]


def test_the_visit_time_is_the_phones_kept_between_assignment_and_arrival(app, world, town):
    from datetime import datetime
    with app.app_context():
        a = _draw(world, town, count=1)[0]
        vol = db.session.get(User, a.volunteer_id)
        done = service.submit_visit(vol, a.id, _visit(visited_at=datetime(2000, 1, 1)))
        assert done.visited_at == a.created_at  # a phone's clock far behind: never before it was assigned


def _png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(buf, "PNG")
    return buf.getvalue()


def test_pages_hide_who_visited_from_station_staff(app, client, world, town):
    with app.app_context():
        a = _draw(world, town, count=1)[0]
        aid, unit_id, vol_name = a.id, a.unit_id, a.volunteer.name
        db.session.commit()
    login(client, vol_name)
    assert client.get("/v/").status_code == 200
    page = client.get(f"/v/assignments/{aid}").get_data(as_text=True)
    assert 'name="pair.pricing"' in page and "有明码标价 · 无价格欺诈" in page
    r = client.post(f"/v/assignments/{aid}", data={
        "client_id": "visit-page-0001", "stars": "2", "pair.pricing": "1", "pair.license": "",
        "comment": "暗访发现价签缺失", "lat": "28.66", "lng": "120.08", "accuracy_m": "12",
        "photos": [(io.BytesIO(_png()), "receipt.png")]}, content_type="multipart/form-data")
    assert r.status_code == 303 and r.headers["Location"].endswith("/v/")
    assert client.get(f"/units/{unit_id}").status_code == 403  # the bureau's pages are not the volunteer's
    client.post("/logout")
    login(client, "a_admin")
    staff = client.get(f"/units/{unit_id}").get_data(as_text=True)
    section = staff[staff.index('id="consumer-evaluations"'):]
    assert "消费义工暗访" in section and "暗访发现价签缺失" in section and "照片1张" in section
    assert vol_name not in staff and "/volunteers/assignments/" not in staff
    assert vol_name not in client.get("/audit").get_data(as_text=True)  # nor in the station's audit trail
    assert vol_name not in client.get("/feedback").get_data(as_text=True)
    client.post("/logout")
    login(client, "admin")
    county = client.get(f"/units/{unit_id}").get_data(as_text=True)
    assert f"消费义工：{vol_name}" in county
    photo = re.search(r'href="(/volunteers/assignments/\d+/photos/[0-9a-f]{64})"', county).group(1)
    assert client.get(photo).mimetype == "image/jpeg"
    trail = client.get("/audit").get_data(as_text=True)
    shown = re.sub(r'value="[^"]*"', "", trail)  # the filter's option values are codes; the page's words are not
    assert "消费义工暗访" in shown and "volunteer_assignment" not in shown and "消费义工" in shown
    listing = client.get("/volunteers").get_data(as_text=True)
    assert vol_name in listing and "已提交" in listing


def test_a_bad_visit_form_is_shown_again_and_the_script_gets_json(app, client, world, town):
    with app.app_context():
        a = _draw(world, town, count=1)[0]
        aid, vol_name = a.id, a.volunteer.name
        db.session.commit()
    login(client, vol_name)
    r = client.post(f"/v/assignments/{aid}", data={"client_id": "visit-bad-00001", "stars": "9"})
    assert r.status_code == 422 and "总体星级应在1到5之间" in r.get_data(as_text=True)
    r = client.post(f"/v/assignments/{aid}", data={"client_id": "visit-json-0001", "stars": "4"},
                    headers={"Accept": "application/json"})
    assert r.status_code == 200 and r.get_json()["status"] == "done"
    r = client.post(f"/v/assignments/{aid}", data={"client_id": "visit-json-0001", "stars": "4"},
                    headers={"Accept": "application/json"})
    assert r.status_code == 200  # sent again after a lost answer: the same visit
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Evaluation.id))) == 1


def test_county_admins_register_volunteers_and_they_land_on_their_page(app, client, world):
    login(client, "a_admin")
    r = client.post("/accounts/new", data={"username": "vol_x", "name": "义工乙", "role": "volunteer",
                                           "password": PASSWORD})
    assert r.status_code == 422 and "只能管理本所的执法人员" in r.get_data(as_text=True)  # only their inspectors
    client.post("/logout")
    login(client, "admin")
    assert "消费义工" in client.get("/accounts/new?role=volunteer").get_data(as_text=True)
    r = client.post("/accounts/new", data={"username": "vol_x", "name": "义工乙", "role": "volunteer",
                                           "password": PASSWORD})
    assert r.status_code == 303
    with app.app_context():
        vol = db.session.scalar(sa.select(User).where(User.username == "vol_x"))
        assert (vol.role, vol.station_id, vol.role_label) == ("volunteer", None, "消费义工")
    client.post("/logout")
    r = login(client, "vol_x")
    assert r.headers["Location"].endswith("/v/")
    assert "我的暗访" in client.get("/v/").get_data(as_text=True)
    assert client.get("/").status_code == 403
    assert client.get("/volunteers").status_code == 403
