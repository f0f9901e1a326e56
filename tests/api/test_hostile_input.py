"""Issue 16's hostile inputs, replayed: each is a 4xx with a Chinese message and nothing changes (never a 500)."""
import json
import re

import pytest
import sqlalchemy as sa

from server.extensions import db
from server.unit.models import Unit
from tests.conftest import YEAR, bearer, login, valid_uscc
from tests.signage.conftest import evaluated, issue  # noqa: F401

BIG = 2**31  # one above PostgreSQL's integer


def units(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count(Unit.id)))


def new_unit(world, **changes) -> dict:
    return {"name": "缙云新店", "uscc": valid_uscc(77), "address": "五云街道1号", "type": "general",
            "station_id": world.ids["a"], "year": YEAR} | changes


@pytest.mark.parametrize("path", [f"/api/v1/units/{BIG}", f"/api/v1/units/{BIG}/history", f"/api/v1/signs/{BIG}/png",
                                  f"/api/v1/inspections/{10**30}", f"/api/v1/units/{BIG}/years"])
def test_an_id_above_the_integer_range_in_a_path_is_not_found(client, world, path):
    r = client.get(path, headers=bearer(world.tokens["county_admin"]))
    assert r.status_code == 404 and r.json["error"]["message"]


def test_an_id_above_the_integer_range_in_a_query_or_body_is_refused_by_field(app, client, world):
    h = bearer(world.tokens["county_admin"])
    r = client.get(f"/api/v1/units?station_id={BIG}", headers=h)
    assert r.status_code == 422 and r.json["error"]["fields"]["station_id"] == ["数值超出范围"]
    r = client.post("/api/v1/units", json=new_unit(world, station_id=BIG), headers=h)
    assert r.status_code == 422 and "station_id" in r.json["error"]["fields"]
    r = client.patch(f"/api/v1/units/{world.ids['unit_a']}", json={"version": BIG, "address": "新地址"}, headers=h)
    assert r.status_code == 422 and r.json["error"]["fields"]["version"] == ["数值超出范围"]
    assert units(app) == 2


def test_admin_pages_take_an_out_of_range_id_as_no_id(client, world):
    login(client, "admin")
    for url in (f"/inspections?station_id={BIG}&unit_id={BIG}", f"/signs?station_id={BIG}", f"/units?year={BIG}",
                f"/patrol?station_id={BIG}", f"/units/{BIG}"):
        assert client.get(url).status_code in (200, 404), url


@pytest.mark.parametrize("username", ["a\u0000", "ad\u0007min", "\ud800"])
def test_a_control_character_in_the_login_is_a_field_error(client, world, username):
    body = json.dumps({"username": username, "password": "x" * 8})  # ASCII, escapes and all, as a phone sends it
    r = client.post("/api/v1/auth/token", data=body, content_type="application/json")
    assert r.status_code == 422 and "含有不允许的控制字符" in r.json["error"]["fields"]["username"][0]
    if username == "\ud800":
        return  # a lone surrogate only comes escaped in JSON: a form cannot encode it
    r = client.post("/login", data={"username": username, "password": "x" * 8})
    assert r.status_code in (400, 422) and "控制字符" in r.get_data(as_text=True)


def test_a_nul_in_a_unit_is_refused_naming_the_character(app, client, world):
    r = client.post("/api/v1/units", json=new_unit(world, address="五云\u0000街道"),
                    headers=bearer(world.tokens["county_admin"]))
    assert r.status_code == 422 and r.json["error"]["fields"]["address"] == ["含有不允许的控制字符：U+0000"]
    login(client, "admin")
    r = client.get("/units?q=%00")
    assert r.status_code == 400 and "U+0000" in r.get_data(as_text=True)
    assert units(app) == 2


def test_texts_are_length_bounded_even_without_a_declared_length(client, world):
    r = client.get("/api/v1/units?q=" + "店" * 101, headers=bearer(world.tokens["county_admin"]))
    assert r.status_code == 422 and "q" in r.json["error"]["fields"]


def test_the_consumers_forms_refuse_a_nul_on_the_form(app, client, world, evaluated):
    _, token, _ = issue(app, world)
    r = client.post(f"/s/{token}/evaluate", data={"stars": "4", "comment": "很好\u0000"})
    assert r.status_code == 422 and "控制字符" in r.get_data(as_text=True)
    r = client.post(f"/s/{token}/complain", data={"kind": "report", "description": "少找钱了\u0000\u0000",
                                                   "phone": "13800000000"})
    assert r.status_code == 422 and "控制字符" in r.get_data(as_text=True)


def test_an_emoji_in_a_unit_name_is_refused_when_entered_naming_it(app, client, world):
    h = bearer(world.tokens["county_admin"])
    r = client.post("/api/v1/units", json=new_unit(world, name="好吃😀小店🍜"), headers=h)
    assert r.status_code == 422 and "😀 🍜" in r.json["error"]["fields"]["name"][0]
    r = client.patch(f"/api/v1/units/{world.ids['unit_a']}", json={"version": 1, "name": "改名😀"}, headers=h)
    assert r.status_code == 422 and "😀" in r.json["error"]["fields"]["name"][0]
    login(client, "admin")
    r = client.post("/units/new", data={"name": "表情🙂店", "uscc": valid_uscc(78), "address": "五云街道2号",
                                        "type": "general", "station_id": world.ids["a"], "year": YEAR})
    assert r.status_code == 422 and "🙂" in r.get_data(as_text=True)
    assert units(app) == 2


def test_the_sign_png_of_a_unit_named_with_an_emoji_says_why(app, client, world, evaluated):
    sid, _, _ = issue(app, world)
    with app.app_context():  # entered before names were checked
        db.session.get(Unit, world.ids["unit_a"]).name = "老字号😀"
        db.session.commit()
    r = client.get(f"/api/v1/signs/{sid}/png", headers=bearer(world.tokens["county_admin"]))
    assert r.status_code == 422 and "😀" in r.json["error"]["message"]


def test_impossible_and_far_off_dates_are_refused_not_made_today(client, world):
    login(client, "admin")
    for url in ("/patrol?day=2023-02-30", "/inspections?date_to=2023-02-30"):
        r = client.get(url)
        assert r.status_code == 422 and "“2023-02-30”不是有效日期" in r.get_data(as_text=True), url
    r = client.post("/patrol/done", data={"day": "2023-02-30", "station_id": world.ids["a"]})
    assert r.status_code == 422
    assert "日期应在2000年到2100年之间" in client.get("/patrol?day=1999-12-31").get_data(as_text=True)


def test_every_date_time_in_the_api_carries_its_offset(client, world):
    h = bearer(world.tokens["county_admin"])
    body = client.get(f"/api/v1/units/{world.ids['unit_a']}", headers=h).get_data(as_text=True)
    times = re.findall(r'"(\d{4}-\d\d-\d\dT[^"]+)"', body) + re.findall(
        r'"(\d{4}-\d\d-\d\dT[^"]+)"', client.get("/api/v1/tokens", headers=h).get_data(as_text=True))
    assert times and all(t.endswith("+00:00") for t in times), times
