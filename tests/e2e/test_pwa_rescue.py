"""Rescue that keeps authorship (issue 18, item 5), in Chromium: a file exported on an inspector's phone and
imported on the station admin's phone is filed in the inspector's name, the admin recorded beside; the same
file imported by another station's inspector is refused with a reason."""
import sqlalchemy as sa

from server.extensions import db
from server.inspection.models import Inspection
from tests.e2e.conftest import PHONE
from tests.e2e.pwa_helpers import field, login, store, wait_states  # noqa: F401
from tests.e2e.test_pwa_sync import _offline_inspection
from tests.sync.conftest import checklist  # noqa: F401


def _import(browser, live_server, username, rescue):
    ctx = browser.new_context(viewport=PHONE, locale="zh-CN", bypass_csp=True, is_mobile=True, has_touch=True)
    page = ctx.new_page()
    login(page, live_server, username)
    page.goto(f"{live_server}/app/#/settings")
    page.set_input_files("#import", str(rescue))
    page.wait_for_selector("#transfer-result:has-text('已导入 1 条')")
    return ctx, page


def test_an_imported_rescue_file_keeps_its_inspector(phone, browser, live_server, field, app, tmp_path):
    login(phone, live_server)
    change_id = _offline_inspection(phone, tmp_path)
    phone.goto(f"{live_server}/app/#/settings")
    with phone.expect_download() as dl:
        phone.click("#export")
    rescue = tmp_path / "rescue.json"
    dl.value.save_as(rescue)
    # When another station's inspector imports it, it is refused with the reason, nothing stored
    ctx, page = _import(browser, live_server, "b_insp", rescue)
    wait_states(page, {"invalid"})
    page.goto(f"{live_server}/app/#/sync")
    page.wait_for_selector("#outbox .error")
    assert "所（分局）的管理员" in page.inner_text("#outbox")
    ctx.close()
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Inspection)) == 0
    # When the station admin imports it
    ctx, page = _import(browser, live_server, "a_admin", rescue)
    assert "a_insp的记录" in page.inner_text("#transfer-result")
    wait_states(page, {"sent"})
    # Then the record is the inspector's, the admin recorded beside
    [c] = store(page, "outbox")
    assert c["result"]["imported_by"]["id"] == field.ids["admin_a"]
    with app.app_context():
        insp = db.session.scalars(sa.select(Inspection)).one()
        assert insp.client_id == change_id and insp.inspector_id == field.ids["inspector_a"]
    ctx.close()
