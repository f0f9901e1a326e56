"""The public sign page: each state, only public facts, escaping, the two forms, limits and bad uploads."""
import io
import re
import uuid
from datetime import date

import pytest
import sqlalchemy as sa
from PIL import Image

from server.extensions import db
from server.feedback.models import Complaint, Evaluation
from server.qrsign import payload
from server.signage.models import Sign
from server.station.models import Target
from server.unit.models import Unit, UnitYear
from tests.conftest import YEAR, bearer, login
from tests.signage.conftest import evaluated, issue  # noqa: F401
from tests.sync.conftest import checklist, inspection_body  # noqa: F401


def text(r):
    return r.get_data(as_text=True)


def set_stage(app, unit_id, stage, year=YEAR):
    with app.app_context():
        uy = db.session.scalar(sa.select(UnitYear).where(UnitYear.unit_id == unit_id, UnitYear.year == year))
        if uy is None:
            db.session.add(UnitYear(unit_id=unit_id, year=year, stage=stage))
        else:
            uy.stage = stage
        db.session.commit()


def test_valid_shows_public_facts_only(app, client, world, evaluated):
    with app.app_context():
        u = db.session.get(Unit, world.ids["unit_a"])
        u.contact_name, u.contact_phone = "王老板", "13812345678"
        db.session.commit()
    _, token, serial = issue(app, world)
    r = client.get(f"/s/{token}")
    body = text(r)
    assert r.status_code == 200
    assert "有效" in body and "五云放心超市" in body and serial in body and "暂无评价" in body
    assert "13812345678" not in body and "王老板" not in body
    assert "<script" not in body
    assert r.headers["Content-Security-Policy"].startswith("default-src 'none'")


def test_no_reason_return_promise(app, client, world, evaluated):
    with app.app_context():
        u = db.session.get(Unit, world.ids["unit_a"])
        u.type, u.return_days, u.return_exclusions = "no_reason_return", 15, "定制商品"
        db.session.commit()
    _, token, _ = issue(app, world)
    body = text(client.get(f"/s/{token}"))
    assert "无理由退货承诺单位" in body and "15天无理由退货" in body and "定制商品" in body


def test_revoked_replaced_and_removed(app, client, world, evaluated):
    sid, token, _ = issue(app, world)
    h = bearer(world.tokens["admin_a"])
    new = client.post(f"/api/v1/signs/{sid}/replace", json={}, headers=h).json
    body = text(client.get(f"/s/{token}"))
    assert "已更换" in body and new["serial"] not in body and "统一社会信用代码" not in body
    with app.app_context():
        new_token = db.session.get(Sign, new["id"]).token
    assert "有效" in text(client.get(f"/s/{new_token}"))
    client.post(f"/api/v1/signs/{new['id']}/revoke", json={"reason": "violations"}, headers=h)
    body = text(client.get(f"/s/{new_token}"))
    assert "已撤销" in body and "存在违法违规行为" in body and "请勿信任" in body
    # Revoked for a violation: the unit left the year (and the certified count) with that reason.
    with app.app_context():
        uy = db.session.scalar(sa.select(UnitYear).where(UnitYear.unit_id == world.ids["unit_a"]))
        assert (uy.stage, uy.removal_reason) == ("removed", "violations")
    # A unit removed in the sign's year: its sign is revoked in the same request.
    _, token_b, _ = issue(app, world, "unit_b", "admin_b")
    r = client.post(f"/api/v1/units/{world.ids['unit_b']}/transitions", headers=bearer(world.tokens["admin_b"]),
                    json={"year": YEAR, "to_stage": "removed", "reason": "unsuitable"})
    assert r.status_code == 200
    assert "已撤销" in text(client.get(f"/s/{token_b}"))


def test_revoked_through_unit_removal(app, client, world, evaluated):
    from server.signage.service import revoke_signs_of_unit
    _, token, _ = issue(app, world)
    with app.app_context():
        revoke_signs_of_unit(world.ids["unit_a"], "closed", world.ids["admin_a"])
        db.session.commit()
    body = text(client.get(f"/s/{token}"))
    assert "已撤销" in body and "歇业关闭" in body


def test_validity_is_the_signs_date_and_renewal_is_next_years_sign(app, client, world, evaluated, monkeypatch):
    """Entering targets changes no public page; a sign says until when it is valid and expires the day
    after; passing the next year's post-evaluation renews it with that year's sign, valid a year further."""
    from datetime import date
    from server.account.models import User
    from server.signage import state
    from tests.conftest import certify
    _, token, _ = issue(app, world)
    with app.app_context():
        db.session.add(Target(year=YEAR + 1, county_id=world.ids["county"], station_id=world.ids["a"],
                              kind="general", count=5))
        db.session.commit()
    body = text(client.get(f"/s/{token}"))
    assert "本标识真实有效" in body and f"有效期至{YEAR + 1}年11月30日" in body
    monkeypatch.setattr(state, "today", lambda: date(YEAR + 1, 11, 30))
    assert "本标识真实有效" in text(client.get(f"/s/{token}"))
    monkeypatch.setattr(state, "today", lambda: date(YEAR + 1, 12, 1))
    body = text(client.get(f"/s/{token}"))
    assert "已过期" in body and f"有效期至{YEAR + 1}年11月30日" in body
    with app.app_context():
        admin = db.session.get(User, world.ids["admin_a"])
        certify(admin, db.session.get(Unit, world.ids["unit_a"]), YEAR + 1, to="sign_issued")
        renewed = db.session.scalar(sa.select(Sign).where(Sign.unit_id == world.ids["unit_a"], Sign.year == YEAR + 1))
        assert renewed.valid_until == date(YEAR + 2, 11, 30)
        new_token = renewed.token
        db.session.commit()
    assert "已过期" in text(client.get(f"/s/{token}"))
    body = text(client.get(f"/s/{new_token}"))
    assert "本标识真实有效" in body and f"有效期至{YEAR + 2}年11月30日" in body


def test_unknown_and_forged_tokens_look_the_same(app, client, world, evaluated):
    _, token, _ = issue(app, world)
    forged = token[:-1] + ("A" if token[-1] != "A" else "B")
    pages = [client.get(f"/s/{t}") for t in (payload.new_token(), forged, "short", "x" * 200)]
    assert [p.status_code for p in pages] == [404] * 4
    assert all("未查到该标识" in text(p) and "12315" in text(p) for p in pages)
    assert all("假冒" not in text(p) for p in pages)  # never calls a shop a fake on a mere miss
    assert all("/complain" not in text(p) and "/evaluate" not in text(p) for p in pages)
    assert client.post(f"/s/{forged}/evaluate", data={"stars": 5}).status_code == 404
    assert client.get(f"/s/{forged}/complain").status_code == 404


def test_script_in_unit_name_and_comment_is_escaped(app, client, world, evaluated):
    with app.app_context():
        db.session.get(Unit, world.ids["unit_a"]).name = "<script>alert(1)</script>超市"
        db.session.commit()
    _, token, _ = issue(app, world)
    r = client.post(f"/s/{token}/evaluate", data={"stars": "4", "tags": ["服务好"], "comment": "<script>x()</script>"})
    assert r.status_code == 303
    body = text(client.get(f"/s/{token}"))
    assert "<script>" not in body and "&lt;script&gt;alert(1)&lt;/script&gt;超市" in body
    assert "4.0（1条）" in body
    login(client, "a_admin")
    admin = text(client.get("/feedback"))
    assert "<script>x()" not in admin and "&lt;script&gt;x()&lt;/script&gt;" in admin


def test_evaluation_validation(app, client, world, evaluated):
    _, token, _ = issue(app, world)
    r = client.post(f"/s/{token}/evaluate", data={"stars": "9", "tags": ["乱写"], "comment": "<b>好</b>"})
    assert r.status_code == 422 and "星级应在1到5之间" in text(r)
    assert 'name="stars"' in text(r) and "&lt;b&gt;好&lt;/b&gt;</textarea>" in text(r)  # the form again, as typed
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Evaluation.id))) == 0


def test_rate_limit_per_sign_and_address(app, client, world, evaluated):
    _, token, _ = issue(app, world)
    codes = [client.post(f"/s/{token}/evaluate", data={"stars": "5"}).status_code for _ in range(6)]
    assert codes == [303] * 5 + [429]
    r = client.post(f"/s/{token}/complain", data={"kind": "report", "description": "服务态度很差",
                                                   "phone": "13800000000"})
    assert r.status_code == 429 and "提交过于频繁" in text(r)
    # Another address is not held back.
    other = client.post(f"/s/{token}/evaluate", data={"stars": "5"}, environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert other.status_code == 303
    with app.app_context():
        hashes = db.session.scalars(sa.select(Evaluation.address_hash)).all()
    assert len(hashes) == 6 and "127.0.0.1" not in hashes and "10.0.0.9" not in hashes


def test_honeypot_pretends_and_stores_nothing(app, client, world, evaluated):
    _, token, _ = issue(app, world)
    r = client.post(f"/s/{token}/evaluate", data={"stars": "5", "website": "http://spam"})
    assert r.status_code == 303 and "done=evaluation" in r.headers["Location"]
    r = client.post(f"/s/{token}/complain", data={"description": "买一送十", "phone": "13800000000", "website": "x"})
    assert r.status_code == 303
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Evaluation.id))) == 0
        assert db.session.scalar(sa.select(sa.func.count(Complaint.id))) == 0


def _stored_files(app):
    """Every object in the run's photo store: a folder, or a bucket (TEST_PHOTO_STORAGE=seaweedfs)."""
    import os

    from server.photo.storage import S3Storage, get_storage
    store = get_storage(app)
    if isinstance(store, S3Storage):
        listed = store.client.list_objects_v2(Bucket=store.bucket, Prefix=store.prefix).get("Contents", [])
        return sorted(o["Key"] for o in listed)
    root = store.root
    return sorted(os.path.join(d, f) for d, _, fs in os.walk(root) for f in fs) if os.path.isdir(root) else []


def test_complaint_photo_not_an_image_is_refused(app, client, world, evaluated):
    _, token, _ = issue(app, world)
    before = _stored_files(app)
    r = client.post(f"/s/{token}/complain", content_type="multipart/form-data",
                    data={"description": "商品过期了还在卖", "phone": "13800000000", "complainant_name": "王五",
                          "complainant_address": "缙云县五云街道1号", "demand": "退货退款",
                          "photo": (io.BytesIO(b"<?php evil(); ?>" * 10), "shot.jpg", "image/jpeg")})
    assert r.status_code == 422 and "不是可识别的 JPEG、PNG 或 WebP 图片" in text(r)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Complaint.id))) == 0
    assert _stored_files(app) == before


def test_complaint_with_photo_reaches_the_station(app, client, world, evaluated):
    _, token, _ = issue(app, world)
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 10, 10)).save(buf, "PNG")
    r = client.post(f"/s/{token}/complain", content_type="multipart/form-data",
                    data={"kind": "report", "description": "商品过期了还在卖", "phone": "13812345678",
                          "photo": (io.BytesIO(buf.getvalue()), "a.png", "image/png")})
    assert r.status_code == 303
    assert "已收到" in text(client.get(r.headers["Location"]))
    assert "13812345678" not in text(client.get(f"/s/{token}"))
    with app.app_context():
        c = db.session.scalar(sa.select(Complaint))
        cid = c.id
        assert c.kind == "report" and c.station_id == world.ids["a"] and c.photo_sha256
    login(client, "a_admin")
    page = text(client.get("/feedback"))
    assert "13812345678" in page and "举报" in page
    photo = client.get(f"/feedback/complaints/{cid}/photo")
    assert photo.status_code == 200 and photo.mimetype == "image/jpeg"
    login(client, "a_insp")
    page = text(client.get("/feedback"))
    assert "13812345678" not in page and "138****5678" in page
    login(client, "b_admin")
    assert "商品过期了还在卖" not in text(client.get("/feedback"))
    assert client.get(f"/feedback/complaints/{cid}/photo").status_code == 404
    login(client, "admin")
    assert "13812345678" in text(client.get("/feedback"))


def test_complaint_needs_phone_and_description(app, client, world, evaluated):
    _, token, _ = issue(app, world)
    r = client.post(f"/s/{token}/complain", data={"kind": "report", "description": "差", "phone": "12"})
    assert r.status_code == 422 and "请填写11位手机号" in text(r)
    assert '<option value="report" selected>' in text(r) and 'value="12"' in text(r)


def test_a_complaint_asks_for_what_article_10_requires(app, client, world, evaluated):
    # SAMR Order No. 121 Art. 10: the complainant's name, telephone and address, the demand, the facts
    _, token, _ = issue(app, world)
    form = text(client.get(f"/s/{token}/complain"))
    assert "依照《市场监督管理投诉举报处理办法》处理" in form and "12315" in form
    r = client.post(f"/s/{token}/complain", data={"kind": "complaint", "description": "买到的牛奶已过期",
                                                   "phone": "13800000000"})
    page = text(r)
    assert r.status_code == 422 and "请填写您的姓名" in page and "请填写通讯地址" in page and "请写明您的投诉请求" in page
    r = client.post(f"/s/{token}/complain", data={"kind": "complaint", "description": "买到的牛奶已过期",
                                                   "phone": "13800000000", "complainant_name": "王五",
                                                   "complainant_address": "缙云县五云街道1号", "demand": "退货退款"})
    assert r.status_code == 303
    with app.app_context():
        c = db.session.scalar(sa.select(Complaint))
        assert (c.complainant_name, c.complainant_address, c.demand) == ("王五", "缙云县五云街道1号", "退货退款")
        assert c.accept_due is not None


def test_forms_need_csrf(app, client, world, evaluated):
    """The forms carry the session's CSRF token on their own pages; the sign page has no session at all."""
    _, token, _ = issue(app, world)
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        assert client.post(f"/s/{token}/evaluate", data={"stars": "5"}).status_code == 400
        page = client.get(f"/s/{token}")
        assert 'name="csrf_token"' not in text(page) and "Set-Cookie" not in page.headers
        form = client.get(f"/s/{token}/evaluate")
        assert form.headers["Cache-Control"] == "private, no-store" and "Set-Cookie" in form.headers
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', text(form)).group(1)
        r = client.post(f"/s/{token}/evaluate", data={"stars": "5", "csrf_token": csrf})
        assert r.status_code == 303 and "done=evaluation" in r.headers["Location"]
        assert 'name="csrf_token"' in text(client.get(f"/s/{token}/complain"))
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_form_pages_follow_the_sign_state(app, client, world, evaluated):
    """Evaluations only while the sign shows the unit's facts; complaints about any sign of ours."""
    sid, token, serial = issue(app, world)
    page = text(client.get(f"/s/{token}"))
    assert f'href="/s/{token}/evaluate"' in page and f'href="/s/{token}/complain"' in page
    assert "<form" not in page
    form = text(client.get(f"/s/{token}/evaluate"))
    assert 'name="stars"' in form and "五云放心超市" in form and serial in form and "服务好" in form
    assert 'name="phone"' in text(client.get(f"/s/{token}/complain"))
    client.post(f"/api/v1/signs/{sid}/revoke", json={"reason": "violations"}, headers=bearer(world.tokens["admin_a"]))
    assert "/evaluate" not in text(client.get(f"/s/{token}"))
    refused = client.get(f"/s/{token}/evaluate")
    assert refused.status_code == 404 and "已撤销" in text(refused) and 'name="stars"' not in text(refused)
    assert client.post(f"/s/{token}/evaluate", data={"stars": "5"}).status_code == 404
    assert client.get(f"/s/{token}/complain").status_code == 200
    for which in ("evaluate", "complain"):
        assert client.get(f"/s/{payload.new_token()}/{which}").status_code == 404


def test_page_is_small(app, client, world, evaluated):
    _, token, _ = issue(app, world)
    html = client.get(f"/s/{token}").get_data()
    css = client.get("/static/public.css").get_data()
    assert len(html) + len(css) < 20 * 1024


def test_last_post_evaluation_and_storefront_photo(app, client, world, evaluated, checklist):
    """A passed post-evaluation shows with its date; the wall photo of the posted sign is served publicly."""
    _, token, _ = issue(app, world)
    body = inspection_body(world.ids["unit_a"], checklist, kind="post_evaluation")
    r = client.post("/api/v1/sync/push", json={"changes": [{"id": body["client_id"], "type": "inspection",
                                                             "data": body}]},
                    headers=bearer(world.tokens["inspector_a"]))
    assert r.json["results"][0]["status"] == "applied", r.json
    buf = io.BytesIO()
    Image.new("RGB", (640, 480), (20, 120, 20)).save(buf, "JPEG")
    import hashlib
    data = buf.getvalue()
    sha = hashlib.sha256(data).hexdigest()
    assert client.put(f"/api/v1/photos/{sha}", data=data, content_type="image/jpeg",
                      headers=bearer(world.tokens["inspector_a"])).status_code == 201
    push = client.post("/api/v1/sync/push", headers=bearer(world.tokens["inspector_a"]), json={"changes": [
        {"id": str(uuid.uuid4()), "type": "sign_posted",
         "data": {"unit_id": world.ids["unit_a"], "year": YEAR, "photo_sha256": sha}}]})
    assert push.json["results"][0]["status"] == "applied"
    page = text(client.get(f"/s/{token}"))
    assert "2023年09月01日 · 合格" in page and f"/s/{token}/photo" in page
    photo = client.get(f"/s/{token}/photo")
    assert photo.status_code == 200 and photo.mimetype == "image/jpeg"
    assert client.get(f"/s/{payload.new_token()}/photo").status_code == 404


def test_the_latest_post_evaluation_is_the_apps_or_a_recorded_result_whichever_is_later(app, client, world,
                                                                                       evaluated, later_result):
    """Results staff record of a post-evaluation done outside the app count as much as one done in it: the
    page shows the later of the two by date (China date for the app's), passed or not."""
    _, token, _ = issue(app, world)
    assert "最近一次后评价</dt><dd>2023年09月01日 · 合格" in text(client.get(f"/s/{token}"))
    later_result(date(YEAR, 11, 20), passed=False)
    assert "最近一次后评价</dt><dd>2023年11月20日 · 不合格" in text(client.get(f"/s/{token}?done=evaluation"))


def test_latest_post_evaluation_picks_by_date_and_prefers_the_app_on_the_same_day():
    from collections import namedtuple
    from datetime import datetime

    from server.public.service import latest_post_evaluation
    Row = namedtuple("Row", "ended_at conclusion result_on result_passed")
    app_on_1_nov = datetime(YEAR, 10, 31, 16, 30)  # UTC: 1 Nov in China
    assert latest_post_evaluation(Row(None, None, None, None)) is None
    assert latest_post_evaluation(Row(app_on_1_nov, "pass", None, None)) == {"date": date(YEAR, 11, 1), "result": "合格"}
    assert latest_post_evaluation(Row(None, None, date(YEAR, 9, 1), False)) == {"date": date(YEAR, 9, 1),
                                                                                 "result": "不合格"}
    assert latest_post_evaluation(Row(app_on_1_nov, "fail", date(YEAR, 10, 31), True))["result"] == "不合格"
    assert latest_post_evaluation(Row(app_on_1_nov, "rectify", date(YEAR, 11, 1), True))["result"] == "限期整改"
    assert latest_post_evaluation(Row(app_on_1_nov, "fail", date(YEAR, 11, 2), True)) == {"date": date(YEAR, 11, 2),
                                                                                         "result": "合格"}
    assert latest_post_evaluation(Row(app_on_1_nov, "odd", None, None))["result"] == "其他"


@pytest.fixture
def later_result(app, world):
    """record(on, passed): a post-evaluation result recorded by the station admin for unit a."""
    def record(on, passed):
        from server.account.models import User
        from server.unit import lifecycle
        with app.app_context():
            lifecycle.record_evaluation(db.session.get(User, world.ids["admin_a"]),
                                        db.session.get(Unit, world.ids["unit_a"]), YEAR, passed=passed,
                                        evaluated_on=on, evidence_ref="后评〔2023〕99号")
            db.session.commit()
    return record


def test_the_kept_page_renders_as_flask_would_in_every_state(app, world):
    """The sign page is rendered by Jinja without the app's context processors (server.public.views): for a
    sign of every status, business status and validity date, in both text sizes, the bytes are Flask's."""
    from flask import render_template, url_for

    from server.public import views
    from server.public.service import sign_page
    from tests.signage.test_in_force import _every_case
    with app.app_context():
        _every_case(world)
        tokens = db.session.scalars(sa.select(Sign.token)).all()
    for big in ("", "big=1"):
        for token in tokens:
            with app.test_request_context(f"/s/{token}", headers={"Cookie": big}):
                page = sign_page(token)
                assert views._render_page(page, token) == render_template(
                    "public/sign.html", page=page, token=token, done="", here=url_for("public.sign", token=token))
