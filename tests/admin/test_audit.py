"""操作记录 (issue 20, item 3): the audit trail searched by person, record, kind of change and period,
each change in words (old → new, never a code), scoped to the admin's county or station, exported to XLSX."""
import io
from datetime import datetime

import sqlalchemy as sa
from openpyxl import load_workbook

from server.core.audit import AuditLog
from server.extensions import db
from tests.conftest import YEAR


def edit_address(client, unit_id, address, version="1"):
    with client.application.app_context():
        from server.unit.models import Unit
        unit = db.session.get(Unit, unit_id)
        name, uscc = unit.name, unit.uscc
    form = {"name": name, "uscc": uscc, "address": address, "type": "general",
            "business_status": "open", "version": version, "note": "搬迁", "contact_phone": ""}
    r = client.post(f"/units/{unit_id}/edit", data=form)
    assert r.status_code == 303, r.get_data(as_text=True)[:300]


def text(r):
    return r.get_data(as_text=True)


def test_a_change_in_words_with_who_and_what(as_user, world):
    client = as_user("a_admin")
    edit_address(client, world.ids["unit_a"], "五云新路8号")
    r = client.post(f"/units/{world.ids['unit_a']}/transition", data={"year": YEAR, "to_stage": "committed"})
    assert r.status_code == 303
    page = text(client.get("/audit"))
    assert "操作记录" in page and "市场主体" in page and "地址" in page
    assert "五云所路1号 → 五云新路8号" in page
    assert "培育库 → 承诺公示" in page  # the stage in words
    for code in ("pool", "committed", "unit_year", "update", "address"):
        assert f">{code}<" not in page and f"：{code}" not in page and f"{code} →" not in page
    assert "a_admin" in page  # the person's name


def test_each_filter(as_user, world, app):
    county = as_user("admin")
    edit_address(county, world.ids["unit_b"], "壶镇新街1号")
    county.get("/logout")
    station = as_user("a_admin")
    edit_address(station, world.ids["unit_a"], "五云新路8号")
    station.get("/logout")
    client = as_user("admin")
    by_person = text(client.get("/audit", query_string={"person": "a_adm"}))
    assert "五云新路8号" in by_person and "壶镇新街1号" not in by_person
    by_record = text(client.get("/audit", query_string={"entity": "unit", "entity_id": str(world.ids["unit_b"])}))
    assert "壶镇新街1号" in by_record and "五云新路8号" not in by_record
    inserts = text(client.get("/audit", query_string={"action": "insert", "entity": "unit"}))
    assert "没有符合条件的操作记录" in inserts  # the world's units were made outside any request
    updates = text(client.get("/audit", query_string={"action": "update", "entity": "unit"}))
    assert "壶镇新街1号" in updates and "五云新路8号" in updates
    # the period is in China dates: 2026-03-01 17:30 UTC is 2026-03-02 01:30 in Beijing
    with app.app_context():
        db.session.execute(sa.update(AuditLog).values(at=datetime(2026, 3, 1, 17, 30)))
        db.session.commit()
    on_2nd = text(client.get("/audit", query_string={"since": "2026-03-02", "until": "2026-03-02"}))
    assert "壶镇新街1号" in on_2nd and "2026-03-02 01:30" in on_2nd
    on_1st = text(client.get("/audit", query_string={"since": "2026-03-01", "until": "2026-03-01"}))
    assert "没有符合条件的操作记录" in on_1st


def test_scope_station_admin_sees_own_station_and_inspectors_nothing(as_user, world, client):
    edit_address(as_user("admin"), world.ids["unit_b"], "壶镇新街1号")
    client.get("/logout")
    edit_address(as_user("b_admin"), world.ids["unit_b"], "壶镇新街2号", version="2")
    client.get("/logout")
    mine = text(as_user("a_admin").get("/audit"))
    assert "壶镇新街" not in mine
    client.get("/logout")
    theirs = text(as_user("b_admin").get("/audit"))
    assert "壶镇新街1号 → 壶镇新街2号" in theirs
    assert "壶镇所路2号 → 壶镇新街1号" not in theirs  # the county admin's change is not the station's
    client.get("/logout")
    assert as_user("a_insp").get("/audit").status_code == 403
    assert client.get("/audit.xlsx").status_code == 403


def test_bad_filters_get_a_chinese_message_per_field(as_user, world):
    client = as_user("admin")
    for args, field_msg in (({"since": "2023-02-30"}, "真实存在的日期"),
                            ({"since": "2024-05-02", "until": "2024-05-01"}, "结束日期不能早于开始日期"),
                            ({"page": "99999999999"}, "页码"), ({"action": "drop"}, "操作类型不正确"),
                            ({"person": "x" * 51}, "不能超过50个字"), ({"since": "1900-01-01"}, "2000年到2100年")):
        r = client.get("/audit", query_string=args)
        assert r.status_code == 422, args
        assert field_msg in text(r), args
    r = client.get("/audit", query_string={"entity": "no_such_table"})
    assert r.status_code == 422 and "记录类型不正确" in text(r)


def test_export_keeps_typed_formulas_as_text(as_user, world):
    client = as_user("a_admin")
    edit_address(client, world.ids["unit_a"], '=HYPERLINK("http://evil.example","点我")')
    r = client.get("/audit.xlsx", query_string={"entity": "unit"})
    assert r.status_code == 200 and r.mimetype.endswith("spreadsheetml.sheet")
    ws = load_workbook(io.BytesIO(r.data)).active
    assert [c.value for c in ws[1]] == ["时间（北京时间）", "操作人", "设备", "操作", "记录类型", "记录编号", "变更内容"]
    row = [c for c in ws[2]]
    assert row[3].value == "修改" and row[4].value == "市场主体"
    assert '=HYPERLINK("http://evil.example","点我")' in row[6].value
    assert all(c.data_type != "f" for r_ in ws.iter_rows() for c in r_)


def test_a_change_from_the_field_app_names_the_device(client, world, as_user):
    from tests.conftest import bearer
    r = client.patch(f"/api/v1/units/{world.ids['unit_a']}", json={"version": 1, "address": "五云街道新地址1号"},
                     headers=bearer(world.tokens["admin_a"]))
    assert r.status_code == 200
    page = text(as_user("a_admin").get("/audit"))
    assert "设备：test" in page and "token:" not in page and "五云街道新地址1号" in page
