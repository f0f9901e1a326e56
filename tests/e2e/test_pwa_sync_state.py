"""Honest sync state (issue 18, item 8) and field-level conflicts (item 9), in Chromium at 360 px with the
failures made by the test: a server that does not answer, no network, a server error; a short growing
retry; the unit page drawn again after a sync; a conflict that shows only the fields both sides changed."""
import time

from server.extensions import db
from server.unit.models import Unit
from tests.conftest import bearer
from tests.e2e.conftest import shot
from tests.e2e.pwa_helpers import field, last_sync, login, poll, wait_states  # noqa: F401
from tests.sync.conftest import checklist  # noqa: F401


def test_no_network_an_unreachable_server_and_a_server_error_are_told_apart(phone, live_server, field, client):
    login(phone, live_server)
    phone.goto(live_server + "/app/#/sync")
    phone.wait_for_selector("#sync-now:not([disabled])")
    # Given the server stops answering while the phone has a network
    pulls = []
    phone.route("**/api/v1/sync/**", lambda route: (pulls.append(time.monotonic()), route.abort("connectionrefused")))
    phone.click("#sync-now")
    # Then the app says the server is unreachable — not "no network" — in the header and on the page
    phone.wait_for_selector("#sync-error")
    assert "连不上服务器" in phone.inner_text("#sync-error") and "没有网络" not in phone.inner_text("#sync-error")
    assert phone.inner_text("#net") == "连不上服务器"
    assert "秒后自动重试" in phone.inner_text("#next-try")
    shot(phone, "pwa-sync-unreachable-360")
    # And it tries again by itself within seconds, not minutes
    poll(phone, lambda: len(pulls) >= 2, timeout=9000, what="a retry within 9 s")
    assert pulls[1] - pulls[0] < 8
    # When the server answers with an error, that is what the app says
    phone.unroute("**/api/v1/sync/**")
    phone.route("**/api/v1/sync/**", lambda route: route.fulfill(status=500, content_type="text/html", body="<h1>500</h1>"))
    phone.click("#sync-now") if phone.locator("#sync-now:not([disabled])").count() else None
    phone.wait_for_function("document.querySelector('#net').textContent === '服务器出错'", timeout=15000)
    assert "服务器" in phone.inner_text("#sync-error")
    # When the network is gone, the app says so
    phone.unroute("**/api/v1/sync/**")
    phone.context.set_offline(True)
    phone.wait_for_function("document.querySelector('#net').textContent === '离线'")
    # And when it returns, it syncs at once and says 在线
    before = last_sync(phone)
    phone.context.set_offline(False)
    poll(phone, lambda: (last_sync(phone) or 0) > (before or 0), timeout=10000, what="a sync on reconnect")
    phone.wait_for_function("document.querySelector('#net').textContent === '在线'")


def test_the_unit_page_is_drawn_again_after_a_sync(phone, live_server, field, client):
    login(phone, live_server)
    unit_id = field.ids["unit_a"]
    phone.goto(f"{live_server}/app/#/unit/{unit_id}")
    phone.wait_for_selector("#start")
    # Given the office changes the unit's address while its page is open on the phone
    r = client.patch(f"/api/v1/units/{unit_id}", headers=bearer(field.tokens["admin_a"]),
                     json={"version": 1, "address": "办公室改的新地址"})
    assert r.status_code == 200
    # When the phone syncs (as it does when it comes back to the foreground)
    phone.evaluate("import('./js/sync.js').then((s) => s.syncNow())")
    # Then the open page shows the new address without being reopened
    phone.wait_for_selector("text=办公室改的新地址")


def test_a_conflict_shows_only_the_fields_both_sides_changed(phone, live_server, field, app, client):
    login(phone, live_server)
    unit_id = field.ids["unit_a"]
    # Given the office changed the address and the phone number after the phone pulled the unit
    phone.context.set_offline(True)
    client.patch(f"/api/v1/units/{unit_id}", headers=bearer(field.tokens["admin_a"]),
                 json={"version": 1, "address": "办公室改的地址", "contact_phone": "0578-3111111"})
    # When the inspector changes the phone number and the business status
    phone.goto(f"{live_server}/app/#/edit/{unit_id}")
    phone.wait_for_selector("#edit")
    phone.fill("input[name=contact_phone]", "13900001111")
    phone.select_option("select[name=business_status]", "suspended")
    phone.click("#edit button[type=submit]")
    phone.wait_for_selector("body[data-view=unit]")
    phone.context.set_offline(False)
    phone.goto(f"{live_server}/app/#/sync")
    wait_states(phone, {"conflict"})
    # Then the choice shows only the phone number, the one field both changed
    phone.wait_for_selector("table.cmp")
    rows = phone.locator("table.cmp tr th:first-child").all_inner_texts()
    assert [r for r in rows if r] == ["联系电话"]
    shot(phone, "pwa-sync-field-conflict-360")
    # When the inspector keeps theirs, both their fields apply and the office's address stays
    phone.click("[data-keep=mine]")
    wait_states(phone, {"sent", "resolved"})
    with app.app_context():
        unit = db.session.get(Unit, unit_id)
        assert (unit.address, unit.contact_phone, unit.business_status) == ("办公室改的地址", "13900001111", "suspended")


def test_a_change_of_another_field_merges_without_asking(phone, live_server, field, app, client):
    login(phone, live_server)
    unit_id = field.ids["unit_a"]
    phone.context.set_offline(True)
    client.patch(f"/api/v1/units/{unit_id}", headers=bearer(field.tokens["admin_a"]),
                 json={"version": 1, "address": "办公室改的地址"})
    phone.goto(f"{live_server}/app/#/edit/{unit_id}")
    phone.wait_for_selector("#edit")
    phone.fill("input[name=contact_phone]", "13900002222")
    phone.click("#edit button[type=submit]")
    phone.wait_for_selector("body[data-view=unit]")
    phone.context.set_offline(False)
    wait_states(phone, {"sent"})
    with app.app_context():
        unit = db.session.get(Unit, unit_id)
        assert (unit.address, unit.contact_phone) == ("办公室改的地址", "13900002222")
