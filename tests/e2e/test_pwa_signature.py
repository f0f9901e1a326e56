"""A signature that means something (issue 18, item 1), in Chromium at 360 px: a tap or a nameless scrawl is
no signature, the screen shows what is signed, a change after signing clears it, and the server keeps the
hash that the phone and the server both compute over the signed content."""
import sqlalchemy as sa

from server.extensions import db
from server.inspection import signing
from server.inspection.models import Inspection
from tests.e2e.conftest import no_horizontal_overflow, shot
from tests.e2e.pwa_helpers import (answer_items, field, login, sign, start_inspection, store,  # noqa: F401
                                   wait_states)
from tests.sync.conftest import checklist  # noqa: F401


def _draft(page):
    [d] = store(page, "drafts")
    return d


def _tap(page):
    page.locator("#sig").scroll_into_view_if_needed()
    box = page.locator("#sig").bounding_box()
    page.mouse.click(box["x"] + 60, box["y"] + 60)


def test_a_tap_is_no_signature_and_a_change_after_signing_clears_it(phone, live_server, field, app):
    # Given an inspection with one finding and a demand, at the signature step
    login(phone, live_server)
    start_inspection(phone, "五云放心超市")
    answer_items(phone)
    phone.wait_for_selector("#locate")
    phone.click("[data-reason='室内无信号']")
    phone.click("[data-nav='1']")
    phone.click("[data-c=pass]")
    phone.click("[data-nav='1']")
    # Then the screen shows what the owner signs
    signed = phone.inner_text("#signed-content")
    assert "合格" in signed and "价格标签缺失" in signed
    # When the pad is tapped with no name: nothing is signed
    _tap(phone)
    phone.wait_for_selector("#sig-state:has-text('请先填写签名人姓名')")
    assert _draft(phone)["signature_sha256"] is None
    # When the name is given and the pad only tapped: still nothing (a tap draws no length)
    phone.fill("#signer", "王老板")
    _tap(phone)
    phone.wait_for_selector("#sig-state:has-text('签名过短')")
    assert _draft(phone)["signature_sha256"] is None
    # When the owner signs properly
    sign(phone)
    first = _draft(phone)
    assert first["signature_sha256"] and first["signed_hash"] and first["signed_at"]
    shot(phone, "pwa-signature-content-360")
    assert no_horizontal_overflow(phone)
    # And then the conclusion is changed to 不合格 with a demand
    phone.click("[data-nav='-1']")
    phone.click("[data-c=fail]")
    phone.wait_for_selector(".rects textarea")
    phone.click("[data-nav='1']")
    # Then the signature is gone and the owner is asked again, seeing the new content
    phone.wait_for_selector("#sig-cleared")
    assert "尚未签名" in phone.inner_text("#sig-state")
    assert "不合格" in phone.inner_text("#signed-content") and "整改" in phone.inner_text("#signed-content")
    assert _draft(phone)["signature_sha256"] is None
    phone.click("[data-nav='1']")
    phone.wait_for_selector("#submit")
    assert phone.locator("#submit[disabled]").count() and "重新签名" in phone.inner_text("#step")
    # When the owner signs again and the inspection is submitted and synced
    phone.click("[data-step]")
    sign(phone)
    # The strokes and the cleared signature leave no orphan images waiting for upload
    assert [p["sha"] for p in store(phone, "photos") if p["type"] == "image/png"] == [_draft(phone)["signature_sha256"]]
    phone.click("[data-nav='1']")
    phone.wait_for_selector("#submit:not([disabled])")
    phone.click("#submit")
    phone.wait_for_selector("body[data-view=unit]")
    wait_states(phone, {"sent"})
    # Then the server holds the 不合格 record with the hash both sides computed over its content
    [change] = store(phone, "outbox")
    with app.app_context():
        insp = db.session.scalars(sa.select(Inspection)).one()
        assert insp.conclusion == "fail" and insp.signer_name == "王老板"
        assert insp.signed_hash == change["data"]["signed_hash"]
        data = {"unit_id": insp.unit_id, "conclusion": insp.conclusion, "summary": insp.summary,
                "answers": [{"item_code": a.item_code, "result": a.result, "note": a.note} for a in insp.answers],
                "rectifications": [{"item_code": r.item_code, "demand": r.demand, "due_date": r.due_date}
                                   for r in insp.rectifications], "signer_name": insp.signer_name}
        assert signing.content_hash(data) == insp.signed_hash


def test_a_signature_the_server_refuses_comes_back_to_be_signed_again(phone, live_server, field, app):
    """The server measures the signature's ink too (SIGNATURE_MIN_INK_PX): a refused one is 退回修改 with the
    signature cleared and asked again; the rest of the record, and a signature it accepts, go through."""
    from tests.e2e.pwa_helpers import finish_inspection, wait_controlled
    login(phone, live_server)
    wait_controlled(phone)
    phone.context.set_offline(True)
    start_inspection(phone, "五云放心超市")
    answer_items(phone)
    finish_inspection(phone)
    # Given a server that finds the drawn signature too small (as it would a tap)
    app.config["SIGNATURE_MIN_INK_PX"] = 10 ** 9
    try:
        phone.context.set_offline(False)
        wait_states(phone, {"invalid"}, timeout=20000)
        [refused] = store(phone, "outbox")
        assert "签名过短" in refused["message"]
        # When the inspector takes it back (退回修改)
        phone.evaluate("location.hash = '#/sync'")
        phone.click(f"[data-reopen='{refused['id']}']")
        phone.wait_for_selector("#submit")
        # Then the signature is cleared and asked for again; nothing else is lost
        draft = _draft(phone)
        assert draft["signature_sha256"] is None and draft["signature_cleared"]
        assert draft["answers"]["license.have"]["result"] == "no" and draft["conclusion"] == "rectify"
        assert phone.locator("#submit[disabled]").count() and "重新签名" in phone.inner_text("#step")
    finally:
        app.config["SIGNATURE_MIN_INK_PX"] = 300
    # When the owner signs again and it is submitted
    phone.click("[data-step]")
    sign(phone)
    phone.click("[data-nav='1']")
    phone.wait_for_selector("#submit:not([disabled])")
    phone.click("#submit")
    wait_states(phone, {"sent"}, timeout=20000)
    with app.app_context():
        insp = db.session.scalars(sa.select(Inspection)).one()
        assert insp.signature_sha256 == store(phone, "outbox")[0]["data"]["signature_sha256"]
