"""The unit list, the unit page and its lifecycle buttons, and station scope."""
from server.extensions import db
from server.station.models import Station
from server.unit.models import LifecycleEvent, Unit, UnitYear
from tests.conftest import YEAR, valid_uscc


def test_list_shows_my_units_and_filters(as_user, world):
    client = as_user("admin")
    page = client.get("/units").get_data(as_text=True)
    assert "五云放心超市" in page and "壶镇诚信五金店" in page and "共 2 家" in page
    page = client.get(f"/units?station_id={world.ids['b']}").get_data(as_text=True)
    assert "壶镇诚信五金店" in page and "五云放心超市" not in page
    page = client.get("/units?q=五金").get_data(as_text=True)
    assert "壶镇诚信五金店" in page and "五云放心超市" not in page
    page = client.get(f"/units?stage=none&year={YEAR}").get_data(as_text=True)
    assert "没有符合条件的单位" in page
    page = client.get(f"/units?stage=none&year={YEAR + 1}").get_data(as_text=True)
    assert "共 2 家" in page


def test_station_admin_never_sees_other_station(as_user, world):
    client = as_user("a_admin")
    page = client.get(f"/units?station_id={world.ids['b']}").get_data(as_text=True)
    assert "五云放心超市" in page and "壶镇诚信五金店" not in page
    assert client.get(f"/units/{world.ids['unit_b']}").status_code == 404
    assert client.get(f"/units/{world.ids['unit_b']}/edit").status_code == 404
    response = client.post(f"/units/{world.ids['unit_b']}/transition", data={"year": YEAR, "to_stage": "committed"})
    assert response.status_code == 404


def test_detail_shows_profile_stage_and_next_step(as_user, world):
    page = as_user("a_insp").get(f"/units/{world.ids['unit_a']}").get_data(as_text=True)
    assert "五云放心超市" in page and "培育库" in page
    assert "下一步：承诺公示" in page and "移出2023年度名单" in page


def test_allowed_transition_is_recorded(as_user, world, count):
    client = as_user("a_admin")
    response = client.post(f"/units/{world.ids['unit_a']}/transition",
                           data={"year": YEAR, "to_stage": "committed", "note": "已公示"})
    assert response.status_code == 303
    assert count(UnitYear, UnitYear.unit_id == world.ids["unit_a"], UnitYear.stage == "committed") == 1
    assert count(LifecycleEvent, LifecycleEvent.unit_id == world.ids["unit_a"]) == 2  # enrolment, this step
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "已更新为“承诺公示”" in page and "下一步：系统录入" in page
    assert "培育库 → <strong>承诺公示</strong>" in page and "a_admin" in page


def test_disallowed_transition_is_refused_and_changes_nothing(as_user, world, count):
    client = as_user("a_admin")
    response = client.post(f"/units/{world.ids['unit_a']}/transition", data={"year": YEAR, "to_stage": "sign_posted"})
    assert response.status_code == 422
    assert "不能从“培育库”转到“标识张贴”" in response.get_data(as_text=True)
    assert count(UnitYear, UnitYear.unit_id == world.ids["unit_a"], UnitYear.stage == "pool") == 1
    assert count(LifecycleEvent) == 2  # the two enrolments only


def test_removal_needs_a_reason(as_user, world, count):
    client = as_user("a_admin")
    url = f"/units/{world.ids['unit_a']}/transition"
    response = client.post(url, data={"year": YEAR, "to_stage": "removed"})
    assert response.status_code == 422 and "移出时须选择原因" in response.get_data(as_text=True)
    assert count(LifecycleEvent) == 2  # the two enrolments only
    assert client.post(url, data={"year": YEAR, "to_stage": "removed", "reason": "closed"}).status_code == 303
    assert count(UnitYear, UnitYear.stage == "removed", UnitYear.removal_reason == "closed") == 1
    page = client.get(f"/units/{world.ids['unit_a']}").get_data(as_text=True)
    assert "歇业关闭" in page and "下一步" not in page


def test_enrol_into_another_year(as_user, world, count):
    client = as_user("a_admin")
    page = client.get(f"/units/{world.ids['unit_a']}?year={YEAR + 1}").get_data(as_text=True)
    assert f"纳入{YEAR + 1}年度培育库" in page
    response = client.post(f"/units/{world.ids['unit_a']}/transition", data={"year": YEAR + 1, "to_stage": "pool"})
    assert response.status_code == 303
    assert count(UnitYear, UnitYear.unit_id == world.ids["unit_a"]) == 2


def test_pagination(app, as_user, world):
    with app.app_context():
        county_id = db.session.get(Station, world.ids["a"]).county_id
        for n in range(30):
            db.session.add(Unit(county_id=county_id, station_id=world.ids["a"], name=f"分页测试{n:02d}",
                                uscc=valid_uscc(100 + n), address="五云", type="general"))
        db.session.commit()
    client = as_user("a_admin")
    page = client.get("/units").get_data(as_text=True)
    assert "共 31 家" in page and "第 1 / 2 页" in page and "page=2" in page
    page = client.get("/units?page=2").get_data(as_text=True)
    assert "第 2 / 2 页" in page and "分页测试29" in page and "上一页" in page
