"""The field app's never-lose guarantees against a hostile network, an expired login and an app update."""
import re
import shutil

import sqlalchemy as sa

from server.extensions import db
from server.inspection.models import Inspection
from server.unit.models import Unit
from tests.conftest import bearer
from tests.e2e.conftest import shot
from tests.e2e.pwa_helpers import (answer_items, count, field, finish_inspection, jpeg, login,  # noqa: F401
                                   outbox_states, start_inspection, store, wait_controlled, wait_states)
from tests.sync.conftest import checklist  # noqa: F401


def _offline_inspection(page, tmp_path, photos=1):
    """Run a whole inspection with the network off; returns its change id."""
    page.context.set_offline(True)
    start_inspection(page, "五云放心超市")
    answer_items(page, first_photos=[jpeg(tmp_path / f"p{i}.jpg", 10 + i, (1200, 900)) for i in range(photos)])
    finish_inspection(page)
    [change] = [c for c in store(page, "outbox") if c["type"] == "inspection"]
    return change["id"]


def _sync_button(page):
    page.goto(page.url.split("#")[0] + "#/sync")
    page.wait_for_selector("#sync-now:not([disabled])")
    page.click("#sync-now")


def test_a_lost_push_response_is_retried_and_stored_once(phone, live_server, field, app, tmp_path):
    login(phone, live_server)
    change_id = _offline_inspection(phone, tmp_path)
    # Given a network that delivers the push to the server but loses the answer
    lost = []

    def lose_the_answer(route):
        resp = route.fetch()
        lost.append(resp.status)
        route.abort("connectionreset")

    phone.route("**/api/v1/sync/push", lose_the_answer)
    phone.context.set_offline(False)
    phone.wait_for_function("navigator.onLine")
    phone.wait_for_timeout(300)
    if not lost:
        _sync_button(phone)
    phone.wait_for_function("document.body.dataset.view && true")
    for _ in range(50):
        if lost:
            break
        phone.wait_for_timeout(100)
    # Then the server stored it, but the phone still holds it: no acknowledgement arrived
    assert lost == [200]
    phone.wait_for_timeout(300)
    assert outbox_states(phone) == {change_id: "waiting"}
    assert count(app, Inspection) == 1
    # When the network behaves again and it retries
    phone.unroute("**/api/v1/sync/push")
    _sync_button(phone)
    wait_states(phone, {"sent"})
    # Then it is acknowledged (as a duplicate) and still stored exactly once
    assert store(phone, "outbox")[0]["result"]["status"] == "duplicate"
    assert count(app, Inspection) == 1


def test_a_captive_portal_page_is_never_taken_for_an_acknowledgement(phone, live_server, field, app, tmp_path):
    login(phone, live_server)
    change_id = _offline_inspection(phone, tmp_path)
    # Given a Wi-Fi that answers every API request with its login page, status 200
    portal = []

    def wifi_login(route):
        portal.append(route.request.url)
        route.fulfill(status=200, content_type="text/html; charset=utf-8",
                      body="<html><body>欢迎使用免费Wi-Fi，请登录</body></html>")

    phone.route("**/api/v1/**", wifi_login)
    phone.context.set_offline(False)
    _sync_button(phone)
    phone.wait_for_selector("#sync-error")
    shot(phone, "pwa-sync-portal-360")
    # Then the record and its photos stay on the phone, unacknowledged
    assert any("/photos/" in u for u in portal)
    assert outbox_states(phone) == {change_id: "waiting"}
    assert not any(p["uploaded"] for p in store(phone, "photos"))
    assert "Wi-Fi" in phone.inner_text("#sync-error")
    assert count(app, Inspection) == 0
    # When the real network is back, it is sent
    phone.unroute("**/api/v1/**")
    _sync_button(phone)
    wait_states(phone, {"sent"})
    assert count(app, Inspection) == 1


def test_a_login_revoked_while_offline_keeps_the_outbox_until_logged_in_again(phone, live_server, field, app,
                                                                             client):
    login(phone, live_server)
    unit_id = field.ids["unit_a"]
    # Given an address corrected offline
    phone.context.set_offline(True)
    phone.goto(f"{live_server}/app/#/edit/{unit_id}")
    phone.wait_for_selector("#edit")
    phone.fill("input[name=address]", "五云街道新建路8号")
    phone.click("#edit button[type=submit]")
    phone.wait_for_selector("body[data-view=unit]")
    assert "五云街道新建路8号" in phone.inner_text("#view")
    # And the phone's login revoked by an admin meanwhile
    session = {r["key"]: r["value"] for r in store(phone, "meta")}["session"]
    r = client.delete(f"/api/v1/tokens/{session['device']['id']}", headers=bearer(field.tokens["county_admin"]))
    assert r.status_code == 200
    # When the network returns
    phone.context.set_offline(False)
    phone.wait_for_selector("#auth-banner:not([hidden])")
    shot(phone, "pwa-login-expired-360")
    # Then nothing was thrown away
    [change] = store(phone, "outbox")
    assert change["state"] == "waiting"
    # When the inspector logs in again, it is sent
    phone.click("#auth-banner a")
    phone.wait_for_selector("#login")
    shot(phone, "pwa-relogin-360")
    phone.fill("input[name=password]", "correct-horse-9")
    phone.click("#login button[type=submit]")
    wait_states(phone, {"sent"})
    with app.app_context():
        assert db.session.get(Unit, unit_id).address == "五云街道新建路8号"
    assert phone.locator("#auth-banner").is_hidden()


def test_a_stale_unit_edit_shows_both_versions_and_the_inspector_chooses(phone, live_server, field, app, client):
    login(phone, live_server)
    unit_id = field.ids["unit_a"]
    # Given the station changed the phone number after the phone pulled the unit
    phone.context.set_offline(True)
    r = client.patch(f"/api/v1/units/{unit_id}", headers=bearer(field.tokens["admin_a"]),
                     json={"contact_phone": "0578-3111111", "version": 1})
    assert r.status_code == 200, r.get_json()
    # When the inspector edits the same unit from the old version
    phone.goto(f"{live_server}/app/#/edit/{unit_id}")
    phone.wait_for_selector("#edit")
    phone.fill("input[name=contact_phone]", "13900001111")
    phone.click("#edit button[type=submit]")
    phone.wait_for_selector("body[data-view=unit]")
    phone.context.set_offline(False)
    _sync_button(phone)
    wait_states(phone, {"conflict"})
    # Then both versions are shown side by side
    phone.wait_for_selector("table.cmp")
    text = phone.inner_text("table.cmp")
    assert "0578-3111111" in text and "13900001111" in text
    shot(phone, "pwa-sync-conflict-360")
    # When they keep theirs, a new change based on the server's version is applied
    phone.click("[data-keep=mine]")
    wait_states(phone, {"sent", "resolved"})
    with app.app_context():
        assert db.session.get(Unit, unit_id).contact_phone == "13900001111"


def _issue_sign(app, world, year=2023):
    from server.account.models import User
    from server.signage.service import issue_sign
    from server.unit.models import UnitYear
    with app.app_context():
        db.session.execute(sa.update(UnitYear).where(UnitYear.unit_id == world.ids["unit_a"], UnitYear.year == year)
                           .values(stage="evaluated"))
        issue_sign(db.session.get(User, world.ids["admin_a"]), world.ids["unit_a"], year)
        db.session.commit()


def test_a_refused_sign_confirmation_stays_in_the_outbox_until_it_is_accepted(phone, live_server, field, app,
                                                                              tmp_path):
    from server.signage.models import Sign
    login(phone, live_server)
    # Given an inspector confirming a sign the station has not issued yet
    phone.goto(f"{live_server}/app/#/sign/{field.ids['unit_a']}")
    # The phone knows of no sign in force: it says so, and still lets the inspector confirm
    phone.wait_for_selector("#unknown-sign")
    phone.set_input_files("#cam input[type=file]", str(jpeg(tmp_path / "sign.jpg", 7, (1600, 1200))))
    phone.wait_for_selector("#photos img")
    phone.fill("#note", "张贴于收银台上方")
    phone.click("#save")
    phone.wait_for_selector("body[data-view=unit]")
    _sync_button(phone)
    # Then the server's refusal is shown with its reason, and the record stays
    wait_states(phone, {"invalid"})
    [change] = store(phone, "outbox")
    assert change["type"] == "sign_posted" and "尚未发放标识" in change["message"]
    phone.wait_for_selector(".rec.invalid [data-retry]")
    shot(phone, "pwa-sync-error-360")
    # When the sign is issued and the inspector retries, it is accepted and the sign is posted
    _issue_sign(app, field)
    phone.click(".rec.invalid [data-retry]")
    wait_states(phone, {"sent"})
    with app.app_context():
        sign = db.session.scalars(sa.select(Sign)).one()
        assert sign.posted_at is not None and sign.posted_photo_sha256 == change["data"]["photo_sha256"]
    phone.goto(f"{live_server}/app/#/unit/{field.ids['unit_a']}")
    phone.wait_for_selector("#start")
    phone.wait_for_timeout(300)
    assert "已张贴" in phone.inner_text(".facts")
    # Now that the phone has the sign, confirming again (a later check) carries no warning
    phone.goto(f"{live_server}/app/#/sign/{field.ids['unit_a']}")
    phone.wait_for_selector("#cam")
    assert phone.locator("#unknown-sign").count() == 0


def test_an_app_update_waits_for_the_inspector_and_keeps_the_draft(phone, live_server, field, monkeypatch, tmp_path):
    import server.pwa
    login(phone, live_server)
    wait_controlled(phone)
    start_inspection(phone, "五云放心超市")
    answer_items(phone, until=4)
    assert "第 4 / 16 项" in phone.inner_text(".ititle")
    phone.fill("#note", "正在填写的说明")
    phone.evaluate("window.__still_here = true")
    # Given a new version of the app deployed while the inspector is mid-visit
    new = tmp_path / "pwa"
    shutil.copytree(server.pwa.PWA_DIR, new)
    sw = (new / "sw.js").read_text()
    changed = re.sub(r"const VERSION = '[^']*';", "const VERSION = 'next-test';", sw)
    assert changed != sw
    (new / "sw.js").write_text(changed)
    monkeypatch.setattr(server.pwa, "PWA_DIR", new)
    phone.evaluate("navigator.serviceWorker.getRegistration().then((r) => r.update())")
    # Then the app offers it, without reloading over the inspection
    phone.wait_for_selector("#update-banner:not([hidden])", timeout=15000)
    assert "有新版本" in phone.inner_text("#update-banner")
    shot(phone, "pwa-update-offered-360")
    assert phone.evaluate("window.__still_here") is True
    assert "第 4 / 16 项" in phone.inner_text(".ititle")
    # When they decline on the inspection screen, nothing happens
    phone.once("dialog", lambda d: d.dismiss())
    phone.click("[data-act=apply]")
    phone.wait_for_timeout(500)
    assert phone.evaluate("window.__still_here") is True
    # When they accept, the app reloads on the new version, on the same item, with the note kept
    phone.once("dialog", lambda d: d.accept())
    with phone.expect_navigation():
        phone.click("[data-act=apply]")
    phone.wait_for_selector("body[data-view=inspect] .ititle")
    assert "第 4 / 16 项" in phone.inner_text(".ititle")
    assert phone.input_value("#note") == "正在填写的说明"
    caches = phone.evaluate("caches.keys()")
    assert caches == ["fangxin-shell-next-test"]


def test_the_rescue_export_imported_on_another_phone_syncs_once(phone, browser, live_server, field, app, tmp_path):
    from tests.e2e.conftest import PHONE
    login(phone, live_server)
    change_id = _offline_inspection(phone, tmp_path, photos=2)
    # Given the outbox exported on a phone that cannot sync
    phone.goto(f"{live_server}/app/#/settings")
    phone.wait_for_selector("#export")
    shot(phone, "pwa-settings-export-360")
    with phone.expect_download() as dl:
        phone.click("#export")
    rescue = tmp_path / "rescue.json"
    dl.value.save_as(rescue)
    # When it is imported on another phone, logged in online
    other = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True, bypass_csp=True)
    page = other.new_page()
    login(page, live_server)
    page.goto(f"{live_server}/app/#/settings")
    page.set_input_files("#import", str(rescue))
    page.wait_for_selector("#transfer-result:has-text('已导入 1 条')")
    # Then it is sent from there, photos included
    wait_states(page, {"sent"})
    assert count(app, Inspection) == 1
    # And when the first phone syncs too, it is a duplicate, still stored once
    phone.context.set_offline(False)
    _sync_button(phone)
    wait_states(phone, {"sent"})
    assert store(phone, "outbox")[0]["result"]["status"] == "duplicate"
    assert count(app, Inspection) == 1
    with app.app_context():
        insp = db.session.scalars(sa.select(Inspection)).one()
        assert insp.client_id == change_id and len(insp.answers[0].photos) == 2
    other.close()
