"""Offline sign check (issue 18, item 11), in Chromium with the network off: a typed serial (any case, with
or without dashes) or a scanned QR address is answered from the synced signs with the time of that sync;
an unknown one says the phone cannot know."""
import sqlalchemy as sa

from server.extensions import db
from server.signage.models import Sign
from tests.e2e.conftest import shot
from tests.e2e.pwa_helpers import field, login, store, wait_controlled  # noqa: F401
from tests.e2e.test_pwa_sync import _issue_sign
from tests.sync.conftest import checklist  # noqa: F401


def test_a_sign_is_checked_offline_by_serial_or_qr_address(phone, live_server, field, app, tmp_path):
    _issue_sign(app, field)
    with app.app_context():
        sign = db.session.scalars(sa.select(Sign)).one()
        serial, token = sign.serial, sign.token
    login(phone, live_server)
    wait_controlled(phone)  # the shell and the decoder are kept by the service worker
    phone.context.set_offline(True)
    phone.goto(f"{live_server}/app/#/units")
    phone.click("#to-check")
    phone.wait_for_selector("#check")
    # When the inspector types the serial as read off the wall (lower case, spaces)
    phone.fill("#serial", " " + serial.lower().replace("-", " ") + " ")
    phone.click("#check button[type=submit]")
    result = phone.inner_text("#check-result")
    # Then the phone answers from its synced signs, naming the shop and the sync it relies on
    assert serial in result and "有效" in result and "五云放心超市" in result and "同步的数据" in result
    shot(phone, "pwa-sign-check-360")
    # When a serial the phone does not hold is typed, it says it cannot know
    phone.fill("#serial", "JY-2099-9999")
    phone.click("#check button[type=submit]")
    assert "本机无法确定" in phone.inner_text("#check-result")
    # A scanned QR code's address finds the sign by its token (what BarcodeDetector or a decoder returns)
    found = phone.evaluate("""async ([url]) => {
      const { findSign } = await import('./js/ui/check.js');
      const { all } = await import('./js/db.js');
      const s = findSign(await all('signs'), url);
      return s && s.serial;
    }""", [f"{live_server}/s/{token}"])
    assert found == serial
    # When a photo of the sign's QR code is scanned, offline (BarcodeDetector, else jsQR kept by the worker)
    import qrcode
    photo = tmp_path / "sign.png"
    qrcode.make(f"{live_server}/s/{token}", box_size=8, border=4).save(photo)
    phone.set_input_files("#scan", str(photo))
    phone.wait_for_function(f"(document.querySelector('#check-result') || {{}}).innerText?.includes('{serial}')",
                            timeout=15000)
    assert "有效" in phone.inner_text("#check-result")
