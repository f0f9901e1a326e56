"""The owner's signature covers a hash of what was signed; the server refuses a record changed after it
(issue 18, item 1), and the signer's name is required."""
import sqlalchemy as sa

from server.extensions import db
from server.inspection import signing
from server.inspection.models import Inspection
from tests.conftest import bearer
from tests.sync.conftest import change, due, inspection_body, signed


def _push(client, token, body):
    return client.post("/api/v1/sync/push", headers=bearer(token), json={"changes": [change(body)]}).get_json()["results"][0]


def test_the_canonical_form_is_the_one_the_field_app_writes():
    data = {"unit_id": 7, "conclusion": "rectify", "summary": "小结\n第二行",
            "answers": [{"item_code": "a.have", "result": "no", "note": "价格\"标签\"缺失"}],
            "rectifications": [{"item_code": None, "demand": "整改", "due_date": "2023-09-08"}], "signer_name": "王老板"}
    # JSON.stringify([1,7,"rectify",[["a.have","no","价格\"标签\"缺失"]],"小结\n第二行",[[null,"整改","2023-09-08"]],"王老板"])
    assert signing.signed_content(data) == \
        '[1,7,"rectify",[["a.have","no","价格\\"标签\\"缺失"]],"小结\\n第二行",[[null,"整改","2023-09-08"]],"王老板"]'


def test_a_record_changed_after_signing_is_refused_and_nothing_is_stored(client, world, checklist, app):
    # Given an inspection the owner signed as 合格
    body = inspection_body(world.ids["unit_a"], checklist)
    # When the conclusion is changed to 不合格 with a demand afterwards, keeping the signature
    body["conclusion"] = "fail"
    body["rectifications"] = [{"item_code": None, "demand": "立即整改价格标签", "due_date": due(7)}]
    r = _push(client, world.tokens["inspector_a"], body)
    # Then the server refuses it with a reason in Chinese, and stores nothing
    assert r["status"] == "invalid" and "重新签名" in r["fields"]["signed_hash"][0]
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Inspection)) == 0
    # And once signed again over the new content it is applied, with the hash kept
    r = _push(client, world.tokens["inspector_a"], signed(body))
    assert r["status"] == "applied", r
    with app.app_context():
        assert db.session.scalar(sa.select(Inspection.signed_hash)) == body["signed_hash"]


def test_no_signer_name_or_no_hash_is_refused(client, world, checklist):
    body = inspection_body(world.ids["unit_a"], checklist)
    body["signer_name"] = ""
    r = _push(client, world.tokens["inspector_a"], signed(body))
    assert r["status"] == "invalid" and r["fields"]["signer_name"] == ["须填写签名人姓名（不超过60个字）"]
    body = inspection_body(world.ids["unit_a"], checklist)
    del body["signed_hash"]
    r = _push(client, world.tokens["inspector_a"], body)
    assert r["status"] == "invalid" and "signed_hash" in r["fields"]
