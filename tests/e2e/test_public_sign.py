"""The public sign page in a real phone-sized Chromium: every state fits 360 px; leaving an evaluation."""
import sqlalchemy as sa

from server.extensions import db
from server.feedback.models import Evaluation
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
    # When the consumer opens the evaluation form, picks 4 stars and two tags, and submits
    phone.click("summary:has-text('评价这家单位')")
    phone.check("input[name=stars][value='4']")
    phone.check("input[name=tags][value='服务好']")
    phone.check("input[name=tags][value='退换方便']")
    phone.fill("textarea[name=comment]", "老板很热情，退货很方便")
    phone.click("button:has-text('提交评价')")
    phone.wait_for_load_state("networkidle")
    # Then they are thanked and the average shows
    body = phone.inner_text("body")
    assert "感谢您的评价" in body and "4.0（1条）" in body
    shot(phone, "public-sign-evaluated-360")
    assert no_horizontal_overflow(phone)
    with app.app_context():
        ev = db.session.scalar(sa.select(Evaluation))
        assert ev.stars == 4 and ev.tags == ["服务好", "退换方便"]


def test_other_states_fit_a_phone(app, phone, live_server, world, evaluated):
    sid, token, _ = issue(app, world)
    _, token_b, _ = issue(app, world, "unit_b", "admin_b")
    with app.test_client() as c:
        c.post(f"/api/v1/signs/{sid}/replace", json={}, headers=bearer(world.tokens["admin_a"]))
        bid = c.get("/api/v1/signs", headers=bearer(world.tokens["admin_b"])).json[0]["id"]
        c.post(f"/api/v1/signs/{bid}/revoke", json={"reason": "violations"}, headers=bearer(world.tokens["admin_b"]))
    for name, t, words in (("replaced", token, "已更换"), ("revoked", token_b, "已撤销"),
                           ("not-found", payload.new_token(), "未找到该标识")):
        phone.goto(f"{live_server}/s/{t}")
        assert words in phone.inner_text("body")
        shot(phone, f"public-sign-{name}-360")
        assert no_horizontal_overflow(phone), name
