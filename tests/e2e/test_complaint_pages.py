"""Complaint handling in a real browser: intake with the time of receipt and the unit by name, a step dated
before receipt refused beside its field, the rates per station — on a phone."""
import sqlalchemy as sa

from server.extensions import db
from server.feedback.models import Complaint
from server.workday import seed
from tests.conftest import PASSWORD
from tests.e2e.conftest import no_horizontal_overflow, page_login, shot


def test_a_station_admin_registers_and_handles_a_complaint_on_a_phone(app, phone, live_server, world):
    with app.app_context():
        seed.seed_calendar()
        seed.seed_rules()
        db.session.commit()
    page_login(phone, live_server, "a_admin", PASSWORD)
    # When the hotline's complaint of Fri 20 Nov 2026, 09:30 is entered with the unit's name
    phone.goto(live_server + "/complaints/new")
    phone.fill("input[name=received_at]", "2026-11-20T09:30")
    phone.fill("input[name=unit]", "五云放心超市")
    phone.fill("input[name=complainant_name]", "张三")
    phone.fill("input[name=phone]", "13812345678")
    phone.fill("input[name=complainant_address]", "缙云县五云街道1号")
    phone.fill("textarea[name=demand]", "退款")
    phone.fill("textarea[name=description]", "买到过期牛奶")
    assert no_horizontal_overflow(phone)
    shot(phone, "complaint-new-360")
    phone.click("button:has-text('登记')")
    phone.wait_for_load_state("networkidle")
    # Then its acceptance is due 7 working days later: Tue 1 Dec 2026 (Order No. 121 Art. 15)
    assert "受理决定期限 2026-12-01" in phone.inner_text("body")
    # When the acceptance is dated before the receipt
    phone.select_option("select[name=action] >> nth=0", "accepted")
    phone.fill("input[name=on] >> nth=0", "2026-11-19")
    phone.click("#act button:has-text('提交')")
    phone.wait_for_load_state("networkidle")
    # Then the page says so beside the date, and nothing was stored
    assert phone.inner_text("#act .field-error") == "日期不能早于登记日期2026-11-20"
    shot(phone, "complaint-step-error-360")
    assert no_horizontal_overflow(phone)
    with app.app_context():
        assert db.session.scalar(sa.select(Complaint.status)) == "new"
    phone.goto(live_server + "/complaints")
    body = phone.inner_text("body")
    assert "按时初查率" in body and "五云所" in body
    assert no_horizontal_overflow(phone)
    shot(phone, "complaints-rates-360")
