"""Carriers: list with targets, create with members of the station, edit with conflict detection."""
from server.carrier.models import Carrier
from server.extensions import db


def test_list(as_user, world):
    page = as_user("admin").get("/carriers").get_data(as_text=True)
    assert "放心消费街区（商圈）" in page and "村级消费维权联络站（点）" in page and "年目标" in page


def test_county_admin_chooses_station_first(as_user, world):
    client = as_user("admin")
    assert "先选择载体所在的所（分局）" in client.get("/carriers/new").get_data(as_text=True)
    page = client.get(f"/carriers/new?station_id={world.ids['a']}").get_data(as_text=True)
    assert "五云放心超市" in page and "壶镇诚信五金店" not in page


def test_create_edit_and_conflict(as_user, world, count, app):
    client = as_user("a_admin")
    form = {"kind": "district", "name": "五云老街", "leader_name": "李街长", "since_year": "2023",
            "active": "true", "member_ids": [str(world.ids["unit_a"])]}
    response = client.post("/carriers/new", data=form)
    assert response.status_code == 303
    with app.app_context():
        carrier = db.session.scalar(db.select(Carrier))
        carrier_id, members = carrier.id, [u.id for u in carrier.members]
    assert members == [world.ids["unit_a"]]
    assert "五云老街" in client.get("/carriers").get_data(as_text=True)
    edit = form | {"version": "1", "leader_name": "王场长"}
    assert client.post(f"/carriers/{carrier_id}/edit", data=edit).status_code == 303
    response = client.post(f"/carriers/{carrier_id}/edit", data=edit | {"leader_name": "过时的修改"})
    assert response.status_code == 409 and "该载体已被他人修改" in response.get_data(as_text=True)
    assert count(Carrier, Carrier.leader_name == "王场长") == 1


def test_bad_input_and_foreign_members_write_nothing(as_user, world, count):
    client = as_user("a_admin")
    response = client.post("/carriers/new", data={"kind": "district", "name": "", "since_year": "1900"})
    assert response.status_code == 422 and "年份应在2000到2100之间" in response.get_data(as_text=True)
    response = client.post("/carriers/new", data={"kind": "district", "name": "越界", "since_year": "2023",
                                                  "member_ids": [str(world.ids["unit_b"])]})
    assert response.status_code == 422 and "成员单位" in response.get_data(as_text=True)
    assert count(Carrier) == 0


def test_station_admin_cannot_create_in_other_station(as_user, world, count):
    response = as_user("a_admin").post("/carriers/new", data={"station_id": world.ids["b"], "kind": "village",
                                                              "name": "x", "since_year": "2023"})
    assert response.status_code == 404
    assert count(Carrier) == 0
