// The 消费义工's pages (/v/): kept for offline use by the service worker (/v/sw.js); a visit's evaluation sent
// without a network is kept on the phone (IndexedDB "fangxin-volunteer", store "outbox", by the visit's id)
// and sent when the phone is online again — on the next page load or when the browser says it is online.
// The server takes a visit once: sending the same one again (same client_id) changes nothing.
const CACHE = 'fangxin-volunteer-v1';
const $ = (sel) => document.querySelector(sel);

function openDb() {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open('fangxin-volunteer', 1);
    req.onupgradeneeded = () => req.result.createObjectStore('outbox', { keyPath: 'client_id' });
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

async function store(mode, fn) {
  const db = await openDb();
  return new Promise((resolve, reject) => {
    const t = db.transaction('outbox', mode);
    const req = fn(t.objectStore('outbox'));
    let result;
    if (req) req.onsuccess = () => { result = req.result; };
    t.oncomplete = () => resolve(result);
    t.onerror = () => reject(t.error);
    t.onabort = () => reject(t.error);
  });
}
const allKept = () => store('readonly', (s) => s.getAll());
const keep = (rec) => store('readwrite', (s) => s.put(rec));
const drop = (id) => store('readwrite', (s) => s.delete(id));

function newId() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

/** Send one kept visit: 'sent', 'offline' (no answer: try again later), 'login' (the session ended: log in
 *  again, the visit stays) or 'failed' (the server refused it; its message is kept with it). */
async function send(rec) {
  const body = new FormData();
  for (const [k, v] of rec.fields) body.append(k, v);
  for (const p of rec.photos) body.append('photos', p.blob, p.name);
  let res;
  try {
    res = await fetch(rec.action, { method: 'POST', body, credentials: 'same-origin', redirect: 'manual',
                                    headers: { Accept: 'application/json' } });
  } catch (err) {
    return 'offline';
  }
  if (res.type === 'opaqueredirect' || res.status === 401) return 'login';
  if (res.ok) { await drop(rec.client_id); return 'sent'; }
  if (res.status >= 500 || res.status === 429) return 'offline';
  let message = '服务器未接受这条评价';
  try { message = (await res.json()).error.message || message; } catch (err) { /* not JSON */ }
  await keep({ ...rec, state: 'failed', message });
  return 'failed';
}

let flushing = null;
/** Send every kept visit that is waiting; resolves with how many were sent. */
function flush() {
  if (!flushing) {
    flushing = (async () => {
      let sent = 0;
      for (const rec of await allKept()) {
        if (rec.state !== 'waiting') continue;
        const r = await send(rec);
        if (r === 'sent') sent += 1;
        if (r === 'offline' || r === 'login') break;
      }
      return sent;
    })().finally(() => { flushing = null; });
  }
  return flushing;
}

function showNetwork() {
  const el = $('#net');
  if (!el) return;
  el.hidden = false;
  el.textContent = navigator.onLine ? '在线' : '离线';
  el.dataset.state = navigator.onLine ? 'online' : 'offline';
}

async function showOutbox() {
  const box = $('#outbox');
  if (!box) return;
  const kept = await allKept();
  const waiting = kept.filter((r) => r.state === 'waiting');
  const failed = kept.filter((r) => r.state === 'failed');
  const lines = [];
  if (waiting.length) lines.push(`<p><strong>${waiting.length}条暗访评价已保存在本机，联网后自动发送。</strong></p>`);
  for (const r of failed) lines.push(`<p class="error">${r.unit || ''}：未能提交（${r.message}），请联系县局。</p>`);
  box.innerHTML = lines.join('');
  box.hidden = !lines.length;
  for (const li of document.querySelectorAll('[data-assignment]')) {
    const note = li.querySelector('.pending-note');
    if (note) note.hidden = !waiting.some((r) => String(r.assignment_id) === li.dataset.assignment);
  }
}

/** Keep the volunteer's open assignments for offline use (while online). */
async function keepPages() {
  if (!('caches' in window) || !navigator.onLine) return;
  const urls = ['/v/', ...Array.from(document.querySelectorAll('[data-assignment] a'), (a) => a.getAttribute('href'))];
  const cache = await caches.open(CACHE);
  await Promise.all(urls.map((u) => fetch(u, { credentials: 'same-origin' }).then((res) => {
    if (res.ok && !res.redirected) return cache.put(u, res);
    return null;
  }).catch(() => null)));
}

function fillPlace(form) {
  const place = $('#place');
  if (!navigator.geolocation) return;
  navigator.geolocation.getCurrentPosition((pos) => {
    form.elements.lat.value = pos.coords.latitude;
    form.elements.lng.value = pos.coords.longitude;
    form.elements.accuracy_m.value = Math.round(pos.coords.accuracy);
    if (place) place.textContent = `已定位（精度约${Math.round(pos.coords.accuracy)}米），提交时一并记录时间。`;
  }, () => { if (place) place.textContent = '未能定位（可在手机设置中允许定位），仍可提交。'; },
  { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
}

function saved(form, text) {
  const box = $('#saved');
  box.innerHTML = `<p><strong>${text}</strong></p><p><a class="button" href="/v/">返回我的暗访</a></p>`;
  box.hidden = false;
  form.hidden = true;
  box.scrollIntoView();
}

async function onSubmit(e) {
  const form = e.target;
  e.preventDefault();
  if (!form.reportValidity()) return;
  if (!form.elements.client_id.value) form.elements.client_id.value = newId();
  form.elements.visited_at.value = new Date().toISOString();
  const fields = [];
  const photos = [];
  for (const [k, v] of new FormData(form).entries()) {
    if (v instanceof File) { if (v.size) photos.push({ name: v.name || 'photo.jpg', type: v.type, blob: v }); } else fields.push([k, v]);
  }
  const rec = { client_id: form.elements.client_id.value, assignment_id: form.dataset.assignment,
                action: form.action, fields, photos, state: 'waiting', saved_at: Date.now(),
                unit: document.querySelector('h1').textContent };
  try {
    await keep(rec);
  } catch (err) {
    form.submit(); // no storage on this phone: an ordinary post
    return;
  }
  const r = await send(rec);
  if (r === 'sent') saved(form, '暗访评价已提交，谢谢！');
  else if (r === 'failed') saved(form, '未能提交：服务器未接受这条评价，请联系县局。');
  else if (r === 'login') saved(form, '登录已失效：评价已保存在本机，重新登录后自动发送。');
  else saved(form, '没有网络：评价已保存在本机，联网后自动发送。');
}

async function afterFlush(sent) {
  await showOutbox();
  const form = $('form[data-offline]');
  const box = $('#saved');
  if (sent && box && !box.hidden) box.querySelector('strong').textContent = '暗访评价已提交，谢谢！';
  if (sent && !form && navigator.onLine && $('#outbox')) location.reload(); // the lists, as the server has them now
}

/** Logging out forgets the kept pages (another person may use the phone next); visits not yet sent stay
 *  kept and are sent after the volunteer logs in again. */
function forgetPagesOnLogout() {
  const form = document.querySelector('form.logout');
  if (!form || !('caches' in window)) return;
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const waiting = (await allKept().catch(() => [])).filter((r) => r.state === 'waiting').length;
    if (waiting && !confirm(`还有${waiting}条暗访评价未发送，退出后须由本人重新登录才能发送。确定退出吗？`)) return;
    await caches.delete(CACHE).catch(() => {});
    form.submit();
  });
}

async function main() {
  forgetPagesOnLogout();
  if ('serviceWorker' in navigator) navigator.serviceWorker.register('/v/sw.js', { scope: '/v/' }).catch(() => {});
  showNetwork();
  window.addEventListener('offline', showNetwork);
  window.addEventListener('online', async () => { showNetwork(); await afterFlush(await flush()); });
  const form = $('form[data-offline]');
  if (form) {
    form.addEventListener('submit', onSubmit);
    fillPlace(form);
  }
  await afterFlush(await flush());
  await keepPages();
  document.documentElement.dataset.offlineReady = '1';
}

main();
