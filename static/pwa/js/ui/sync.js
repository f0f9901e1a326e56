// The sync screen: the state of every record, upload progress, a sync button, the last good sync.
import { all, get, put, tx, done, getMeta, describe } from '../db.js';
import { esc, STATES, CHANGE_TYPES, BUSINESS, fmtTime, fmtBytes } from '../labels.js';
import { queue, reopenInvalid } from '../records.js';
import { go } from '../router.js';
import * as sync from '../sync.js';

const FIELD = { address: '地址', contact_phone: '联系电话', business_status: '经营状态', lat: '纬度', lng: '经度' };
const show = (f, v) => esc(f === 'business_status' ? (BUSINESS[v] || v) : v ?? '—');

function conflictTable(c) {
  const server = c.result.record || {};
  const mine = server.mine || c.data.changes;
  const fields = server.conflicts || Object.keys(mine); // only the fields both sides changed
  return `<table class="cmp"><tr><th></th><th>服务器上</th><th>我的修改</th></tr>${fields.map((f) =>
    `<tr><th>${FIELD[f] || esc(f)}</th><td>${show(f, server[f])}</td><td>${show(f, mine[f])}</td></tr>`).join('')}</table>
    <div class="actions two"><button type="button" class="btn" data-keep="server" data-id="${c.id}">用服务器的</button>
    <button type="button" class="btn primary" data-keep="mine" data-id="${c.id}">用我的修改</button></div>`;
}

/** The server's per-field messages, each answer's named by its item: "第3项（明码标价）：不能超过500个字". */
function fieldErrors(fields, message, items = []) {
  if (!fields) return '';
  const flat = [];
  const where = (path) => {
    const n = path[0] === 'answers' && /^\d+$/.test(path[1] || '') ? Number(path[1]) : null;
    if (n === null) return '';
    const item = items[n];
    return `第${n + 1}项${item ? `（${item.text}）` : ''}：`;
  };
  const walk = (v, path) => {
    if (Array.isArray(v)) v.forEach((x) => walk(x, path));
    else if (v && typeof v === 'object') Object.entries(v).forEach(([k, x]) => walk(x, [...path, k]));
    else flat.push(where(path) + String(v));
  };
  walk(fields, []);
  const shown = [...new Set(flat)].filter((m) => m !== message);
  return shown.length ? `<ul class="errs">${shown.slice(0, 6).map((m) => `<li>${esc(m)}</li>`).join('')}</ul>` : '';
}

function row(c, templates = new Map(), refused = new Map()) {
  const state = sync.status.sending.has(c.id) ? 'sending' : c.state;
  const bad = ['conflict', 'invalid', 'gone', 'error'].includes(state);
  return `<li class="rec ${esc(state)}" data-rec="${c.id}">
    <div><b>${esc(c.label || '')}</b> <span class="tag st-${esc(state)}">${esc(STATES[state] || state)}</span></div>
    <small>${esc(CHANGE_TYPES[c.type] || c.type)} · ${fmtTime(c.created_at)}${(c.photos || []).length ? ` · 照片${c.photos.length}张` : ''}</small>
    ${c.message && state !== 'sent' ? `<p class="${bad ? 'error' : 'muted'}">${esc(c.message)}</p>` : ''}
    ${bad ? fieldErrors(c.fields, c.message, (templates.get(c.data && c.data.template_version_id) || {}).items) : ''}
    ${state === 'photos' ? photosWaiting(c, refused) : ''}
    ${state === 'conflict' && c.type === 'unit_edit' && c.result && c.result.record ? conflictTable(c) : ''}
    ${state === 'invalid' && c.type === 'inspection' ? `<button type="button" class="btn small" data-reopen="${c.id}">退回修改</button>` : ''}
    ${['invalid', 'gone', 'error'].includes(state) ? `<button type="button" class="btn small" data-retry="${c.id}">重试</button>` : ''}
  </li>`;
}

function photosWaiting(c, refused) {
  const missing = c.missing_photos || [];
  const reasons = [...new Set(missing.filter((sha) => refused.has(sha)).map((sha) => refused.get(sha)))];
  const waiting = missing.filter((sha) => !refused.has(sha)).length;
  return `${waiting ? `<p class="muted">记录已到服务器，照片还在上传（${waiting}张）</p>` : ''}
    ${reasons.length ? `<p class="error">照片被服务器拒收：${reasons.map(esc).join('；')}。记录已到服务器但缺这张照片，请重新检查该单位时补拍。</p>` : ''}`;
}

async function resolve(id, keep) {
  const c = await get('outbox', id);
  const server = c.result.record;
  if (keep === 'mine') {
    const changes = server.mine || c.data.changes;
    const seen = Object.fromEntries(Object.keys(changes).map((f) => [f, server[f] ?? null]));
    await queue('unit_edit', { unit_id: c.data.unit_id, base_version: server.version, changes, base: seen, note: c.data.note }, c.label);
  } else {
    const local = await get('units', c.data.unit_id);
    const { mine, type, ...fields } = server;
    if (local) await put('units', { ...local, ...fields, id: local.id });
  }
  await put('outbox', { ...c, state: 'resolved', message: keep === 'mine' ? '已按我的修改重新提交' : '已采用服务器的内容', updated_at: Date.now() });
  sync.syncNow();
}

export async function render(outer) {
  outer.innerHTML = '<div></div>';
  const main = outer.firstElementChild; // listeners die with this element, not with <main>
  const draw = async () => {
    const [outbox, drafts, last, session, waitingPhotos, tpls] = await Promise.all([all('outbox'), all('drafts'), getMeta('last_sync'), getMeta('session'), sync.photosToUpload(), all('templates')]);
    const templates = new Map(tpls.map((t) => [t.id, t]));
    const refused = new Map(waitingPhotos.filter((p) => p.upload_error).map((p) => [p.sha, p.upload_error]));
    const draw1 = (c) => row(c, templates, refused);
    const open = outbox.filter((c) => !['sent', 'resolved'].includes(c.state)).sort((a, b) => b.created_at - a.created_at);
    const doneList = outbox.filter((c) => ['sent', 'resolved'].includes(c.state)).sort((a, b) => b.updated_at - a.updated_at).slice(0, 20);
    const st = sync.status;
    main.innerHTML = `
      <section class="pad">
        <h1>同步</h1>
        <p>上次成功同步：<b id="last-sync">${fmtTime(last)}</b></p>
        ${session && session.expired ? '<p class="note warn">登录已失效，记录都保留在本机。<a href="#/login">重新登录</a>后自动发送。</p>' : ''}
        ${st.error ? `<p class="error" id="sync-error">${esc(st.error)}</p>` : ''}
        ${st.nextTry && !st.running ? `<p class="muted" id="next-try">${Math.max(1, Math.round((st.nextTry - Date.now()) / 1000))} 秒后自动重试${navigator.onLine === false ? '（联网后立即重试）' : ''}</p>` : ''}
        ${st.running && st.photosTotal ? `<p>正在上传照片 ${st.photosDone}/${st.photosTotal}</p><div class="progress"><i style="width:${Math.round(100 * st.photosDone / st.photosTotal)}%"></i></div>` : ''}
        <button type="button" class="btn primary big" id="sync-now" ${st.running ? 'disabled' : ''}>${st.running ? '正在同步…' : '立即同步'}</button>
        <p class="muted">待发送 ${open.length} 条 · 待上传照片 ${waitingPhotos.length} 张（${fmtBytes(waitingPhotos.reduce((n, p) => n + p.size, 0))}）</p>
        ${drafts.length ? `<h2>草稿</h2><ul class="list plain">${drafts.map((d) => `<li class="rec draft"><a href="#/inspect/${d.id}"><b>${esc(d.unit_name)}</b></a>
          <span class="tag">${STATES.draft}</span><small>未提交，不会发送 · ${fmtTime(d.updated_at)}</small></li>`).join('')}</ul>` : ''}
        <h2>待发送与有问题的记录</h2>
        ${open.length ? `<ul class="list plain" id="outbox">${open.map(draw1).join('')}</ul>` : '<p class="muted" id="outbox-empty">全部已发送</p>'}
        ${doneList.length ? `<h2>最近已发送</h2><ul class="list plain" id="sent">${doneList.map(draw1).join('')}</ul>` : ''}
      </section>`;
  };
  main.addEventListener('click', (e) => act(e.target).catch((err) => alert(describe(err))));
  async function act(t) {
    if (t.id === 'sync-now') { sync.syncNow(); return; }
    if (t.dataset.keep) await resolve(t.dataset.id, t.dataset.keep);
    if (t.dataset.retry) {
      await tx(['outbox'], 'readwrite', async (s) => {
        const c = await done(s('outbox').get(t.dataset.retry));
        if (c) s('outbox').put({ ...c, state: 'waiting', updated_at: Date.now() });
      });
      sync.syncNow();
    }
    if (t.dataset.reopen) {
      const c = await get('outbox', t.dataset.reopen);
      const tpl = await get('templates', c.data.template_version_id);
      const d = await reopenInvalid(c, tpl ? tpl.items.length + 3 : 0);
      go(`#/inspect/${d.id}`);
      return;
    }
    draw();
  }
  await draw();
  const onSync = () => draw();
  sync.events.addEventListener('change', onSync);
  return () => sync.events.removeEventListener('change', onSync);
}
