"""The field app in a real Chromium at 360 px: offline start, an offline inspection that survives a
browser restart and syncs once, and each screen's screenshot."""
import hashlib
import json
import re
from pathlib import Path

import sqlalchemy as sa

from server.extensions import db
from server.inspection.models import Inspection
from server.photo.models import Photo
from tests.e2e.conftest import shot, no_horizontal_overflow
from tests.e2e.pwa_helpers import (answer_items, count, field, finish_inspection, jpeg, login,  # noqa: F401
                                   outbox_states, persistent, photo_bytes, start_inspection, store,
                                   wait_controlled, wait_states, wait_synced)
from tests.sync.conftest import checklist  # noqa: F401

PWA = Path(__file__).resolve().parents[2] / "static" / "pwa"


def test_the_service_worker_precaches_every_file_of_the_shell():
    sw = (PWA / "sw.js").read_text()
    listed = set(re.findall(r"'([^']+)'", sw.split("const SHELL = [")[1].split("];")[0]))
    files = {str(p.relative_to(PWA)) for p in PWA.rglob("*") if p.is_file() and p.suffix != ".py" and p.name != "sw.js"}
    # "./" is index.html: /app/index.html itself is only a redirect to /app/
    assert files - {"index.html"} <= listed and listed - files == {"./"}
    assert "skipWaiting()" in sw and "SKIP_WAITING" in sw  # only on the user's word, never on install
    assert "await cache.addAll" in sw


def test_the_manifest_makes_it_installable(client):
    m = json.loads(client.get("/app/manifest.webmanifest").data)
    assert m["start_url"] == "/app/" and m["scope"] == "/app/" and m["display"] == "standalone"
    assert m["name"] and m["short_name"]
    sizes = {(i["sizes"], i.get("purpose", "any")) for i in m["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= sizes
    for i in m["icons"]:
        assert client.get("/app/" + i["src"]).status_code == 200


def test_after_one_login_the_app_opens_offline_from_the_service_worker(phone, live_server, field):
    # Given an inspector who logged in once, online
    login(phone, live_server)
    wait_controlled(phone)
    assert "五云放心超市" in phone.inner_text("#view")
    # When the phone loses the network and the app is reloaded
    phone.context.set_offline(True)
    phone.reload()
    # Then the shell comes from the service worker and the task list from IndexedDB
    phone.wait_for_selector("body[data-view=tasks] .list a")
    text = phone.inner_text("body")
    assert "五云放心超市" in text and "已逾期" in text and "离线" in text
    shot(phone, "pwa-tasks-offline-360")
    assert no_horizontal_overflow(phone)
    phone.context.set_offline(False)


def test_an_offline_inspection_survives_a_restart_and_syncs_exactly_once(playwright_instance, live_server, field,
                                                                          app, tmp_path):
    profile = tmp_path / "profile"
    photos = [jpeg(tmp_path / "a.jpg", 1), jpeg(tmp_path / "b.jpg", 2)]
    gps = dict(permissions=["geolocation"], geolocation={"latitude": 28.659, "longitude": 120.078, "accuracy": 18})
    # Given an inspector who logged in once and then lost the network
    ctx = persistent(playwright_instance, profile, **gps)
    page = ctx.pages[0] if ctx.pages else ctx.new_page()
    login(page, live_server)
    wait_controlled(page)
    ctx.set_offline(True)
    # When they start an inspection offline, answer a few items and the phone restarts mid-visit
    start_inspection(page, "五云放心超市")
    shot(page, "pwa-inspect-item-360")
    assert page.inner_text(".group") == "八有八无 · 八有"  # in words: the item's code is not for the inspector
    answer_items(page, first_photos=photos, until=5)
    shot(page, "pwa-inspect-item5-360")
    assert "第 5 / 16 项" in page.inner_text(".ititle")
    ctx.close()
    ctx = persistent(playwright_instance, profile, **gps)
    ctx.set_offline(True)
    page = ctx.pages[0] if ctx.pages else ctx.new_page()
    page.goto(live_server + "/app/")
    # Then the app reopens on the same item, with both photos kept
    page.wait_for_selector("body[data-view=inspect]")
    assert "第 5 / 16 项" in page.inner_text(".ititle")
    drafts = store(page, "drafts")
    assert len(drafts) == 1 and len(drafts[0]["answers"]["license.have"]["photos"]) == 2
    page.click("[data-r=yes]")
    page.wait_for_function("document.querySelector('.ititle small').textContent.includes('第 6 /')")
    assert page.inner_text(".group") == "八有八无 · 八无"  # item 6: the 无 of the pair quality
    # When they finish it (location, rectification, signature) and submit, still offline
    while page.locator(".answers [data-r=yes]").count():
        page.click("[data-r=yes]")
        page.wait_for_timeout(30)
    page.wait_for_selector("text=已定位 ✓")
    finish_inspection(page, shots=lambda name: shot(page, f"pwa-inspect-{name}-360"))
    shot(page, "pwa-unit-after-submit-360")
    page.goto(live_server + "/app/#/sync")
    page.wait_for_selector("#outbox")
    shot(page, "pwa-sync-waiting-360")
    assert "待发送" in page.inner_text("#outbox")
    ctx.close()
    # And the browser is closed entirely and started again on the same profile
    ctx = persistent(playwright_instance, profile, **gps)
    ctx.set_offline(True)
    page = ctx.pages[0] if ctx.pages else ctx.new_page()
    page.goto(live_server + "/app/#/sync")
    page.wait_for_selector("#outbox")
    [change] = store(page, "outbox")
    held = photo_bytes(page)
    body = change["data"]
    shas = {body["signature_sha256"], *body["answers"][0]["photos"]}
    assert len(body["answers"][0]["photos"]) == 2 and shas <= set(held)
    for sha in shas:  # every photo is stored as bytes named by their SHA-256
        assert hashlib.sha256(held[sha]).hexdigest() == sha
    assert body["lat"] == 28.659 and body["accuracy_m"] == 18
    assert count(app, Inspection) == 0
    # When the network returns, it syncs by itself
    ctx.set_offline(False)
    wait_states(page, {"sent"}, timeout=20000)
    page.wait_for_selector("#sent")
    shot(page, "pwa-sync-sent-360")
    # Then the server holds exactly one inspection, whose photos are the ones taken on the phone
    with app.app_context():
        [insp] = db.session.scalars(sa.select(Inspection)).all()
        assert insp.client_id == change["id"] and insp.conclusion == "rectify"
        stored = set(db.session.scalars(sa.select(Photo.sha256).where(Photo.sha256.in_(shas))))
        answers = {a.item_code: a.photos for a in insp.answers}
        assert sorted(answers["license.have"]) == sorted(body["answers"][0]["photos"])
        assert insp.signature_sha256 == body["signature_sha256"]
    assert stored == shas
    # And acknowledged photos were freed from the phone
    assert not set(photo_bytes(page)) & shas
    ctx.close()


def test_screens_at_360(phone, live_server, field):
    login(phone, live_server)
    shot(phone, "pwa-tasks-360")
    for name, route, ready in [("units", "#/units", "#results a"), ("unit", f"#/unit/{field.ids['unit_a']}", "#start"),
                               ("edit", f"#/edit/{field.ids['unit_a']}", "#edit"),
                               ("sign", f"#/sign/{field.ids['unit_a']}", "#cam"),
                               ("sync", "#/sync", "#sync-now"), ("settings", "#/settings", "#export")]:
        phone.goto(f"{live_server}/app/{route}")
        phone.wait_for_selector(ready)
        phone.wait_for_timeout(100)
        shot(phone, f"pwa-{name}-360")
        assert no_horizontal_overflow(phone), name
    phone.evaluate("indexedDB.deleteDatabase('fangxin')")
    phone.goto(live_server + "/app/#/login")
    phone.reload()
    phone.wait_for_selector("#login")
    shot(phone, "pwa-login-360")
