"""Helpers for driving the field app (/app/) in Chromium: log in, run an inspection, read its IndexedDB."""
import base64
import io
import random
import time
from datetime import date, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from PIL import Image

from server.extensions import db
from tests.conftest import PASSWORD
from tests.e2e.conftest import CHROMIUM_ARGS, PHONE, chromium_path

# Reads a whole object store; photo bytes come back as base64 (ArrayBuffers do not cross to Python).
READ_STORE = """async (store) => {
  const db = await new Promise((ok, no) => { const r = indexedDB.open('fangxin'); r.onsuccess = () => ok(r.result); r.onerror = () => no(r.error); });
  const rows = await new Promise((ok, no) => { const g = db.transaction(store).objectStore(store).getAll(); g.onsuccess = () => ok(g.result); g.onerror = () => no(g.error); });
  db.close();
  const b64 = (buf) => { const u = new Uint8Array(buf); let s = ''; for (let i = 0; i < u.length; i += 32768) s += String.fromCharCode.apply(null, u.subarray(i, i + 32768)); return btoa(s); };
  return rows.map((r) => (r.bytes ? { ...r, bytes: b64(r.bytes) } : r));
}"""


def store(page, name: str) -> list[dict]:
    """The rows of one IndexedDB store of the app."""
    return page.evaluate(READ_STORE, name)


def photo_bytes(page) -> dict[str, bytes]:
    """{sha: bytes} of every photo the phone holds."""
    return {p["sha"]: base64.b64decode(p["bytes"]) for p in store(page, "photos")}


def jpeg(path: Path, seed: int, size=(2400, 1800)) -> Path:
    """A camera-like JPEG: smooth colour with some noise, different for every seed."""
    rng = random.Random(seed)
    small = Image.new("RGB", (48, 36))
    small.putdata([(rng.randrange(256), rng.randrange(256), rng.randrange(256)) for _ in range(48 * 36)])
    img = small.resize(size, Image.BICUBIC)
    img.save(path, "JPEG", quality=90)
    return path


@pytest.fixture
def field(app, world, checklist):
    """The world with a checklist and an open task for inspector A at unit A, due yesterday (overdue)."""
    from server.account.models import User
    from server.visit.service import create_task
    with app.app_context():
        admin = db.session.get(User, world.ids["admin_a"])
        task = create_task(admin, unit_id=world.ids["unit_a"], kind="service_visit",
                           due_date=date.today() - timedelta(days=1), assignee_id=world.ids["inspector_a"],
                           note="年度走访")
        db.session.commit()
        world.ids["task"] = task.id
    world.ids["checklist"] = checklist
    return world


def login(page, base: str, username: str = "a_insp", password: str = PASSWORD):
    """Open the app, log in, and wait for the first full sync."""
    page.goto(base + "/app/")
    page.wait_for_selector("#login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("#login button[type=submit]")
    page.wait_for_selector("body[data-view=tasks]")
    wait_synced(page)


def last_sync(page):
    rows = {r["key"]: r["value"] for r in store(page, "meta")}
    return rows.get("last_sync")


def poll(page, check, timeout=15000, what="condition"):
    """Poll `check()` (which may read IndexedDB) until it is truthy; page.wait_for_function cannot await."""
    deadline = time.monotonic() + timeout / 1000
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        page.wait_for_timeout(150)


def wait_synced(page, after=None, timeout=15000):
    """Wait until a sync finished successfully after `after` (a last_sync value)."""
    poll(page, lambda: (v := last_sync(page)) and (not after or v > after), timeout, "a good sync")


def wait_controlled(page):
    """Wait until the service worker controls the page (the shell is precached)."""
    page.wait_for_function("navigator.serviceWorker.controller !== null", timeout=15000)


def outbox_states(page) -> dict[str, str]:
    return {c["id"]: c["state"] for c in store(page, "outbox")}


def wait_states(page, states: set[str], timeout=15000):
    """Wait until every outbox record is in one of `states`."""
    poll(page, lambda: (got := outbox_states(page)) and set(got.values()) <= set(states), timeout,
         f"outbox states {states}")


def sign(page):
    """Draw a signature on the canvas with the mouse."""
    page.locator("#sig").scroll_into_view_if_needed()
    box = page.locator("#sig").bounding_box()
    x, y = box["x"], box["y"]
    page.mouse.move(x + 30, y + 120)
    page.mouse.down()
    for k in range(1, 25):
        page.mouse.move(x + 30 + k * 11, y + 120 - (k % 6) * 14)
    page.mouse.up()
    page.wait_for_selector("#sig-state:has-text('已签名')")


def start_inspection(page, unit_name: str):
    """From the task list (or units), open the unit and start its inspection; lands on item 1."""
    page.goto(page.url.split("#")[0] + "#/units")
    page.fill("#q", unit_name)
    page.locator("#results a").first.click()
    page.click("#start")
    page.wait_for_selector(".answers [data-r=yes]")


def answer_items(page, first_photos=(), until=None):
    """Item 1 不符合 with a note and photos; the rest 符合 (up to item `until`, 1-based, exclusive)."""
    page.click("[data-r=no]")
    page.fill("#note", "价格标签缺失")
    if first_photos:
        page.set_input_files("#cam input[type=file]", [str(p) for p in first_photos])
        page.wait_for_function(f"document.querySelectorAll('#photos img').length === {len(first_photos)}", timeout=20000)
    page.click("[data-nav='1']")
    n = 2
    while page.locator(".answers [data-r=yes]").count() and (until is None or n < until):
        page.click("[data-r=yes]")
        page.wait_for_function(f"document.querySelector('.ititle small').textContent.includes('第 {n + 1} /') || !document.querySelector('[data-r=yes]')")
        n += 1


def finish_inspection(page, shots=None):
    """From the location step: no GPS reason (or a fix), rectify with the suggested demand, signature, submit."""
    page.wait_for_selector("#locate")
    if page.locator("#reason").count():
        page.click("[data-reason='室内无信号']")
    shots and shots("gps")
    page.click("[data-nav='1']")
    page.click("[data-c=rectify]")
    page.wait_for_selector(".rects textarea")
    # The demand's date and its 删除 stay within the demand's width, the button on one line.
    box, button = (page.locator(f".rects {s}").first.bounding_box() for s in ("textarea", "[data-del]"))
    assert button["x"] + button["width"] <= box["x"] + box["width"] + 1 and button["height"] < 60, button
    shots and shots("conclusion")
    page.click("[data-nav='1']")
    page.fill("#signer", "王老板")
    sign(page)
    shots and shots("signature")
    page.click("[data-nav='1']")
    page.wait_for_selector("#submit")
    assert page.locator("#submit:not([disabled])").count(), page.inner_text("#step")
    shots and shots("review")
    page.click("#submit")
    page.wait_for_selector("body[data-view=unit]")


def persistent(playwright, profile: Path, **kw):
    """A Chromium on a profile directory that outlives the browser (closing it is a phone restart)."""
    return playwright.chromium.launch_persistent_context(
        str(profile), executable_path=chromium_path(), args=CHROMIUM_ARGS, viewport=PHONE, device_scale_factor=2,
        is_mobile=True, has_touch=True, locale="zh-CN", bypass_csp=True, **kw)


def count(app, model, *where) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def all_rows(app, model):
    with app.app_context():
        rows = db.session.scalars(sa.select(model)).all()
        db.session.expunge_all()
        return rows
