"""消费义工 in a real Chromium at 360 px (issue 19, item 3): a volunteer opens an assignment, loses the network,
fills and sends the visit's evaluation, which is kept on the phone; back online it is sent by itself and
reaches the unit's record, where station staff see 消费义工暗访 but not who made it."""
import io
from datetime import timedelta

import pytest
import sqlalchemy as sa
from PIL import Image

from server.account.models import User
from server.core.clock import today
from server.extensions import db
from server.feedback.models import Evaluation
from server.unit.models import Unit
from server.volunteer import service
from server.volunteer.models import VolunteerAssignment
from tests.conftest import PASSWORD, certify
from tests.e2e.conftest import ARTIFACTS, DESKTOP, PHONE, no_horizontal_overflow, page_login, shot
from tests.sync.conftest import checklist  # noqa: F401


@pytest.fixture
def visit(app, world, checklist):  # noqa: F811
    """A volunteer (vol_e2e) with one open visit to 五云放心超市, whose sign is in force."""
    with app.app_context():
        certify(db.session.get(User, world.ids["admin_a"]), db.session.get(Unit, world.ids["unit_a"]),
                to="sign_issued")
        vol = User(username="vol_e2e", name="义工小王", role="volunteer", county_id=world.ids["county"],
                   password_hash=db.session.get(User, world.ids["admin_a"]).password_hash)
        db.session.add(vol)
        db.session.flush()
        made = service.assign_visits(db.session.get(User, world.ids["county_admin"]), volunteer_ids=[vol.id],
                                     station_id=world.ids["a"], count=1, due_date=today() + timedelta(days=7),
                                     seed=1)
        db.session.commit()
        return made[0].id


def _png(path):
    Image.new("RGB", (60, 40), (230, 200, 40)).save(path, "PNG")
    return str(path)


def test_a_visit_sent_offline_reaches_the_units_record(browser, live_server, app, world, visit, tmp_path):
    ctx = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True,
                              locale="zh-CN", bypass_csp=True, permissions=["geolocation"],
                              geolocation={"latitude": 28.659, "longitude": 120.078, "accuracy": 18})
    page = ctx.new_page()
    try:
        # Given a volunteer logged in on their phone, with their page kept for offline use
        page_login(page, live_server, "vol_e2e", PASSWORD)
        assert page.url.endswith("/v/")
        page.wait_for_selector("html[data-offline-ready='1']")
        page.wait_for_function("() => navigator.serviceWorker.controller !== null")
        assert "五云放心超市" in page.inner_text("main") and no_horizontal_overflow(page)
        shot(page, "volunteer-home-360")
        # When they open the assignment at the shop and the network goes
        page.click(f"[data-assignment='{visit}'] a")
        page.wait_for_selector("form[data-offline]")
        page.wait_for_function("() => document.querySelector('input[name=lat]').value !== ''")
        ctx.set_offline(True)
        page.check("input[name=stars][value='2']")
        page.select_option("select[name='pair.pricing']", "1")
        page.select_option("select[name='pair.quality']", "3")
        page.fill("textarea[name=comment]", "价签与结算价不一致")
        page.set_input_files("input[name=photos]", _png(tmp_path / "receipt.png"))
        assert no_horizontal_overflow(page)
        shot(page, "volunteer-visit-360")
        page.click("form[data-offline] button[type=submit]")
        # Then it is kept on the phone, not lost, and said so
        page.wait_for_selector("#saved:not([hidden])")
        assert "没有网络：评价已保存在本机" in page.inner_text("#saved")
        with app.app_context():
            assert db.session.scalar(sa.select(sa.func.count(Evaluation.id))) == 0
        # And their list, opened offline, comes from the phone and shows it waiting
        page.goto(live_server + "/v/")
        page.wait_for_selector("#outbox:not([hidden])")
        assert "1条暗访评价已保存在本机" in page.inner_text("#outbox")
        shot(page, "volunteer-offline-360")
        # When the network is back, it is sent by itself, once
        ctx.set_offline(False)
        page.wait_for_selector(f"[data-done='{visit}']", timeout=20000)
        assert page.locator("#outbox").is_hidden()
    finally:
        ctx.close()
    with app.app_context():
        evs = db.session.scalars(sa.select(Evaluation)).all()
        assert len(evs) == 1
        ev = evs[0]
        assert (ev.source, ev.stars, ev.pair_stars, ev.unit_id) == ("volunteer", 2, {"quality": 3, "pricing": 1},
                                                                   world.ids["unit_a"])
        a = db.session.get(VolunteerAssignment, visit)
        assert a.status == "done" and len(a.photos) == 1 and abs(a.lat - 28.659) < 1e-6 and a.accuracy_m == 18
    # And station staff see the visit in the unit's record, without who made it
    staff = browser.new_context(viewport=DESKTOP, locale="zh-CN", bypass_csp=True)
    page = staff.new_page()
    try:
        page_login(page, live_server, "a_admin", PASSWORD)
        page.goto(f"{live_server}/units/{world.ids['unit_a']}#consumer-evaluations")
        section = page.inner_text("#consumer-evaluations")
        assert "消费义工暗访" in section and "价签与结算价不一致" in section and "有明码标价·无价格欺诈 1星" in section
        assert "义工小王" not in page.content()
        page.locator("#consumer-evaluations").screenshot(path=str(ARTIFACTS / "volunteer-unit-record-1280.png"))
        page.set_viewport_size(PHONE)
        page.reload()
        assert no_horizontal_overflow(page)
        page.locator("#consumer-evaluations").screenshot(path=str(ARTIFACTS / "volunteer-unit-record-360.png"))
    finally:
        staff.close()


def test_a_county_admin_draws_visits_on_the_page(browser, live_server, app, world, visit):
    """The draw form at 1280 px and at 360 px: volunteers ticked, a station, a count and a due date; the
    assignments listed with who makes them (county admins alone)."""
    with app.app_context():
        for unit_key, admin in (("unit_b", "admin_b"),):
            certify(db.session.get(User, world.ids[admin]), db.session.get(Unit, world.ids[unit_key]), to="sign_issued")
        db.session.commit()
    for viewport, name in ((DESKTOP, "1280"), (PHONE, "360")):
        ctx = browser.new_context(viewport=viewport, locale="zh-CN", bypass_csp=True)
        page = ctx.new_page()
        try:
            page_login(page, live_server, "admin", PASSWORD)
            page.goto(live_server + "/volunteers")
            assert "义工小王" in page.inner_text("main") and no_horizontal_overflow(page)
            if name == "1280":
                page.check("input[name=volunteer_ids]")
                page.select_option("select[name=station_id]", str(world.ids["b"]))
                page.fill("input[name=count]", "1")
                page.fill("input[name=due_date]", (today() + timedelta(days=10)).isoformat())
                page.click("form[action$='/volunteers/assign'] button[type=submit]")
                page.wait_for_selector(".flash-ok")
                assert "已随机安排1家单位的暗访" in page.inner_text("main")
                assert "壶镇诚信五金店" in page.inner_text("main")
            shot(page, f"volunteers-{name}")
        finally:
            ctx.close()
