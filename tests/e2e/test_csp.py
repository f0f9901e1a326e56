"""The pages work under their own CSP (issue 16): the field app logs in and syncs, staff pages load, and the
browser reports no violation. The other browser tests bypass the CSP for Playwright's string predicates."""
from tests.conftest import PASSWORD
from tests.e2e.conftest import PHONE, page_login
from tests.e2e.pwa_helpers import field  # noqa: F401
from tests.sync.conftest import checklist  # noqa: F401


def _violations(page) -> list[str]:
    seen = []
    page.on("console", lambda m: seen.append(m.text) if "Content Security Policy" in m.text else None)
    return seen


def test_the_field_app_and_staff_pages_run_under_their_csp(browser, live_server, field):
    ctx = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN")
    page = ctx.new_page()
    seen = _violations(page)
    page.goto(live_server + "/app/")
    page.wait_for_selector("#login")
    page.fill("input[name=username]", "a_insp")
    page.fill("input[name=password]", PASSWORD)
    page.click("#login button[type=submit]")
    page.wait_for_selector("body[data-view=tasks]")
    ctx.close()
    desk = browser.new_context(locale="zh-CN")
    admin = desk.new_page()
    seen += _violations(admin)
    page_login(admin, live_server, "a_admin", PASSWORD)
    for path in ("/units", "/signs", "/inspections", "/patrol"):
        admin.goto(live_server + path)
        admin.wait_for_load_state("networkidle")
    desk.close()
    assert seen == []
