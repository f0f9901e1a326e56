// Sync: upload photos, push the outbox, pull from the cursor. Runs on open, when the network
// returns, every few minutes, and on demand; never relies on Background Sync.
// Guarantee: a change leaves the outbox only with the server's applied/duplicate for its id,
// and a photo is deleted only after the server confirmed its hash and every record using it is acknowledged.
import * as api from './api.js';
import { tx, done, all, get, put, getMeta, setMeta, describe } from './db.js';
import { draftPhotos } from './records.js';

export const events = new EventTarget();
export const status = { running: false, sending: new Set(), photosDone: 0, photosTotal: 0, error: '', lastError: null,
  // How the last try went: online | offline | unreachable | refused (the header and the sync page say it).
  connection: 'online', nextTry: null };

// After a failure the next try comes soon and later and later (5 s, 10 s, 20 s … up to 3 min), and at
// once when the network returns; a success resets it.
const BACKOFF_MS = [5000, 10000, 20000, 40000, 80000, 180000];
let failures = 0;
let retryTimer = null;

const PUSHABLE = new Set(['waiting', 'error']);
const ACKED = new Set(['sent', 'resolved']);
const PAGE = 500;
let running = null;

function emit() { events.dispatchEvent(new Event('change')); }

/** Start a sync unless one is running; resolves when it ends. */
export function syncNow() {
  if (!running) {
    const run = () => step().then((ok) => { settle(ok); return ok; })
      .finally(() => { running = null; status.running = false; status.sending.clear(); emit(); });
    running = navigator.locks ? navigator.locks.request('fangxin-sync', run) : run();
  }
  return running;
}

function settle(ok) {
  clearTimeout(retryTimer);
  if (ok) {
    failures = 0;
    status.nextTry = null;
    events.dispatchEvent(new Event('synced')); // screens showing pulled records draw them again
    return;
  }
  if (status.lastError === 'auth' || status.lastError === 'http') { status.nextTry = null; return; }
  const delay = BACKOFF_MS[Math.min(failures, BACKOFF_MS.length - 1)];
  failures += 1;
  status.nextTry = Date.now() + delay;
  retryTimer = setTimeout(() => syncNow(), delay);
}

const CONNECTION = { offline: 'offline', unreachable: 'unreachable', retry: 'refused', portal: 'refused', http: 'refused', auth: 'refused' };

async function step() {
  status.running = true;
  status.error = '';
  status.lastError = null;
  emit();
  const session = await getMeta('session');
  if (!session || !session.token || session.expired) { status.error = '请先登录'; return false; }
  try {
    await uploadPhotos();
    await pushAll();
    await settlePhotoWaits();
    await collectPhotos();
    await pullAll();
    await setMeta('last_sync', Date.now());
    status.connection = 'online';
    return true;
  } catch (err) {
    if (!(err instanceof api.ApiError)) { console.error(err); status.error = '同步出错：' + describe(err); return false; }
    status.error = err.kind === 'retry' || err.kind === 'portal' ? `服务器没有正常应答：${err.message}` : err.message;
    if (err.kind === 'auth') await setMeta('session', { ...session, expired: true });
    status.lastError = err.kind;
    status.connection = CONNECTION[err.kind] || 'refused';
    return false;
  }
}

async function pendingPhotoShas() {
  const outbox = await all('outbox');
  const shas = new Set();
  for (const c of outbox) {
    if (c.state === 'sent' || c.state === 'resolved') continue;
    for (const s of c.photos || []) shas.add(s);
  }
  return shas;
}

async function uploadPhotos() {
  const wanted = [...await pendingPhotoShas()];
  const todo = [];
  for (const sha of wanted) {
    const p = await get('photos', sha);
    if (p && !p.uploaded && p.bytes) todo.push(sha);
  }
  status.photosDone = 0;
  status.photosTotal = todo.length;
  emit();
  for (const sha of todo) {
    const p = await get('photos', sha);
    try {
      await api.putPhoto(sha, p.bytes, p.type);
      await markPhoto(sha, { uploaded: true, upload_error: '' });
    } catch (err) {
      if (err instanceof api.ApiError && err.kind === 'http') {
        await markPhoto(sha, { upload_error: err.message }); // this photo only; go on with the others
      } else {
        throw err;
      }
    }
    status.photosDone += 1;
    emit();
  }
}

function markPhoto(sha, fields) {
  return tx(['photos'], 'readwrite', async (s) => {
    const p = await done(s('photos').get(sha));
    if (p) s('photos').put({ ...p, ...fields });
  });
}

async function pushAll() {
  const refused = new Map((await all('photos')).filter((p) => !p.uploaded && p.upload_error).map((p) => [p.sha, p.upload_error]));
  let pending = (await all('outbox')).filter((c) => PUSHABLE.has(c.state))
    .sort((a, b) => a.created_at - b.created_at);
  // A record with a photo the server refused is not sent without it: the inspector retakes it first.
  const held = pending.filter((c) => (c.photos || []).some((sha) => refused.has(sha)));
  if (held.length) {
    await tx(['outbox'], 'readwrite', async (s) => {
      for (const c of held) {
        const reasons = [...new Set(c.photos.filter((sha) => refused.has(sha)).map((sha) => refused.get(sha)))];
        s('outbox').put({ ...c, state: 'invalid', message: `照片被服务器拒收：${reasons.join('；')}。请点“退回修改”删除这张照片并重新拍摄`,
          fields: { photos: reasons }, updated_at: Date.now() });
      }
    });
    pending = pending.filter((c) => !held.includes(c));
  }
  // One type per batch: a type the server does not know yet fails its batch alone.
  const byType = {};
  for (const c of pending) (byType[c.type] ||= []).push(c);
  for (const batch0 of Object.values(byType)) {
    for (let i = 0; i < batch0.length; i += 100) await pushBatch(batch0.slice(i, i + 100));
  }
}

async function pushBatch(batch) {
  for (const c of batch) status.sending.add(c.id);
  emit();
  let results;
  try {
    // Each change says when it was made on the phone: the server keeps that beside its own time.
    const me = ((await getMeta('session')) || {}).user || {};
    results = await api.push(batch.map((c) => ({ id: c.id, type: c.type, data: c.data,
      happened_at: new Date(c.created_at).toISOString(),
      ...(c.author && c.author !== me.id ? { on_behalf_of: c.author } : {}) })));
  } catch (err) {
    if (err instanceof api.ApiError && err.kind === 'http' && err.status === 422) {
      await refuseBatch(batch, err);
      return;
    }
    if (err instanceof api.ApiError && err.kind === 'http' && err.status >= 500) {
      // The batch failed as a whole: never resend it as it is. Halves, down to the one change the
      // server cannot take, which is kept as stuck (with why) while the others go through.
      if (batch.length > 1) {
        const half = Math.ceil(batch.length / 2);
        await pushBatch(batch.slice(0, half));
        await pushBatch(batch.slice(half));
      } else {
        await refuseBatch(batch, err);
      }
      return;
    }
    throw err;
  } finally {
    for (const c of batch) status.sending.delete(c.id);
  }
  const uploaded = new Set((await all('photos')).filter((p) => p.uploaded).map((p) => p.sha));
  await tx(['outbox'], 'readwrite', async (s) => {
    for (const r of results) {
      const c = await done(s('outbox').get(r.id.toLowerCase()));
      if (!c) continue;
      const next = { ...c, result: r, message: r.message || '', fields: r.fields || null, updated_at: Date.now() };
      if (r.status === 'applied' || r.status === 'duplicate') {
        const missing = (r.missing_photos || []).filter((sha) => !uploaded.has(sha));
        next.state = missing.length ? 'photos' : 'sent';
        next.missing_photos = r.missing_photos || [];
        next.acked_at = Date.now();
      } else {
        next.state = r.status; // conflict | invalid | gone: stays for the inspector to resolve
      }
      s('outbox').put(next);
    }
  });
  emit();
}

/** The whole batch was refused before anything was applied (e.g. a change type the server lacks), or the
 * server failed on this one change: it stays as stuck, with the reason, and is tried again on the next sync. */
async function refuseBatch(batch, err) {
  const perChange = (err.fields && err.fields.changes) || {};
  await tx(['outbox'], 'readwrite', async (s) => {
    batch.forEach((c, i) => {
      const f = perChange[i] || perChange[String(i)];
      const message = f ? Object.values(f).flat().join('；') : err.message;
      s('outbox').put({ ...c, state: 'error', message, updated_at: Date.now() });
    });
  });
}

/** An acknowledged inspection waiting for photos is sent once each of them is confirmed. */
async function settlePhotoWaits() {
  const uploaded = new Set((await all('photos')).filter((p) => p.uploaded).map((p) => p.sha));
  await tx(['outbox'], 'readwrite', async (s) => {
    for (const c of await done(s('outbox').index('state').getAll('photos'))) {
      const missing = (c.missing_photos || []).filter((sha) => !uploaded.has(sha));
      if (!missing.length) s('outbox').put({ ...c, state: 'sent', updated_at: Date.now() });
    }
  });
}

const STORES = { unit: 'units', template: 'templates', task: 'tasks', inspection: 'inspections', sign: 'signs' };

// The pull's record format: when it grows (2: inspections carry their content and correction state), records
// pulled before lack the new fields and nothing would send them again, so the next pull starts from 0 once.
const PULL_FORMAT = 2;

async function pullAll() {
  let cursor = await getMeta('cursor', 0);
  const format = await getMeta('pull_format', 1);
  if (format < PULL_FORMAT) cursor = 0;
  for (;;) {
    const page = await api.pull(cursor, PAGE);
    await tx(['units', 'templates', 'tasks', 'inspections', 'signs', 'meta'], 'readwrite', async (s) => {
      for (const [entity, rows] of Object.entries(page.records)) {
        const store = STORES[entity];
        if (store) for (const r of rows) s(store).put({ ...r, id: Number(r.id) });
      }
      for (const t of page.tombstones) {
        if (STORES[t.entity]) s(STORES[t.entity]).delete(Number(t.id));
      }
      s('meta').put({ key: 'cursor', value: page.cursor });
    });
    cursor = page.cursor;
    emit();
    if (!page.more) break;
  }
  if (format < PULL_FORMAT) await setMeta('pull_format', PULL_FORMAT);
}

// A photo just taken is stored a moment before the draft names it: only older orphans are removed.
const ORPHAN_AGE_MS = 10 * 60 * 1000;

/** Free the phone's storage: delete photos the server holds that no unacknowledged record or draft needs,
 *  and photos nothing refers to any more (signature strokes, a photo removed from an answer). */
async function collectPhotos() {
  const old = Date.now() - ORPHAN_AGE_MS;
  await tx(['photos', 'outbox', 'drafts'], 'readwrite', async (s) => {
    const needed = new Set();
    for (const c of await done(s('outbox').getAll())) {
      if (c.state !== 'sent' && c.state !== 'resolved') for (const sha of c.photos || []) needed.add(sha);
    }
    for (const d of await done(s('drafts').getAll())) for (const sha of draftPhotos(d)) needed.add(sha);
    for (const p of await done(s('photos').getAll())) {
      if (!needed.has(p.sha) && (p.uploaded || (p.created_at || 0) < old)) s('photos').delete(p.sha);
    }
  });
}

/** The photos some draft or unsent record needs that the server does not have yet. */
export async function photosToUpload() {
  const [photos, drafts] = await Promise.all([all('photos'), all('drafts')]);
  const wanted = await pendingPhotoShas();
  for (const d of drafts) for (const sha of draftPhotos(d)) wanted.add(sha);
  return photos.filter((p) => !p.uploaded && wanted.has(p.sha));
}

/** Count of records not yet acknowledged by the server. */
export async function unsentCount() {
  return (await all('outbox')).filter((c) => !ACKED.has(c.state)).length;
}

let timer = null;
let started = false;
/** Wire the automatic triggers (once) and sync now. */
export function start() {
  if (started) return syncNow();
  started = true;
  window.addEventListener('online', () => { failures = 0; syncNow(); });
  window.addEventListener('offline', () => { status.connection = 'offline'; emit(); });
  document.addEventListener('visibilitychange', () => { if (document.visibilityState === 'visible') syncNow(); });
  clearInterval(timer);
  timer = setInterval(() => { if (navigator.onLine !== false) syncNow(); }, 3 * 60 * 1000);
  return syncNow();
}
