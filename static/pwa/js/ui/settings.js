// Settings: who is logged in, storage, install hint, rescue export/import, app version, log out.
import { getMeta, count } from '../db.js';
import { esc, fmtBytes } from '../labels.js';
import { logout } from '../session.js';
import { exportFile, saveOrShare, importFile } from '../transfer.js';
import { go } from '../router.js';
import * as sync from '../sync.js';
import { checkForUpdate, updateWaiting } from '../sw-bridge.js';

const isIOS = () => /iPhone|iPad|iPod/.test(navigator.userAgent) || (navigator.platform === 'MacIntel' && navigator.maxTouchPoints > 1);
const installed = () => navigator.standalone === true || matchMedia('(display-mode: standalone)').matches;

async function storageText() {
  if (!navigator.storage || !navigator.storage.estimate) return '本浏览器无法查看';
  const { usage, quota } = await navigator.storage.estimate();
  const persisted = navigator.storage.persisted ? await navigator.storage.persisted() : false;
  return `已用 ${fmtBytes(usage)} / 可用 ${fmtBytes(quota)} · ${persisted ? '已设为持久保存' : '未设为持久保存（空间不足时浏览器可能清除）'}`;
}

export async function render(outer) {
  outer.innerHTML = '<div></div>';
  const main = outer.firstElementChild;
  const [session, unsent, units] = await Promise.all([getMeta('session'), sync.unsentCount(), count('units')]);
  const user = session && session.user;
  main.innerHTML = `
    <section class="pad">
      <h1>设置</h1>
      ${user ? `<p><b>${esc(user.name)}</b>（${esc(user.username)}）<br><small class="muted">${esc(user.station_name || '')} · 本机有单位 ${units} 家</small></p>` : '<p><a class="btn" href="#/login">登录</a></p>'}
      ${isIOS() && !installed() ? `<div class="note warn" id="ios-hint"><b>请添加到主屏幕</b><br>在 Safari 中点底部“分享”按钮 → “添加到主屏幕”。不添加的话，iPhone 可能在几天后清除本机保存的记录和照片。</div>` : ''}
      <h2>本机存储</h2>
      <p id="storage">正在计算…</p>
      <button type="button" class="btn" id="persist">申请持久保存</button>
      <h2>导出与导入</h2>
      <p class="muted">手机坏了或无法同步时：把未发送的记录（含照片）导出成一个文件，发给所里或在另一台手机上导入。重复导入、重复同步都不会产生重复记录。</p>
      <button type="button" class="btn" id="export">导出未发送记录（${unsent}条）</button>
      <label class="btn">导入记录文件<input type="file" id="import" accept="application/json,.json" hidden></label>
      <p id="transfer-result" role="status"></p>
      <h2>版本</h2>
      <p class="muted" id="version">现场App</p>
      <button type="button" class="btn" id="check-update">检查更新</button>
      ${user ? '<h2>账号</h2><button type="button" class="btn" id="logout">退出登录</button>' : ''}
      <p class="error" id="err" role="alert"></p>
    </section>`;
  const out = main.querySelector('#transfer-result');
  const err = main.querySelector('#err');
  storageText().then((t) => { main.querySelector('#storage').textContent = t; });
  main.addEventListener('click', async (e) => {
    const id = e.target.id;
    try {
      if (id === 'persist') {
        const ok = navigator.storage && navigator.storage.persist ? await navigator.storage.persist() : false;
        main.querySelector('#storage').textContent = (ok ? '已获准持久保存。' : '浏览器未同意（安装到主屏幕后更容易获准）。') + await storageText();
      } else if (id === 'export') {
        const file = await exportFile();
        const how = await saveOrShare(file);
        out.textContent = how === 'cancelled' ? '已取消' : `已导出 ${file.name}（${fmtBytes(file.size)}）`;
      } else if (id === 'check-update') {
        await checkForUpdate();
        out.textContent = updateWaiting() ? '有新版本，见页面顶部' : '已是最新版本';
      } else if (id === 'logout') {
        if (!confirm('确定退出登录？')) return;
        await logout();
        go('#/login');
      }
    } catch (ex) {
      err.textContent = ex.message;
    }
  });
  main.querySelector('#import').addEventListener('change', async (e) => {
    const file = e.target.files[0];
    e.target.value = '';
    if (!file) return;
    try {
      const n = await importFile(file);
      const mine = !n.author || !user || n.author.id === user.id;
      out.textContent = `已导入 ${n.changes} 条记录、${n.drafts} 份草稿、${n.photos} 张照片，联网后自动发送`
        + (mine ? '' : `。这些是${n.author.name || n.author.username}的记录，以其名义发送，您记为导入人`);
      sync.syncNow();
    } catch (ex) {
      err.textContent = ex.message;
    }
  });
  if (navigator.serviceWorker && navigator.serviceWorker.controller) {
    navigator.serviceWorker.addEventListener('message', (m) => {
      if (m.data && m.data.type === 'VERSION') main.querySelector('#version').textContent = `现场App ${m.data.version}`;
    }, { once: true });
    navigator.serviceWorker.controller.postMessage({ type: 'VERSION' });
  }
}
