// Starts the app: database, service worker, banners, routes, automatic sync.
import { getMeta, events as dbEvents, StorageError } from './db.js';
import * as router from './router.js';
import * as sync from './sync.js';
import { bridge, register, applyUpdate } from './sw-bridge.js';

const $ = (sel) => document.querySelector(sel);

function banner(id, html, show) {
  const el = document.getElementById(id);
  if (html !== null) el.innerHTML = html;
  el.hidden = !show;
}

function offerUpdate() {
  banner('update-banner', '<span>有新版本</span><button type="button" class="btn small" data-act="apply">更新</button>', true);
}

/** An outdated window must not go on writing: cover it, say why, and offer the reload that fixes it. */
function block(message) {
  if (document.getElementById('blocker')) return;
  const el = document.createElement('div');
  el.id = 'blocker';
  el.className = 'blocker';
  el.setAttribute('role', 'alertdialog');
  el.innerHTML = `<div><p><b>${message}</b></p><p class="muted">已填写的内容都已保存在本机，重新载入后接着填写。</p>
    <button type="button" class="btn primary big" id="reload">重新载入</button></div>`;
  el.querySelector('#reload').addEventListener('click', () => location.reload());
  document.body.append(el);
  el.querySelector('#reload').focus();
}

async function onApplyUpdate() {
  if (router.currentView === 'inspect' &&
      !confirm('正在检查中，已填写的内容都已保存。现在更新会重新载入，回到同一项。确定更新吗？')) return;
  applyUpdate();
}

async function showAuthState() {
  const s = await getMeta('session');
  const expired = Boolean(s && s.expired);
  banner('auth-banner', expired ? '<span>登录已失效，未发送的记录都还在本机。</span><a class="btn small" href="#/login">重新登录</a>' : null, expired);
}

// The header tells no network from an unreachable or refusing server (from the last try).
const NET = { online: '在线', offline: '离线', unreachable: '连不上服务器', refused: '服务器出错' };
function showNetwork() {
  const state = navigator.onLine === false ? 'offline' : sync.status.connection;
  $('#net').textContent = NET[state] || '在线';
  $('#net').dataset.state = state;
  $('#net').classList.toggle('off', state !== 'online');
}

/** The net under every write: a storage failure no screen caught (after its retries, see db.tx) is said in
 *  Chinese with what to do, never dropped silently. */
function reportStorage(err) {
  banner('storage-banner', '<span></span><button type="button" class="btn small" data-act="dismiss">知道了</button>', true);
  $('#storage-banner span').textContent = err.message;
}

async function main() {
  window.addEventListener('unhandledrejection', (e) => { if (e.reason instanceof StorageError) reportStorage(e.reason); });
  document.addEventListener('click', (e) => { if (e.target.closest('[data-act=dismiss]')) banner('storage-banner', null, false); });
  document.addEventListener('click', (e) => { if (e.target.closest('[data-act=apply]')) onApplyUpdate(); });
  bridge.addEventListener('update', offerUpdate);
  bridge.addEventListener('activated-elsewhere', () => block('新版本已在其他窗口启用，本窗口是旧版本，须重新载入才能继续。'));
  dbEvents.addEventListener('versionchange', () => block('本机数据已被新版本升级，本窗口是旧版本，须重新载入才能继续。'));
  window.addEventListener('online', showNetwork);
  window.addEventListener('offline', showNetwork);
  sync.events.addEventListener('change', showAuthState);
  sync.events.addEventListener('change', showNetwork);
  showNetwork();
  const session = await getMeta('session');
  if (!location.hash) {
    const last = await getMeta('last_route');
    location.replace(!session ? '#/login' : (last && last.startsWith('#/inspect/') ? last : '#/tasks'));
  } else if (!session && !location.hash.startsWith('#/login')) {
    location.replace('#/login');
  }
  await router.start();
  showAuthState();
  register().catch((err) => console.warn('service worker', err));
  if (session) sync.start();
}

main();
