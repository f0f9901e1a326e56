"""Never lose a touch (issue 18, item 6), in Chromium at 360 px with the failures made by the test: the
same draft in two tabs, a full disk, an outdated window after an update accepted elsewhere, persistent
storage asked at login, limits on the phone.

The full disk: IndexedDB's put throws the QuotaExceededError DOMException the browser raises when the
origin's quota is used up ("The quota has been exceeded."), switched on and off by the test. (DevTools'
Storage.overrideQuotaForOrigin had no effect on this Chromium's IndexedDB.)"""
import re
import shutil

from tests.e2e.conftest import PHONE, shot
from tests.e2e.pwa_helpers import (answer_items, field, jpeg, login, start_inspection, store, wait_controlled,  # noqa: F401
                                   wait_states)
from tests.sync.conftest import checklist  # noqa: F401


DISK = """(() => {
  const put = IDBObjectStore.prototype.put;
  IDBObjectStore.prototype.put = function (...args) {
    if (window.__diskFull) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    return put.apply(this, args);
  };
})();"""


def _answers(page):
    [d] = store(page, "drafts")
    return {k: v["result"] for k, v in d["answers"].items() if v.get("result")}


def test_the_same_draft_in_two_tabs_has_one_writer(browser, live_server, field):
    ctx = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN", bypass_csp=True)
    older = ctx.new_page()
    login(older, live_server)
    # Given a draft open in one tab
    start_inspection(older, "五云放心超市")
    draft_url = older.url
    # When the same draft is opened in a second tab
    newer = ctx.new_page()
    newer.goto(draft_url)
    # Then the second tab is told plainly, and offers to take over
    newer.wait_for_selector("#draft-busy")
    assert "另一个窗口" in newer.inner_text("#draft-busy")
    shot(newer, "pwa-draft-busy-360")
    # When the inspector continues in the second tab, the first stops writing and says why
    newer.click("#take-over")
    newer.wait_for_selector(".answers [data-r=yes]")
    older.wait_for_selector("#draft-taken")
    assert "另一个窗口继续" in older.inner_text("#draft-taken")
    # And five answers made in the second tab are kept: the first has nothing left to type into
    for n in range(5):
        newer.click("[data-r=yes]")
        newer.wait_for_function(f"document.querySelector('.ititle small').textContent.includes('已答 {n + 1}/')")
    assert older.locator("textarea, [data-r]").count() == 0
    assert len(_answers(newer)) == 5
    # When the older tab's screen had been left open with stale data and wrote anyway, the write is refused
    result = older.evaluate("""async () => {
      const { saveDraft } = await import('./js/records.js');
      const { get } = await import('./js/db.js');
      const stale = await get('drafts', location.hash.split('/')[2]);
      stale.rev -= 3; stale.answers = {};
      try { await saveDraft(stale); return 'saved'; } catch (e) { return e.message; }
    }""")
    assert "其他窗口" in result and len(_answers(newer)) == 5
    ctx.close()


def test_a_submitted_draft_never_comes_back_from_another_window(browser, live_server, field):
    ctx = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN", bypass_csp=True)
    page = ctx.new_page()
    login(page, live_server)
    start_inspection(page, "五云放心超市")
    draft = store(page, "drafts")[0]
    # Given the draft was submitted (moved to the outbox) while another window still held a copy
    page.evaluate("""async (d) => {
      const { submitDraft } = await import('./js/records.js');
      const { get } = await import('./js/db.js');
      const tpl = await get('templates', d.template_version_id);
      await submitDraft(await get('drafts', d.id), tpl);
    }""", draft)
    # When that window writes its copy
    result = page.evaluate("""async (d) => {
      const { saveDraft } = await import('./js/records.js');
      try { await saveDraft(d); return 'saved'; } catch (e) { return e.message; }
    }""", draft)
    # Then the write is refused and the draft does not come back
    assert "已在其他窗口提交" in result and store(page, "drafts") == []
    ctx.close()


def test_storage_full_is_said_in_chinese_and_nothing_is_silently_lost(browser, live_server, field, tmp_path):
    ctx = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN", bypass_csp=True)
    ctx.add_init_script(DISK)
    page = ctx.new_page()
    login(page, live_server)
    start_inspection(page, "五云放心超市")
    page.click("[data-r=no]")
    page.fill("#note", "已保存的说明")
    page.wait_for_function("document.querySelector('#save-error').hidden")
    # Given the disk fills up
    page.evaluate("window.__diskFull = true")
    # When a photo is taken
    messages = []
    page.on("dialog", lambda d: (messages.append(d.message), d.accept()))
    page.set_input_files("#cam input[type=file]", [str(jpeg(tmp_path / "big.jpg", 3))])
    page.wait_for_function("!document.querySelector('#cam .busy')")
    page.wait_for_timeout(300)
    # Then the alert is in Chinese and says what to do
    assert messages and "存储空间已满" in messages[0] and "同步" in messages[0] and "Quota" not in messages[0]
    # When notes are typed and 下一步 tapped with the disk full
    page.fill("#note", "已保存的说明，再加一大段" + "很长的说明" * 80)
    page.wait_for_selector("#save-error:not([hidden])")
    shot(page, "pwa-storage-full-360")
    assert "存储空间已满" in page.inner_text("#save-error")
    page.click("[data-nav='1']")
    # Then the app stays on the item, showing the unsaved note, and the saved answer is still there
    assert "第 1 / 16 项" in page.inner_text(".ititle")
    [d] = store(page, "drafts")
    assert d["answers"]["license.have"]["note"] == "已保存的说明"
    # When space is freed and the inspector taps 重试保存, the note is kept and 下一步 works
    page.evaluate("window.__diskFull = false")
    page.click("#save-retry")
    page.wait_for_selector("#save-error[hidden]", state="attached")
    assert store(page, "drafts")[0]["answers"]["license.have"]["note"].startswith("已保存的说明，再加一大段")
    page.click("[data-nav='1']")
    page.wait_for_function("document.querySelector('.ititle small').textContent.includes('第 2 /')")
    ctx.close()


def test_an_outdated_window_is_blocked_with_a_reload_button(browser, live_server, field, monkeypatch, tmp_path):
    import server.pwa
    ctx = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN", bypass_csp=True)
    first = ctx.new_page()
    login(first, live_server)
    wait_controlled(first)
    second = ctx.new_page()
    second.goto(live_server + "/app/#/tasks")
    wait_controlled(second)
    # Given a new version deployed, accepted in the first window
    new = tmp_path / "pwa"
    shutil.copytree(server.pwa.PWA_DIR, new)
    sw = (new / "sw.js").read_text()
    (new / "sw.js").write_text(re.sub(r"const VERSION = '[^']*';", "const VERSION = 'next-test';", sw))
    monkeypatch.setattr(server.pwa, "PWA_DIR", new)
    first.evaluate("navigator.serviceWorker.getRegistration().then((r) => r.update())")
    first.wait_for_selector("#update-banner:not([hidden])", timeout=15000)
    with first.expect_navigation():
        first.click("[data-act=apply]")
    # Then the other, outdated window is blocked with the reason and a reload button, not left to ignore taps
    second.wait_for_selector("#blocker #reload", timeout=15000)
    assert "旧版本" in second.inner_text("#blocker")
    shot(second, "pwa-outdated-window-360")
    with second.expect_navigation():
        second.click("#reload")
    second.wait_for_selector("body[data-view=tasks]")
    assert second.locator("#blocker").count() == 0
    ctx.close()


def test_persistent_storage_is_asked_at_first_login_and_shown(browser, live_server, field):
    ctx = browser.new_context(viewport=PHONE, locale="zh-CN", bypass_csp=True)
    page = ctx.new_page()
    page.add_init_script("""navigator.storage.persist = () => { window.__asked = (window.__asked || 0) + 1; return Promise.resolve(true); };
      navigator.storage.persisted = () => Promise.resolve(Boolean(window.__asked));""")
    login(page, live_server)
    assert page.evaluate("window.__asked") == 1
    assert {r["key"]: r["value"] for r in store(page, "meta")}["persisted"]["ok"] is True
    page.goto(live_server + "/app/#/settings")
    page.wait_for_selector("#storage:has-text('持久保存')")
    ctx.close()


def test_limits_are_kept_on_the_phone(phone, live_server, field):
    login(phone, live_server)
    start_inspection(phone, "五云放心超市")
    phone.click("[data-r=no]")
    phone.fill("#note", "长" * 1200)
    assert len(phone.input_value("#note")) == 500 and "500/500" in phone.inner_text("#note-count")
    phone.wait_for_function("document.querySelector('#save-error').hidden")
    assert len(store(phone, "drafts")[0]["answers"]["license.have"]["note"]) == 500
