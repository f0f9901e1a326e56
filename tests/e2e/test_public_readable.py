"""Readable for everyone (issue 19, item 4), in a real Chromium: the sign page, its two forms, the lookup and
the directory at 320 and 360 px, and at 200 % text (the browser's own text size, as a phone's accessibility
setting gives it): no sideways scrolling, labels above values, tap targets at least 44 px; the 大字 switch
works and persists without JavaScript; and a consumer in WeChat finds a 无理由退货 clothing shop in 五云 and
opens its page in two taps."""
from datetime import date

import pytest

from tests.directory.conftest import listed  # noqa: F401
from tests.e2e.conftest import ARTIFACTS, no_horizontal_overflow, shot

WECHAT = ("Mozilla/5.0 (Linux; Android 13; V2183A Build/TP1A.220624.014; wv) AppleWebKit/537.36 (KHTML, like Gecko) "
          "Version/4.0 Chrome/107.0.5304.141 Mobile Safari/537.36 XWEB/5023 MMWEBSDK/20230202 "
          "MMWEBID/2596 MicroMessenger/8.0.33.2320(0x28002151) WeChat/arm64 Weixin NetType/WIFI Language/zh_CN ABI/arm64")

# Everything a finger taps on these pages, and whether any is smaller than 44 px high (CSS px).
TAPPABLE = "a, button, input:not([type=hidden]), select, textarea, summary, .rate label, .tags label"
SMALL_TARGETS = """() => [...document.querySelectorAll('""" + TAPPABLE + """')].filter(e => e.offsetParent !== null && !e.closest('.hp'))
    .map(e => [e.tagName + ' ' + (e.innerText || e.name || '').slice(0, 20), e.getBoundingClientRect().height])
    .filter(([, h]) => h < 44)"""
# Every label (dt) of a fact list that is not above its value (dd).
SIDE_BY_SIDE = """() => [...document.querySelectorAll('dt')].filter(dt => dt.nextElementSibling &&
    dt.getBoundingClientRect().bottom > dt.nextElementSibling.getBoundingClientRect().top + 1)
    .map(dt => dt.innerText)"""


def _page(browser, width, text_percent=100, user_agent=None, site=""):
    """A phone-sized page; text_percent sets the browser's default text size (the phone's accessibility
    setting) through CDP, kept for the page's life with its session."""
    ctx = browser.new_context(viewport={"width": width, "height": 740}, device_scale_factor=2, is_mobile=True,
                              has_touch=True, locale="zh-CN", user_agent=user_agent)
    page = ctx.new_page()
    if text_percent != 100:
        page.goto(site + "/s/")
        cdp = ctx.new_cdp_session(page)
        size = 16 * text_percent // 100
        cdp.send("Page.setFontSizes", {"fontSizes": {"standard": size, "fixed": 13 * text_percent // 100}})
        # Applied by the renderer after the call returns: wait for it before navigating on
        page.wait_for_function(f"parseFloat(getComputedStyle(document.documentElement).fontSize) >= {size}")
        page.text_size_session = cdp  # the override ends with its session
    return ctx, page


def shot_path(name):
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS / f"{name}.png"


@pytest.fixture
def red_black(app, world, listed):
    """A published 红黑榜 with a red and a black unit."""
    from server.account.models import User
    from server.extensions import db
    from server.redblack import service
    from server.redblack.models import seed_criteria
    with app.app_context():
        seed_criteria()
        admin = db.session.get(User, world.ids["county_admin"])
        # The records the entries' criteria rest on (an entry must meet them: redblack.proposals.unmet)
        from datetime import datetime

        from server.feedback.models import Complaint, Evaluation
        from server.unit.models import Unit
        for unit_id in (listed["clothes"], listed["tea"]):
            unit = db.session.get(Unit, unit_id)
            if unit_id == listed["clothes"]:
                db.session.add_all([Evaluation(unit_id=unit_id, county_id=unit.county_id, station_id=unit.station_id,
                                               stars=5, address_hash=f"r{n}", created_at=datetime(2023, 8, 1 + n))
                                    for n in range(3)])
            else:
                db.session.add(Complaint(unit_id=unit_id, county_id=unit.county_id, station_id=unit.station_id,
                                         description="销售过期茶叶", phone="13800000000", address_hash="x",
                                         received_at=datetime(2023, 8, 10), violation_confirmed=True))
        db.session.flush()
        rb = service.draft_list(admin, "2023年第三季度放心消费红黑榜", date(2023, 7, 1), date(2023, 9, 30))
        service.add_entry(admin, rb.id, listed["clothes"], "red", ["high_rating", "no_verified_complaint"])
        service.add_entry(admin, rb.id, listed["tea"], "black", ["verified_complaints"], "销售过期茶叶")
        service.approve(admin, rb.id, "缙云县市场监督管理局")
        service.publish(admin, rb.id)
        db.session.commit()
        return rb.id


def _sign_path(app, unit_id):
    from server.extensions import db
    from server.signage.models import Sign
    with app.app_context():
        return "/s/" + db.session.scalar(db.select(Sign.token).where(Sign.unit_id == unit_id,
                                                                      Sign.status == "issued"))


@pytest.mark.parametrize("width, text", [(320, 100), (360, 100), (360, 200), (320, 200)])
def test_public_pages_readable(app, browser, live_server, listed, red_black, width, text):
    ctx, page = _page(browser, width, text, site=live_server)
    sign = _sign_path(app, listed["clothes"])
    try:
        for name, path in (("sign", sign), ("evaluate", sign + "/evaluate"), ("complain", sign + "/complain"),
                           ("lookup", "/s/"), ("directory", "/directory"),
                           ("directory-wuyun", "/directory?type=no_reason_return"), ("red-black", "/red-black")):
            page.goto(live_server + path)
            if text == 200:
                size = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
                assert size >= 32, (name, size)
            assert no_horizontal_overflow(page), name
            assert page.evaluate(SMALL_TARGETS) == [], name
            if width <= 320 or text >= 200:
                assert page.evaluate(SIDE_BY_SIDE) == [], name
            # A full-page screenshot resizes the view, which drops the CDP text size: the view only
            page.screenshot(path=str(shot_path(f"readable-{name}-{width}-{text}")), full_page=text == 100)
    finally:
        ctx.close()


def test_big_text_switch_persists_without_javascript(app, browser, live_server, listed):
    ctx = browser.new_context(viewport={"width": 360, "height": 740}, java_script_enabled=False, locale="zh-CN")
    page = ctx.new_page()
    sign = _sign_path(app, listed["clothes"])
    try:
        page.goto(live_server + sign)
        assert "大字" in page.inner_text(".size")
        page.click(".size a")
        # Back on the same page, now in large text, and the directory keeps it
        assert page.url == live_server + sign
        assert page.locator("html.big").count() == 1 and "标准字号" in page.inner_text(".size")
        page.goto(live_server + "/directory?type=no_reason_return")
        assert page.locator("html.big").count() == 1
        shot(page, "readable-directory-big-360")
        page.click(".size a")
        assert page.url == live_server + "/directory?type=no_reason_return"
        assert page.locator("html.big").count() == 0 and "大字" in page.inner_text(".size")
        page.goto(live_server + sign)
        assert page.locator("html.big").count() == 0
    finally:
        ctx.close()


def test_wechat_finds_a_no_reason_return_clothes_shop_in_wuyun_in_two_taps(app, browser, live_server, listed):
    ctx, page = _page(browser, 360, user_agent=WECHAT)
    try:
        page.goto(live_server + "/directory")
        assert no_horizontal_overflow(page)
        page.tap("a:has-text('五云所·无理由退货')")  # tap 1
        listing = page.inner_text(".entries")
        assert "五云好衣服装店" in listing and "服装" in listing and "壶镇" not in listing
        page.tap("a:has-text('五云好衣服装店')")  # tap 2
        body = page.inner_text("body")
        assert "本标识真实有效" in body and "线下购物7天无理由退货" in body and "贴身衣物" in body
        shot(page, "readable-wechat-two-taps")
    finally:
        ctx.close()
