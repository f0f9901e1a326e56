"""Units through the API: validation, duplicates, conflicts, history, lifecycle, audit."""
import sqlalchemy as sa

from server.core.audit import AuditLog
from server.extensions import db
from server.unit.models import LifecycleEvent, Unit, UnitChange, UnitYear
from tests.conftest import YEAR, bearer, valid_uscc


def _count(app, model, *where):
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def _new(**over):
    body = {"name": "五云新开超市", "uscc": valid_uscc(500), "address": "五云街道新建路8号", "type": "general",
            "tags": ["党员经营户"], "year": YEAR}
    body.update(over)
    return body


def test_station_admin_creates_a_unit_in_the_pool(client, world, app):
    r = client.post("/api/v1/units", headers=bearer(world.tokens["admin_a"]), json=_new())
    assert r.status_code == 201, r.get_json()
    unit = r.get_json()
    assert unit["station_id"] == world.ids["a"] and unit["version"] == 1
    years = client.get(f"/api/v1/units/{unit['id']}/years", headers=bearer(world.tokens["admin_a"])).get_json()
    assert years == [{"year": YEAR, "stage": "pool", "removal_reason": None}]


def test_bad_body_gets_chinese_messages_per_field_and_writes_nothing(client, world, app):
    before = _count(app, Unit)
    body = _new(name="", uscc="ABC", type="shop", lat=123, contact_phone="call me", extra=1)
    r = client.post("/api/v1/units", headers=bearer(world.tokens["admin_a"]), json=body)
    assert r.status_code == 422
    fields = r.get_json()["error"]["fields"]
    assert fields["type"] == ["单位类型不正确"]
    assert fields["lat"] == ["纬度应在-90到90之间"]
    assert fields["contact_phone"] == ["电话号码格式不正确"]
    assert fields["extra"] == ["不认识的字段"]
    assert "name" in fields
    assert _count(app, Unit) == before


def test_bad_check_digit_and_no_return_days_are_refused(client, world, app):
    code = valid_uscc(501)
    bad = code[:-1] + ("0" if code[-1] != "0" else "1")
    r = client.post("/api/v1/units", headers=bearer(world.tokens["admin_a"]),
                    json=_new(uscc=bad, type="no_reason_return"))
    assert r.status_code == 422
    fields = r.get_json()["error"]["fields"]
    assert fields["uscc"] == ["统一社会信用代码校验位不正确，请核对"]
    assert fields["return_days"] == ["无理由退货单位须填写退货期限（天）"]


def test_a_registered_code_is_refused_with_the_holders_name(client, world, app):
    r = client.post("/api/v1/units", headers=bearer(world.tokens["county_admin"]),
                    json=_new(uscc=valid_uscc(2), station_id=world.ids["a"]))
    assert r.status_code == 422
    assert r.get_json()["error"]["fields"]["uscc"] == ["该统一社会信用代码已登记为“壶镇诚信五金店”"]


def test_a_stale_edit_is_a_conflict_with_the_current_unit_and_changes_nothing(client, world, app):
    h = bearer(world.tokens["admin_a"])
    url = f"/api/v1/units/{world.ids['unit_a']}"
    # Given one edit based on version 1 applied
    r = client.patch(url, headers=h, json={"version": 1, "address": "五云街道新地址1号", "note": "搬迁"})
    assert r.status_code == 200 and r.get_json()["version"] == 2
    # When another edit also based on version 1 arrives
    r = client.patch(url, headers=bearer(world.tokens["inspector_a"]),
                     json={"version": 1, "address": "旧手机上的地址"})
    # Then it is refused with the server's current record
    assert r.status_code == 409
    err = r.get_json()["error"]
    assert err["current"]["address"] == "五云街道新地址1号" and err["current"]["version"] == 2
    assert client.get(url, headers=h).get_json()["address"] == "五云街道新地址1号"


def test_every_change_of_address_status_and_station_is_history(client, world, app):
    h = bearer(world.tokens["county_admin"])
    url = f"/api/v1/units/{world.ids['unit_a']}"
    client.patch(url, headers=h, json={"version": 1, "address": "新址", "business_status": "suspended"})
    client.patch(url, headers=h, json={"version": 2, "station_id": world.ids["b"], "note": "辖区调整"})
    hist = client.get(url + "/history", headers=h).get_json()["changes"]
    got = {(c["field"], c["old_value"], c["new_value"]) for c in hist}
    assert ("address", "五云所路1号", "新址") in got
    assert ("business_status", "open", "suspended") in got
    assert ("station_id", str(world.ids["a"]), str(world.ids["b"])) in got
    assert all(c["user_name"] == "admin" and c["at"] for c in hist)
    # The old station no longer sees it
    assert client.get(url, headers=bearer(world.tokens["admin_a"])).status_code == 404


def test_inspector_may_edit_only_address_phone_and_status(client, world, app):
    r = client.patch(f"/api/v1/units/{world.ids['unit_a']}", headers=bearer(world.tokens["inspector_a"]),
                     json={"version": 1, "name": "改名"})
    assert r.status_code == 403
    assert _count(app, UnitChange) == 0


def test_lifecycle_allows_only_the_next_step_and_records_each(client, world, app):
    h = bearer(world.tokens["admin_a"])
    url = f"/api/v1/units/{world.ids['unit_a']}/transitions"
    r = client.post(url, headers=h, json={"year": YEAR, "to_stage": "evaluated"})
    assert r.status_code == 422 and "不能从“培育库”转到“后评价通过”" in r.get_json()["error"]["message"]
    for stage in ("committed", "profiled"):
        r = client.post(url, headers=h, json={"year": YEAR, "to_stage": stage})
        assert r.status_code == 200 and r.get_json()["stage"] == stage
    # The later stages need their evidence: none of them by a manual step
    for stage, how in (("evaluated", "后评价"), ("sign_issued", "标识"), ("sign_posted", "标识")):
        r = client.post(url, headers=h, json={"year": YEAR, "to_stage": stage})
        assert r.status_code == 422 and how in r.get_json()["error"]["message"], r.get_json()
    assert _count(app, LifecycleEvent, LifecycleEvent.unit_id == world.ids["unit_a"]) == 3  # enrolment + 2


def test_removal_needs_a_reason_and_is_final_for_the_year(client, world, app):
    h = bearer(world.tokens["admin_a"])
    url = f"/api/v1/units/{world.ids['unit_a']}/transitions"
    r = client.post(url, headers=h, json={"year": YEAR, "to_stage": "removed"})
    assert r.status_code == 422 and r.get_json()["error"]["fields"]["reason"] == ["移出时须选择原因"]
    r = client.post(url, headers=h, json={"year": YEAR, "to_stage": "removed", "reason": "closed", "note": "已关门"})
    assert r.status_code == 200 and r.get_json()["removal_reason"] == "closed"
    r = client.post(url, headers=h, json={"year": YEAR, "to_stage": "pool"})
    assert r.status_code == 422
    hist = client.get(f"/api/v1/units/{world.ids['unit_a']}/history", headers=h).get_json()["lifecycle"]
    assert hist[0]["to_stage"] == "removed" and hist[0]["reason"] == "closed" and hist[0]["note"] == "已关门"


def test_unit_not_enrolled_in_a_year_enters_the_pool_first(client, world, app):
    h = bearer(world.tokens["admin_a"])
    url = f"/api/v1/units/{world.ids['unit_a']}/transitions"
    assert client.post(url, headers=h, json={"year": 2024, "to_stage": "committed"}).status_code == 404
    assert client.post(url, headers=h, json={"year": 2024, "to_stage": "pool"}).status_code == 200
    assert _count(app, UnitYear, UnitYear.unit_id == world.ids["unit_a"]) == 2


def test_every_write_is_in_the_audit_log_with_who_and_device(client, world, app):
    h = bearer(world.tokens["admin_a"])
    client.patch(f"/api/v1/units/{world.ids['unit_a']}", headers=h, json={"version": 1, "address": "审计路"})
    with app.app_context():
        row = db.session.scalars(sa.select(AuditLog).where(AuditLog.entity == "unit", AuditLog.action == "update")).one()
        assert row.user_id == world.ids["admin_a"]
        assert row.device.startswith("token:")
        assert row.changes["address"] == ["五云所路1号", "审计路"]
        secrets = db.session.scalars(sa.select(AuditLog).where(AuditLog.entity == "user_account")).all()
        assert secrets and all("password_hash" not in r.changes for r in secrets)


def test_search_and_filters(client, world, app):
    h = bearer(world.tokens["county_admin"])
    assert client.get("/api/v1/units?q=五金", headers=h).get_json()["total"] == 1
    assert client.get(f"/api/v1/units?q={valid_uscc(1)}", headers=h).get_json()["total"] == 1
    assert client.get(f"/api/v1/units?station_id={world.ids['b']}", headers=h).get_json()["total"] == 1
    assert client.get(f"/api/v1/units?stage=pool&year={YEAR}", headers=h).get_json()["total"] == 2
    assert client.get("/api/v1/units?stage=none&year=2030", headers=h).get_json()["total"] == 2
    r = client.get("/api/v1/units?per_page=5000", headers=h)
    assert r.status_code == 422 and r.get_json()["error"]["fields"]["per_page"]


def test_an_edit_without_its_base_version_is_refused(client, world, app):
    r = client.patch(f"/api/v1/units/{world.ids['unit_a']}", headers=bearer(world.tokens["admin_a"]),
                     json={"address": "没有版本号"})
    assert r.status_code == 422 and r.get_json()["error"]["fields"]["version"] == ["此项为必填项"]
    r = client.post("/api/v1/carriers", json={"kind": "district", "name": "五云街区", "station_id": world.ids["a"],
                                              "since_year": YEAR}, headers=bearer(world.tokens["admin_a"]))
    assert r.status_code == 201, r.json
    r = client.patch(f"/api/v1/carriers/{r.json['id']}", headers=bearer(world.tokens["admin_a"]), json={"name": "x"})
    assert r.status_code == 422 and r.get_json()["error"]["fields"]["version"] == ["此项为必填项"]
    with app.app_context():
        assert db.session.get(Unit, world.ids["unit_a"]).address == "五云所路1号"
