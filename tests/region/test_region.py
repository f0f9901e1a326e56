"""A city's and the province's view (issue 20 item 5): the roll-up equals the sum of the counties' own
dashboards on hand-built dated history; no person's name or phone on any page they see; their scope."""
import re
from datetime import date, datetime, timedelta

import pytest

from server.account.models import User
from server.dashboard import service as progress
from server.extensions import db
from server.region import service as region
from server.station.models import County, Region, Station, Target
from server.station.service import county_lens
from server.unit.models import LifecycleEvent, Unit, UnitYear
from tests.conftest import PASSWORD, YEAR, login, valid_uscc

ON = date(YEAR, 12, 1)  # both milestones (30 June, 30 November) have passed
PHONE = re.compile(r"1[3-9]\d{9}")


def _utc(y, m, d, h=12):
    """A China time as stored (naive UTC)."""
    return datetime(y, m, d, h) - timedelta(hours=8)


class Land:
    """City 丽水 holds counties A (stations A1, A2) and B (B1); city 杭州 holds county C (C1)."""

    def __init__(self, password_hash):
        self.n = 0
        self.province = Region(code="zj", name="浙江省市场监督管理局", kind="province")
        db.session.add(self.province)
        db.session.flush()
        self.lishui = Region(code="ls", name="丽水市市场监督管理局", kind="city", parent_id=self.province.id)
        self.hangzhou = Region(code="hz", name="杭州市市场监督管理局", kind="city", parent_id=self.province.id)
        db.session.add_all([self.lishui, self.hangzhou])
        db.session.flush()
        self.a, (self.a1, self.a2) = self.county("jinyun", "缙云县", self.lishui, ["五云所", "壶镇分局"], [10, 5])
        self.b, (self.b1,) = self.county("liandu", "莲都区", self.lishui, ["紫金所"], [4])
        self.c, (self.c1,) = self.county("xihu", "西湖区", self.hangzhou, ["西溪所"], [100])
        steps = ["pool", "profiled", "evaluated", "sign_issued", "sign_posted"]
        # u1: entered by 30 June, posted by 30 November
        self.unit(self.a1, list(zip(steps, [_utc(YEAR, 3, 1), _utc(YEAR, 5, 1), _utc(YEAR, 8, 1),
                                            _utc(YEAR, 9, 1), _utc(YEAR, 10, 1)])))
        # u2: entered after 30 June, issued (certified) but not posted
        self.unit(self.a1, list(zip(steps[:4], [_utc(YEAR, 3, 1), _utc(YEAR, 7, 15), _utc(YEAR, 8, 1),
                                                _utc(YEAR, 11, 1)])))
        # u3: entered by 30 June, still profiled
        self.unit(self.a2, [("pool", _utc(YEAR, 2, 1)), ("profiled", _utc(YEAR, 6, 1))])
        # u4: entered at 10:00 on 30 June (China) and posted on 30 November: both count on their dates
        self.unit(self.b1, list(zip(steps, [_utc(YEAR, 2, 1), _utc(YEAR, 6, 30, 10), _utc(YEAR, 8, 1),
                                            _utc(YEAR, 9, 1), _utc(YEAR, 11, 30, 23)])))
        # u5: another city's
        self.unit(self.c1, list(zip(steps, [_utc(YEAR, 2, 1), _utc(YEAR, 3, 1), _utc(YEAR, 4, 1),
                                            _utc(YEAR, 5, 1), _utc(YEAR, 6, 1)])))
        self.users = {}
        for username, region in (("ls_user", self.lishui), ("hz_user", self.hangzhou), ("zj_user", self.province)):
            self.users[username] = User(username=username, name="汇总查看", role=region.kind, region_id=region.id,
                                        password_hash=password_hash)
        self.users["a_admin"] = User(username="a_admin", name="张三丰", phone="13812341234", role="county_admin",
                                     county_id=self.a.id, password_hash=password_hash)
        self.users["a1_admin"] = User(username="a1_admin", name="欧阳明", phone="0578-3123456",
                                      role="station_admin", county_id=self.a.id, station_id=self.a1.id,
                                      password_hash=password_hash)
        db.session.add_all(self.users.values())
        db.session.commit()

    def county(self, code, name, city, stations, targets):
        county = County(code=code, name=name, authority=f"{name}市场监督管理局", region_id=city.id)
        db.session.add(county)
        db.session.flush()
        out = []
        for i, (sname, n) in enumerate(zip(stations, targets)):
            st = Station(county_id=county.id, code=f"{code}{i}", name=sname, position=i)
            db.session.add(st)
            db.session.flush()
            db.session.add(Target(year=YEAR, county_id=county.id, station_id=st.id, kind="general", count=n))
            out.append(st)
        return county, out

    def unit(self, st, steps):
        self.n += 1
        u = Unit(county_id=st.county_id, station_id=st.id, name=f"{st.name}放心商店{self.n}号", uscc=valid_uscc(self.n),
                 address="某路1号", type="general", industry="零售", contact_name="王老板",
                 contact_phone=f"1390000{self.n:04d}")
        db.session.add(u)
        db.session.flush()
        db.session.add(UnitYear(unit_id=u.id, year=YEAR, stage=steps[-1][0]))
        before = None
        for stage, at in steps:
            db.session.add(LifecycleEvent(unit_id=u.id, year=YEAR, from_stage=before, to_stage=stage, at=at))
            before = stage
        db.session.flush()
        return u


@pytest.fixture
def land(ctx):
    from tests.conftest import _HASH
    return Land(_HASH)


def _deadline(board, key):
    return next(d for d in board["deadlines"] if d["key"] == key)


def test_the_roll_up_is_the_sum_of_the_counties_own_dashboards(land):
    city = land.users["ls_user"]
    up = progress.rollup(city, YEAR, ON)
    assert [c["county"].name for c in up["counties"]] == ["缙云县", "莲都区"]
    # By hand: targets 10 + 5 + 4; certified u1, u2, u4; entered as of 30 June u1, u3, u4 (u4 at 10:00 that
    # day); posted as of 30 November u1, u4; entered today u1–u4.
    assert (up["total_all"].target, up["total_all"].certified) == (19, 3)
    entry, posted = _deadline(up, "entry"), _deadline(up, "posted")
    assert (entry["done"], entry["today"], entry["target"], entry["due"]) == (3, 4, 19, date(YEAR, 6, 30))
    assert (posted["done"], posted["today"], posted["target"]) == (2, 2, 19)
    for c in up["counties"]:
        own = progress.dashboard(county_lens(city, c["county"].id), YEAR, ON)
        board = c["board"]
        assert board["total_all"].stages == own["total_all"].stages
        assert board["total_all"].target == own["total_all"].target
        assert board["deadlines"] == own["deadlines"]
        assert [(r["station"].id, r["all"].stages, r["deadlines"]) for r in board["rows"]] == \
               [(r["station"].id, r["all"].stages, r["deadlines"]) for r in own["rows"]]
    a = up["counties"][0]["board"]
    assert (_deadline(a, "entry")["done"], _deadline(a, "posted")["done"]) == (2, 1)
    # The province sees all three counties, and adds C's
    whole = progress.rollup(land.users["zj_user"], YEAR, ON)
    assert [c["county"].name for c in whole["counties"]] == ["缙云县", "莲都区", "西湖区"]
    assert (whole["total_all"].target, whole["total_all"].certified) == (119, 4)
    assert _deadline(whole, "entry")["done"] == 4


def test_a_countys_own_milestone_date_is_used_for_it(land):
    from server.station.models import ProgrammeYear
    db.session.add(ProgrammeYear(county_id=land.b.id, year=YEAR, entry_due=date(YEAR, 6, 29),
                                 evaluation_due=date(YEAR, 11, 30)))
    db.session.flush()
    up = progress.rollup(land.users["ls_user"], YEAR, ON)
    b = up["counties"][1]["board"]
    assert _deadline(b, "entry")["done"] == 0  # u4 entered on 30 June, after B's 29 June
    entry = _deadline(up, "entry")
    assert (entry["done"], entry["due"]) == (2, None)  # two dates: no single date for the sum


def test_complaint_rates_per_county_are_the_countys_own(land):
    from server.complaint import rates, service
    from server.workday import seed
    seed.seed_calendar()
    seed.seed_rules()
    admin = land.users["a_admin"]
    unit = db.session.scalar(db.select(Unit).where(Unit.station_id == land.a1.id))
    c = service.intake(admin, {"kind": "complaint", "source": "hotline", "description": "x", "unit_id": unit.id,
                               "received_at": datetime(2026, 10, 12, 1, 0)})
    service.decide(admin, c.id, "accepted", on=date(2026, 10, 13))
    city = land.users["ls_user"]
    found = rates.rates_by_county(city, date(2026, 1, 1), date(2026, 11, 1), now=date(2026, 11, 5))
    own = rates.rates(county_lens(city, land.a.id), date(2026, 1, 1), date(2026, 11, 1), now=date(2026, 11, 5))
    assert found[land.a.id] == own["county"]
    assert (found[land.a.id]["initial"]["num"], found[land.a.id]["initial"]["den"]) == (1, 1)
    assert found["total"] == own["county"]
    assert land.b.id not in found


def test_a_city_cannot_look_at_another_citys_county(land):
    from server.core.errors import NotFound
    with pytest.raises(NotFound):
        county_lens(land.users["hz_user"], land.a.id)
    with pytest.raises(NotFound):
        county_lens(land.users["a_admin"], land.a.id)
    assert county_lens(land.users["zj_user"], land.a.id).county_id == land.a.id


def test_masks():
    from server.core.privacy import mask_name, mask_phone
    assert (mask_name("张三"), mask_name("张三丰"), mask_name("欧阳明"), mask_name("")) == ("张*", "张**", "欧**", "")
    assert mask_phone("13812341234") == "138****1234"
    assert mask_phone("0578-3123456") == "057****3456"
    assert mask_phone("") == ""


def _pages(client, land):
    yield "/region/"
    yield f"/region/?year={YEAR}"
    for c in (land.a, land.b):
        yield f"/region/counties/{c.id}?year={YEAR}"


def test_no_person_on_any_page_a_region_user_sees(app, client, land):
    assert login(client, "ls_user").status_code == 302
    seen = []
    for url in _pages(client, land):
        r = client.get(url)
        assert r.status_code == 200, url
        html = r.get_data(as_text=True)
        seen.append(html)
        assert not PHONE.search(html), url
        for person in ("张三丰", "欧阳明", "王老板", "13812341234", "3123456", "1390000"):
            assert person not in html, (url, person)
    county = seen[2]
    assert "张**" in county and "138****1234" in county and "欧**" in county and "057****3456" in county
    assert "五云所" in county and "缙云县" in county
    assert "丽水市市场监督管理局" in seen[0] and "莲都区" in seen[0]


def test_region_commands_set_up_a_city_its_county_and_its_account(app, runner, monkeypatch):
    with app.app_context():
        db.session.add(County(code="jinyun", name="缙云县", authority="缙云县市场监督管理局"))
        db.session.commit()
    monkeypatch.setenv("FANGXIN_ADMIN_PASSWORD", PASSWORD)
    for args in (["create", "--code", "zj", "--name", "浙江省市场监督管理局", "--kind", "province"],
                 ["create", "--code", "ls", "--name", "丽水市市场监督管理局", "--kind", "city", "--parent", "zj"],
                 ["place", "jinyun", "ls"],
                 ["user", "--username", "ls_user", "--name", "丽水市局", "--region", "ls"]):
        result = runner.invoke(args=["region", *args])
        assert result.exit_code == 0, result.output
    bad = runner.invoke(args=["region", "place", "jinyun", "zj"])
    assert bad.exit_code != 0 and "县只能归属于市局" in bad.output
    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.username == "ls_user"))
        assert (user.role, user.county_id) == ("city", None)
        assert [c.name for c in __import__("server.station.service", fromlist=["x"]).region_counties(user)] == ["缙云县"]


def test_a_county_admin_cannot_make_a_city_or_province_account(land):
    from server.account import service as accounts
    from server.core.errors import Invalid
    for role in ("city", "province"):
        with pytest.raises(Invalid):
            accounts.create_user(land.users["a_admin"], {"username": f"x_{role}", "name": "某人", "role": role,
                                                         "station_id": land.a1.id, "password": PASSWORD * 2})
