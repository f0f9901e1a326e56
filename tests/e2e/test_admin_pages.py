"""The admin pages in a real browser, at phone and desktop width."""
import pytest

from server.demo import loader
from server.extensions import db
from tests.e2e.conftest import no_horizontal_overflow, page_login, shot


@pytest.fixture
def demo(app):
    with app.app_context():
        loader.load()
        db.session.commit()


PAGES = [("dashboard", "/", "进度总览"), ("units", "/units", "单位"), ("carriers", "/carriers", "载体"),
         ("targets", "/targets?year=2023", "年度目标"), ("accounts", "/accounts", "账号"),
         ("tokens", "/tokens", "设备"), ("unit-new", "/units/new", "单位"), ("import", "/units/import", "导入"),
         ("audit", "/audit", "操作记录")]


@pytest.mark.parametrize("name,path,text", PAGES, ids=[p[0] for p in PAGES])
def test_county_admin_pages_fit_a_phone(phone, live_server, demo, name, path, text):
    page_login(phone, live_server, "admin", loader.DEMO_PASSWORD)
    phone.goto(live_server + path)
    assert text in phone.content()
    shot(phone, f"admin-{name}-360")
    assert no_horizontal_overflow(phone), f"{path} is wider than 360 px"


def test_dashboard_on_desktop_shows_every_station_and_the_county_totals(desktop, live_server, demo):
    page_login(desktop, live_server, "admin", loader.DEMO_PASSWORD)
    body = desktop.inner_text("body")
    for station in ("五云所", "壶镇分局", "仙都所", "新碧所", "新建所", "舒洪所", "东渡所", "东方所", "双溪口所"):
        assert station in body
    for total in ("1122", "679", "330", "113"):
        assert total in body
    shot(desktop, "admin-dashboard-1280")


def test_station_admin_moves_a_unit_through_its_lifecycle_on_a_phone(phone, live_server, demo, app):
    # Given a station admin on their unit list, filtered to the cultivation pool
    page_login(phone, live_server, "wuyun_admin", loader.DEMO_PASSWORD)
    phone.goto(live_server + "/units?year=2023&stage=pool")
    body = phone.inner_text("body")
    assert "壶镇" not in body.replace("壶镇镇", "")  # no other station's units
    phone.locator("main a[href^='/units/']").filter(has_text="缙云县").first.click()
    phone.wait_for_load_state("networkidle")
    unit_url = phone.url
    # When they publish its commitment
    phone.get_by_role("button", name="承诺公示").first.click()
    phone.wait_for_load_state("networkidle")
    # Then the page shows the new stage and the step in its history
    assert "承诺公示" in phone.inner_text("body")
    shot(phone, "admin-unit-detail-360")
    assert no_horizontal_overflow(phone)
    from server.unit.models import Unit, UnitYear
    import sqlalchemy as sa
    unit_id = int(unit_url.rstrip("/").split("/")[-1].split("?")[0])
    with app.app_context():
        stage = db.session.scalar(sa.select(UnitYear.stage).where(UnitYear.unit_id == unit_id, UnitYear.year == 2023))
    assert stage == "committed"


def test_audit_trail_shows_an_edit_in_words(desktop, phone, live_server, demo, app):
    from server.unit.models import Unit
    with app.app_context():
        unit = db.session.scalar(db.select(Unit).order_by(Unit.id).limit(1))
        unit_id, old = unit.id, unit.address
    page_login(desktop, live_server, "admin", loader.DEMO_PASSWORD)
    desktop.goto(f"{live_server}/units/{unit_id}/edit")
    desktop.fill("input[name=address]", "五云街道审计路1号")
    desktop.click("button:has-text('保存')")
    desktop.wait_for_load_state("networkidle")
    desktop.goto(f"{live_server}/audit?entity=unit&entity_id={unit_id}")
    body = desktop.inner_text("body")
    assert f"{old} → 五云街道审计路1号" in body and "市场主体" in body
    shot(desktop, "admin-audit-1280")
    page_login(phone, live_server, "admin", loader.DEMO_PASSWORD)
    phone.goto(f"{live_server}/audit?entity=unit&entity_id={unit_id}")
    assert "五云街道审计路1号" in phone.inner_text("body")
    shot(phone, "admin-audit-edit-360")
    assert no_horizontal_overflow(phone)
