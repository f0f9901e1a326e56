"""Corrections on the phone (issue 18, item 4), in Chromium at 360 px: on a submitted inspection of one's own
within the correction period, 更正 opens a copy as a new draft; a change clears the owner's signature and asks
again; a reason is required; submitted offline it waits in the outbox, and once synced the server holds a new
record superseding the old, and the phone shows the chain."""
import sqlalchemy as sa

from server.extensions import db
from server.inspection import signing
from server.inspection.models import Inspection
from tests.conftest import bearer
from tests.e2e.conftest import no_horizontal_overflow, shot
from tests.e2e.pwa_helpers import field, login, sign, store, wait_controlled, wait_states, wait_synced  # noqa: F401
from tests.sync.conftest import change, checklist, inspection_body  # noqa: F401


def _draft(page):
    [d] = store(page, "drafts")
    return d


def test_an_inspector_corrects_their_inspection_offline_and_it_syncs(phone, live_server, field, app, client):
    # Given a 不合格 inspection the inspector submitted today, on the phone after a sync
    first = inspection_body(field.ids["unit_a"], field.ids["checklist"], conclusion="fail", fail_items=["pricing.have"])
    r = client.post("/api/v1/sync/push", headers=bearer(field.tokens["inspector_a"]), json={"changes": [change(first)]})
    assert r.get_json()["results"][0]["status"] == "applied"
    login(phone, live_server)
    wait_controlled(phone)
    # When the phone is offline and the inspector opens the unit
    phone.context.set_offline(True)
    phone.evaluate(f"location.hash = '#/unit/{field.ids['unit_a']}'")
    phone.wait_for_selector(f"[data-correct='{first['client_id']}']")
    shot(phone, "pwa-correction-unit-360")
    assert no_horizontal_overflow(phone)
    # And taps 更正: a copy opens as a new draft at the review, the owner's signature still covering its content
    phone.click(f"[data-correct='{first['client_id']}']")
    phone.wait_for_selector("#correcting")
    draft = _draft(phone)
    assert draft["id"] != first["client_id"] and draft["supersedes"] == first["client_id"]
    assert draft["signature_sha256"] == first["signature_sha256"] and draft["signed_hash"] == first["signed_hash"]
    assert draft["answers"]["pricing.have"]["result"] == "no" and draft["signer_name"] == "王老板"
    # Without a reason it cannot be submitted
    assert phone.locator("#submit[disabled]").count() and "须填写更正原因" in phone.inner_text("#step")
    shot(phone, "pwa-correction-review-360")
    assert no_horizontal_overflow(phone)
    # When the conclusion is changed to 合格
    phone.click("[data-nav='-1']")
    phone.click("[data-nav='-1']")
    phone.click("[data-c=pass]")
    phone.click("[data-nav='1']")
    # Then the signature is cleared and the owner asked again
    phone.wait_for_selector("#sig-cleared")
    assert _draft(phone)["signature_sha256"] is None
    sign(phone)
    phone.click("[data-nav='1']")
    phone.fill("#reason", "结论选错：价签问题现场已改正")
    phone.wait_for_selector("#submit:not([disabled])")
    phone.set_viewport_size({"width": 740, "height": 360})
    shot(phone, "pwa-correction-review-landscape")
    assert no_horizontal_overflow(phone)
    phone.set_viewport_size({"width": 360, "height": 740})
    phone.click("#submit")
    phone.wait_for_selector("body[data-view=unit]")
    # Then it waits in the outbox and the original shows it is being corrected
    [queued] = [c for c in store(phone, "outbox") if c["id"] == draft["id"]]
    assert queued["state"] == "waiting" and queued["data"]["supersedes"] == first["client_id"]
    assert queued["data"]["correction_reason"] == "结论选错：价签问题现场已改正"
    original = phone.locator(f"li[data-client='{first['client_id']}']")
    assert "已被更正" in original.inner_text() and "待发送" in original.inner_text()
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Inspection)) == 1
    # When the network returns
    phone.context.set_offline(False)
    wait_states(phone, {"sent"}, timeout=20000)
    # Then the server holds the correction superseding the original, signed over its new content
    with app.app_context():
        old, new = db.session.scalars(sa.select(Inspection).order_by(Inspection.id)).all()
        assert old.client_id == first["client_id"] and new.supersedes_id == old.id
        assert new.conclusion == "pass" and new.correction_reason == "结论选错：价签问题现场已改正"
        assert new.inspector_id == field.ids["inspector_a"] and new.started_at == old.started_at
        assert new.signed_hash != old.signed_hash and new.signature_sha256 != old.signature_sha256
        assert new.signed_hash == signing.content_hash(queued["data"] | {"rectifications": []})
    # And after the next pull the phone shows the chain from the server's records
    phone.evaluate("location.hash = '#/units'")
    phone.evaluate(f"location.hash = '#/unit/{field.ids['unit_a']}'")
    phone.wait_for_selector(f"li[data-client='{draft['id']}']:has-text('更正记录')")
    original = phone.locator(f"li[data-client='{first['client_id']}']")
    original.locator(".superseded").wait_for()
    # The superseded record offers no second correction; the one in force may be corrected in its turn
    assert not original.locator("[data-correct]").count()
    assert phone.locator(f"li[data-client='{draft['id']}'] [data-correct]").count() == 1
    shot(phone, "pwa-correction-chain-360")
    phone.set_viewport_size({"width": 740, "height": 360})
    shot(phone, "pwa-correction-chain-landscape")
    assert no_horizontal_overflow(phone)


OLD_FORMAT = """async () => {
  const db = await new Promise((ok, no) => { const r = indexedDB.open('fangxin'); r.onsuccess = () => ok(r.result); r.onerror = () => no(r.error); });
  await new Promise((ok, no) => {
    const t = db.transaction(['inspections', 'meta'], 'readwrite');
    const s = t.objectStore('inspections');
    s.getAll().onsuccess = (e) => { for (const i of e.target.result) {
      const { answers, correctable_until, template_version_id, ...old } = i; s.put(old); } };
    t.objectStore('meta').delete('pull_format');
    t.oncomplete = ok; t.onerror = () => no(t.error);
  });
  db.close();
}"""


def test_records_pulled_before_corrections_are_pulled_again_once(phone, live_server, field, client):
    # Given a phone that pulled its inspections before they carried their content (an older app)
    first = inspection_body(field.ids["unit_a"], field.ids["checklist"], conclusion="fail", fail_items=["pricing.have"])
    client.post("/api/v1/sync/push", headers=bearer(field.tokens["inspector_a"]), json={"changes": [change(first)]})
    login(phone, live_server)
    phone.evaluate(OLD_FORMAT)
    [old] = store(phone, "inspections")
    assert "answers" not in old and "correctable_until" not in old
    # When it syncs after the update
    before = {r["key"]: r["value"] for r in store(phone, "meta")}["last_sync"]
    phone.evaluate("import('/app/js/sync.js').then((s) => s.syncNow())")
    wait_synced(phone, after=before)
    # Then the record is pulled again with its content, and 更正 is offered
    [again] = store(phone, "inspections")
    assert again["answers"] and again["correctable_until"]
    assert {r["key"]: r["value"] for r in store(phone, "meta")}["pull_format"] == 2
    phone.evaluate(f"location.hash = '#/unit/{field.ids['unit_a']}'")
    phone.wait_for_selector(f"[data-correct='{first['client_id']}']")
