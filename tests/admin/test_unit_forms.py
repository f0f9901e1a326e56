"""Creating and editing units: field errors in Chinese, nothing written on bad input, conflicts shown."""
from server.unit.models import Unit, UnitChange
from tests.conftest import YEAR, valid_uscc


def _form(**changes):
    data = {"name": "新开放心药店", "uscc": valid_uscc(99), "address": "五云街道1号", "type": "general",
            "business_status": "open", "tags": "党员经营户, 党员先锋岗", "year": str(YEAR)}
    return data | changes


def test_new_form_renders(as_user):
    page = as_user("a_admin").get("/units/new").get_data(as_text=True)
    assert "新增单位" in page and "统一社会信用代码" in page and 'name="csrf_token"' in page


def test_create_unit(as_user, world, count):
    client = as_user("a_admin")
    response = client.post("/units/new", data=_form())
    assert response.status_code == 303, response.get_data(as_text=True)
    assert count(Unit) == 3
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "新开放心药店" in page and "党员先锋岗" in page and "五云所" in page and "培育库" in page


def test_create_with_bad_input_writes_nothing(as_user, world, count):
    client = as_user("a_admin")
    response = client.post("/units/new", data=_form(name="", uscc="123", type="no_reason_return"))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "此项为必填项" in page and "统一社会信用代码应为18位" in page
    assert count(Unit) == 2
    # The schema passes, the service refuses: a bad check digit and a missing return period.
    response = client.post("/units/new", data=_form(uscc=valid_uscc(99)[:-1] + "0", type="no_reason_return"))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "无理由退货单位须填写退货期限（天）" in page
    assert count(Unit) == 2


def test_create_duplicate_code_is_refused(as_user, world, count):
    response = as_user("admin").post("/units/new", data=_form(uscc=valid_uscc(1), station_id=world.ids["a"]))
    assert response.status_code == 422 and "已登记为“五云放心超市”" in response.get_data(as_text=True)
    assert count(Unit) == 2


def test_station_admin_cannot_create_in_other_station(as_user, world, count):
    response = as_user("a_admin").post("/units/new", data=_form(station_id=world.ids["b"]))
    assert response.status_code == 422 and "请选择本人有权管理的所（分局）" in response.get_data(as_text=True)
    assert count(Unit) == 2


def test_edit_records_history(as_user, world, fetch):
    client = as_user("a_admin")
    page = client.get(f"/units/{world.ids['unit_a']}/edit").get_data(as_text=True)
    assert 'name="version" value="1"' in page and "五云放心超市" in page
    form = {"name": "五云放心超市", "uscc": valid_uscc(1), "address": "五云新路8号", "type": "general",
            "business_status": "open", "version": "1", "note": "搬迁", "contact_phone": ""}
    response = client.post(f"/units/{world.ids['unit_a']}/edit", data=form)
    assert response.status_code == 303
    assert fetch(Unit, world.ids["unit_a"])["address"] == "五云新路8号"
    page = client.get(f"/units/{world.ids['unit_a']}").get_data(as_text=True)
    assert "信息变更记录" in page and "五云所路1号" in page and "五云新路8号" in page and "搬迁" in page


def test_edit_conflict_is_shown_not_applied(as_user, world, fetch, count):
    client = as_user("a_admin")
    form = {"name": "五云放心超市", "uscc": valid_uscc(1), "address": "我的地址", "type": "general",
            "business_status": "open", "version": "1"}
    assert client.post(f"/units/{world.ids['unit_a']}/edit", data=form | {"address": "他人的地址"}).status_code == 303
    response = client.post(f"/units/{world.ids['unit_a']}/edit", data=form)
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "该单位已被他人修改" in page and "我的地址" in page and "他人的地址" in page
    assert 'name="version" value="2"' in page
    assert fetch(Unit, world.ids["unit_a"])["address"] == "他人的地址"
    assert count(UnitChange) == 1


def test_edit_with_bad_input(as_user, world, fetch):
    response = as_user("a_admin").post(f"/units/{world.ids['unit_a']}/edit", data={
        "name": "", "uscc": valid_uscc(1), "address": "x", "type": "general", "version": "1", "contact_phone": "abc"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "电话号码格式不正确" in page
    assert fetch(Unit, world.ids["unit_a"])["name"] == "五云放心超市"
