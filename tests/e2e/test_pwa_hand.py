"""Fits a hand (issue 18, item 12), in Chromium at 360 px portrait and 740×360 landscape: an item's three
answers and the step buttons all visible, tap targets of at least 44×44 px, the task list grouped by unit
with addresses. Screenshots of the touched screens in both orientations."""
import pytest

from server.extensions import db
from server.unit.models import Unit
from tests.e2e.conftest import no_horizontal_overflow, shot
from tests.e2e.pwa_helpers import field, login, start_inspection  # noqa: F401
from tests.sync.conftest import checklist  # noqa: F401

LANDSCAPE = {"width": 740, "height": 360}
PORTRAIT = {"width": 360, "height": 740}

SMALL_TARGETS = """(sel) => [...document.querySelectorAll(sel)].filter((e) => e.offsetParent !== null)
  .map((e) => { const r = e.getBoundingClientRect(); return { t: e.textContent.trim().slice(0, 20), w: r.width, h: r.height }; })
  .filter((r) => r.w < 44 || r.h < 44)"""


@pytest.mark.parametrize("name,viewport", [("portrait", PORTRAIT), ("landscape", LANDSCAPE)])
def test_screens_fit_a_hand(browser, live_server, field, app, name, viewport):
    with app.app_context():
        db.session.get(Unit, field.ids["unit_a"]).contact_phone = "0578-3123456"
        db.session.commit()
    ctx = browser.new_context(viewport=viewport, device_scale_factor=2, is_mobile=True, has_touch=True, locale="zh-CN", bypass_csp=True)
    page = ctx.new_page()
    login(page, live_server)
    # The task list: grouped by unit, with the unit's address
    group = page.locator(".unitgroup").first
    assert "五云放心超市" in group.locator(".uhead").inner_text() and "五云所路1号" in group.locator(".addr").inner_text()
    shot(page, f"pwa-tasks-{name}")
    assert no_horizontal_overflow(page)
    # The unit page: the phone number and every button a full-size target
    page.goto(f"{live_server}/app/#/unit/{field.ids['unit_a']}")
    page.wait_for_selector("#start")
    assert page.evaluate(SMALL_TARGETS, "#view a, #view button, #view select") == []
    shot(page, f"pwa-unit-{name}")
    assert no_horizontal_overflow(page)
    # An item: the question, all three answers and the step buttons visible without scrolling
    start_inspection(page, "五云放心超市")
    nav_top = page.locator(".stepnav").bounding_box()["y"]
    for r in ("yes", "no", "na"):
        box = page.locator(f".answers [data-r={r}]").bounding_box()
        assert box["y"] >= 0 and box["y"] + box["height"] <= nav_top, (r, box, nav_top)
    assert page.evaluate(SMALL_TARGETS, ".inspect a, .inspect button") == []
    shot(page, f"pwa-inspect-item-{name}")
    assert no_horizontal_overflow(page)
    ctx.close()
