"""The public sign page in a real phone-sized Chromium: every state fits 360 px; leaving an evaluation and a
complaint from their own pages."""
import sqlalchemy as sa
from PIL import Image

from server.extensions import db
from server.feedback.models import Complaint, Evaluation
from server.qrsign import payload
from tests.conftest import bearer
from tests.e2e.conftest import no_horizontal_overflow, shot
from tests.signage.conftest import evaluated, issue  # noqa: F401

LONG = "缙云县五云街道某某某某电器商行有限责任公司第二分店经营部门市部某某某某某某某某某"


def test_valid_sign_page_and_evaluation_on_a_phone(app, phone, live_server, world, evaluated):
    from server.unit.models import Unit
    with app.app_context():
        u = db.session.get(Unit, world.ids["unit_a"])
        u.name, u.type, u.return_days, u.return_exclusions = LONG, "no_reason_return", 7, "鲜活易腐商品、定制商品"
        db.session.commit()
    _, token, _ = issue(app, world)
    phone.goto(f"{live_server}/s/{token}")
    assert "本标识真实有效" in phone.inner_text("body")
    shot(phone, "public-sign-valid-360")
    assert no_horizontal_overflow(phone)
    # When the consumer taps 评价, picks 4 stars and two tags, and submits
    phone.click("a:has-text('评价这家单位')")
    assert phone.url.endswith(f"/s/{token}/evaluate")
    shot(phone, "public-sign-evaluate-form-360")
    assert no_horizontal_overflow(phone)
    phone.check("input[name=stars][value='4']")
    phone.check("input[name=tags][value='服务好']")
    phone.check("input[name=tags][value='退换方便']")
    phone.fill("textarea[name=comment]", "老板很热情，退货很方便")
    phone.click("button:has-text('提交评价')")
    phone.wait_for_load_state("networkidle")
    # Then they are back on the sign's page, thanked, and the average shows
    assert phone.url.endswith(f"/s/{token}?done=evaluation")
    body = phone.inner_text("body")
    assert "感谢您的评价" in body and "4.0（1条）" in body and "本标识真实有效" in body
    shot(phone, "public-sign-evaluated-360")
    assert no_horizontal_overflow(phone)
    with app.app_context():
        ev = db.session.scalar(sa.select(Evaluation))
        assert ev.stars == 4 and ev.tags == ["服务好", "退换方便"]


def test_complaint_with_a_photo_on_a_phone(app, phone, live_server, world, evaluated, tmp_path):
    _, token, _ = issue(app, world)
    photo = tmp_path / "shelf.png"
    Image.new("RGB", (64, 48), (200, 10, 10)).save(photo, "PNG")
    phone.goto(f"{live_server}/s/{token}")
    # When the consumer taps 投诉或举报 and first leaves the phone number wrong
    phone.click("a:has-text('投诉或举报')")
    phone.select_option("select[name=kind]", "report")
    phone.fill("textarea[name=description]", "货架上有过期的牛奶还在卖")
    phone.fill("input[name=phone]", "1380000")
    phone.set_input_files("input[name=photo]", str(photo))
    phone.click("button:has-text('提交')")
    phone.wait_for_load_state("networkidle")
    # Then the form comes back with what they typed and says what to fix
    body = phone.inner_text("body")
    assert "请填写11位手机号或带区号的固定电话" in body
    assert phone.input_value("textarea[name=description]") == "货架上有过期的牛奶还在卖"
    shot(phone, "public-sign-complaint-error-360")
    assert no_horizontal_overflow(phone)
    # When they correct it and send again with the photo
    phone.fill("input[name=phone]", "13800000000")
    phone.set_input_files("input[name=photo]", str(photo))
    phone.click("button:has-text('提交')")
    phone.wait_for_load_state("networkidle")
    # Then the station has it, with the photo
    assert "已收到，所属市场监管所将依法处理" in phone.inner_text("body")
    with app.app_context():
        c = db.session.scalar(sa.select(Complaint))
        assert c.kind == "report" and c.phone == "13800000000" and c.photo_sha256


def test_a_complaint_with_what_article_10_asks_for_on_a_phone(app, phone, live_server, world, evaluated):
    _, token, _ = issue(app, world)
    phone.goto(f"{live_server}/s/{token}/complain")
    # When a consumer sends a complaint with only the facts and a phone number
    phone.fill("textarea[name=description]", "昨天买的牛奶已过期，店家拒绝退货")
    phone.fill("input[name=phone]", "13800000000")
    phone.click("button:has-text('提交')")
    phone.wait_for_load_state("networkidle")
    # Then the form asks for the name, the address and the demand (Order No. 121 Art. 10), keeping what was typed
    body = phone.inner_text("body")
    assert "请填写您的姓名" in body and "请填写通讯地址" in body and "请写明您的投诉请求" in body
    assert "12315" in body and phone.input_value("input[name=phone]") == "13800000000"
    assert no_horizontal_overflow(phone)
    shot(phone, "public-complaint-article-10-360")
    phone.fill("input[name=complainant_name]", "王五")
    phone.fill("input[name=complainant_address]", "缙云县五云街道1号")
    phone.fill("input[name=demand]", "退货退款")
    phone.click("button:has-text('提交')")
    phone.wait_for_load_state("networkidle")
    assert "已收到，所属市场监管所将依法处理" in phone.inner_text("body")
    with app.app_context():
        c = db.session.scalar(sa.select(Complaint))
        assert (c.kind, c.complainant_name, c.demand) == ("complaint", "王五", "退货退款")


def test_other_states_fit_a_phone(app, phone, live_server, world, evaluated):
    sid, token, _ = issue(app, world)
    _, token_b, _ = issue(app, world, "unit_b", "admin_b")
    with app.test_client() as c:
        c.post(f"/api/v1/signs/{sid}/replace", json={}, headers=bearer(world.tokens["admin_a"]))
        bid = c.get("/api/v1/signs", headers=bearer(world.tokens["admin_b"])).json[0]["id"]
        c.post(f"/api/v1/signs/{bid}/revoke", json={"reason": "violations"}, headers=bearer(world.tokens["admin_b"]))
    for name, t, words in (("replaced", token, "已更换"), ("revoked", token_b, "已撤销"),
                           ("not-found", payload.new_token(), "未查到该标识")):
        phone.goto(f"{live_server}/s/{t}")
        assert words in phone.inner_text("body")
        shot(phone, f"public-sign-{name}-360")
        assert no_horizontal_overflow(phone), name


def test_typing_the_serial_on_a_phone_gives_the_scan_answer(app, phone, live_server, world, evaluated):
    _, token, serial = issue(app, world)
    # A chat app glued "。" to the address: the page still opens at the sign
    phone.goto(f"{live_server}/S/{token}。")
    assert phone.url.endswith(f"/s/{token}") and "本标识真实有效" in phone.inner_text("body")
    # A consumer with no camera types the serial in lower case without dashes
    phone.goto(f"{live_server}/s/")
    shot(phone, "public-lookup-360")
    assert no_horizontal_overflow(phone)
    phone.fill("input[name=q]", serial.replace("-", "").lower())
    phone.click("button:has-text('查验')")
    phone.wait_for_load_state("networkidle")
    assert phone.url.endswith(f"/s/{token}") and "本标识真实有效" in phone.inner_text("body")
    # A typo: told plainly, shown how to check, never called a fake
    phone.goto(f"{live_server}/s/")
    phone.fill("input[name=q]", serial[:-1] + "9")
    phone.click("button:has-text('查验')")
    phone.wait_for_load_state("networkidle")
    body = phone.inner_text("body")
    assert "未查到该标识" in body and "12315" in body and "假冒" not in body
    shot(phone, "public-lookup-miss-360")
    assert no_horizontal_overflow(phone)
