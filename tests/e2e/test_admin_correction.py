"""The station's correction form (issue 18, item 4) in a real browser at 1280 px and 360 px: a required reason,
a new record superseding the old, the chain on both records and in the report; the importer shown (item 5)."""
import sqlalchemy as sa

from server.extensions import db
from server.inspection.models import Inspection
from tests.conftest import PASSWORD, bearer
from tests.e2e.conftest import no_horizontal_overflow, page_login, shot
from tests.sync.conftest import change, checklist, due, inspection_body  # noqa: F401


def _inspection(client, world, checklist, **kw):
    body = inspection_body(world.ids["unit_a"], checklist, **kw)
    c = {**change(body), "on_behalf_of": world.ids["inspector_a"]}  # imported from the inspector's rescue file
    r = client.post("/api/v1/sync/push", headers=bearer(world.tokens["admin_a"]), json={"changes": [c]})
    assert r.get_json()["results"][0]["status"] == "applied"
    return body


def test_the_station_admin_corrects_an_inspection(desktop, phone, live_server, world, checklist, app, client):
    _inspection(client, world, checklist, conclusion="rectify", fail_items=["pricing.have"],
                rectifications=[{"item_code": "pricing.have", "demand": "补齐价签", "due_date": due(7)}])
    with app.app_context():
        old_id = db.session.scalar(sa.select(Inspection.id))
    page_login(desktop, live_server, "a_admin", PASSWORD)
    desktop.goto(f"{live_server}/inspections/{old_id}")
    assert "由a_admin导入" in desktop.inner_text("#imported-by")
    desktop.click("#correct")
    desktop.wait_for_selector("#correct-form")
    shot(desktop, "admin-inspection-correct-1280")
    # Without a reason: refused, nothing stored, the field says why
    desktop.select_option("select[name=conclusion]", "pass")
    desktop.click("#correct-form button[type=submit]")
    assert "须填写更正原因" in desktop.inner_text("#correct-form")
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Inspection)) == 1
    # With one, the record is corrected
    desktop.fill("textarea[name=reason]", "电话回访核实：价签齐全")
    desktop.select_option("select[name='result-pricing.have']", "yes")
    desktop.fill("input[name='note-pricing.have']", "")
    desktop.click("#correct-form button[type=submit]")
    desktop.wait_for_selector("#correction-chain")
    text = desktop.inner_text("body")
    assert "已更正" in text and "电话回访核实：价签齐全" in text and "未经负责人签名" in text
    shot(desktop, "admin-inspection-corrected-1280")
    desktop.goto(f"{live_server}/inspections/{old_id}")
    assert "已被更正" in desktop.inner_text("body") and not desktop.locator("#correct").count()
    desktop.goto(f"{live_server}/inspections/{old_id}/report")
    assert "已被更正" in desktop.inner_text("body") and "电话回访核实" in desktop.inner_text("body")
    shot(desktop, "admin-inspection-report-corrected-1280")
    # The same pages at 360 px
    page_login(phone, live_server, "a_admin", PASSWORD)
    with app.app_context():
        new_id = db.session.scalar(sa.select(Inspection.id).where(Inspection.supersedes_id == old_id))
    for path, name in ((f"/inspections/{new_id}", "corrected"), (f"/inspections/{new_id}/correct", "correct"),
                       (f"/inspections/{old_id}/report", "report-corrected")):
        phone.goto(live_server + path)
        shot(phone, f"admin-inspection-{name}-360")
        assert no_horizontal_overflow(phone), path
