"""Time and place as they happened (issue 18, item 7), in Chromium with its clock set by the test to 06:40
China time — 22:40 UTC of the day before: the rectification date picker, the dates shown and the file names
are China dates; the fix's distance from the shop is shown; the server gets the phone's time of each change."""
from datetime import date, datetime, time, timedelta, timezone

import sqlalchemy as sa

from server.extensions import db
from server.inspection.models import Inspection, Rectification
from server.unit.models import Unit
from tests.e2e.conftest import PHONE, no_horizontal_overflow, shot
from tests.e2e.pwa_helpers import answer_items, field, login, sign, start_inspection, store, wait_states  # noqa: F401
from tests.sync.conftest import checklist  # noqa: F401

CST = timezone(timedelta(hours=8))


def test_at_0640_china_time_the_phone_offers_and_shows_china_dates(browser, live_server, field, app):
    # Given a phone whose clock the test sets to 06:40 China time (still yesterday in UTC), with a GPS fix
    # 3 km off and vague, at a shop with a recorded location
    day = datetime.now(CST).date() - timedelta(days=1)
    at = datetime.combine(day, time(6, 40), CST)
    with app.app_context():
        unit = db.session.get(Unit, field.ids["unit_a"])
        unit.lat, unit.lng = 28.659, 120.078
        db.session.commit()
    ctx = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True, locale="zh-CN",
                              timezone_id="Asia/Shanghai", permissions=["geolocation"],
                              geolocation={"latitude": 28.659, "longitude": 120.109, "accuracy": 3000},
                              bypass_csp=True)
    page = ctx.new_page()
    page.clock.install(time=at)
    login(page, live_server)
    # When an inspection finds a problem and the inspector sets a rectification date
    start_inspection(page, "五云放心超市")
    answer_items(page)
    page.wait_for_selector("#gps-distance")
    assert "3.0 公里" in page.inner_text("#gps-distance") and "核查" in page.inner_text("#step")
    shot(page, "pwa-gps-far-360")
    assert no_horizontal_overflow(page)
    page.click("[data-nav='1']")
    page.click("[data-c=rectify]")
    due = page.locator(".rects input[type=date]").first
    # Then the picker starts at the China date, and the suggested date is a week after it
    assert due.get_attribute("min") == day.isoformat()
    assert due.input_value() == (day + timedelta(days=7)).isoformat()
    # And the UTC date (the day before) is refused on the phone, before the inspector leaves the shop
    due.fill((day - timedelta(days=1)).isoformat())
    page.click("[data-nav='1']")
    page.fill("#signer", "王老板")
    sign(page)
    page.click("[data-nav='1']")
    page.wait_for_selector("#submit[disabled]")
    assert "不能早于检查日期" in page.inner_text("#step")
    page.click("[data-step]")
    page.locator(".rects input[type=date]").first.fill(day.isoformat())
    page.click("[data-nav='1']")
    sign(page)  # the date is part of what was signed: signed again
    page.click("[data-nav='1']")
    page.wait_for_selector("#submit:not([disabled])")
    page.click("#submit")
    page.wait_for_selector("body[data-view=unit]")
    wait_states(page, {"sent"})
    # Then the server accepts the China date, and keeps the distance and the phone's times
    with app.app_context():
        insp = db.session.scalars(sa.select(Inspection)).one()
        assert db.session.scalars(sa.select(Rectification.due_date)).all() == [day]
        assert 2900 < insp.distance_m < 3100 and insp.accuracy_m == 3000
        started = insp.started_at.replace(tzinfo=timezone.utc)
        assert abs(started - at) < timedelta(minutes=5)
    # And the phone shows China dates and times: the unit's inspection, the last sync, a file name
    page.goto(f"{live_server}/app/#/unit/{field.ids['unit_a']}")
    page.wait_for_selector(f"text={day.isoformat()}")
    page.goto(f"{live_server}/app/#/sync")
    page.wait_for_selector("#last-sync")
    assert page.inner_text("#last-sync").startswith(f"{day.month}月{day.day}日 06:4")
    stamp = page.evaluate("import('./js/clock.js').then((m) => m.chinaStamp())")
    assert stamp.startswith(day.strftime("%Y%m%d") + "-064")
    ctx.close()


def test_the_clock_module_gives_china_dates_whatever_the_phone_zone(browser, live_server):
    ctx = browser.new_context(timezone_id="America/Los_Angeles", bypass_csp=True)
    page = ctx.new_page()
    page.goto(live_server + "/app/")
    got = page.evaluate("""import('./js/clock.js').then((m) => [m.chinaDate('2026-11-28T22:40:00Z'),
        m.chinaDate('2026-11-28T22:40:00'), m.chinaTime(Date.UTC(2026, 10, 28, 22, 40)), m.chinaYear('2026-12-31T16:00:00Z'),
        m.chinaDate('2026-11-28T22:40:00Z', 7)])""")
    assert got == ["2026-11-29", "2026-11-29", "11月29日 06:40", "2027", "2026-12-06"]
    ctx.close()
