// The only module that touches IndexedDB. Stores:
//   meta        {key, value}: session, cursor, last_sync, last_route
//   units, templates, tasks, inspections, signs   records pulled from the server, by server id
//   drafts      inspections being filled in, by their client id (a UUID made here)
//   outbox      changes for the server, by change id; kept until the server acknowledged them
//   photos      {sha, type, bytes: ArrayBuffer, size, uploaded, created_at}
const NAME = 'fangxin';
/** 'versionchange': a newer version of the app in another window took the database over. */
export const events = new EventTarget();
const VERSION = 2;

// The upgrade ladder: step N takes a database at version N to N+1. Never edit a step once shipped.
const STEPS = [
  (db) => {
    db.createObjectStore('meta', { keyPath: 'key' });
    for (const s of ['units', 'templates', 'tasks']) db.createObjectStore(s, { keyPath: 'id' });
    db.createObjectStore('inspections', { keyPath: 'id' }).createIndex('unit_id', 'unit_id');
    db.createObjectStore('drafts', { keyPath: 'id' });
    db.createObjectStore('outbox', { keyPath: 'id' }).createIndex('state', 'state');
    db.createObjectStore('photos', { keyPath: 'sha' });
  },
  (db) => {
    db.createObjectStore('signs', { keyPath: 'id' }).createIndex('unit_id', 'unit_id');
  },
];

/** A storage failure in words the inspector can act on (the browser's own messages are in English). */
export class StorageError extends Error {
  constructor(message, cause) {
    super(message);
    this.name = 'StorageError';
    this.cause = cause;
  }
}

const FULL = '手机存储空间已满，刚才的操作没有保存。请先同步（联网后在“同步”页点“立即同步”），或在“设置”里导出未发送记录，或清理手机空间（删除不用的照片、应用）后再试。';

/** The inspector's words for an error of IndexedDB, the camera or the file system. */
export function describe(err) {
  if (err instanceof StorageError) return err.message;
  const name = err && (err.name || (err.inner && err.inner.name));
  if (name === 'QuotaExceededError' || /quota/i.test(String(err && err.message))) return FULL;
  if (name === 'InvalidStateError' || name === 'TransactionInactiveError' || name === 'AbortError') {
    return '本机存储暂时不可用（可能正在更新），刚才的操作没有保存。请重新载入后再试。';
  }
  if (name === 'UnknownError' || name === 'DataError') return '本机存储出错，刚才的操作没有保存。请重启应用后再试；仍不行请在“设置”里导出记录。';
  return (err && /[\u4e00-\u9fff]/.test(err.message || '')) ? err.message : '保存失败，刚才的操作没有保存。请重试。';
}

function wrap(err) {
  return err instanceof StorageError ? err : new StorageError(describe(err), err);
}

let opening = null;

export function open() {
  if (!opening) {
    opening = new Promise((resolve, reject) => {
      const req = indexedDB.open(NAME, VERSION);
      req.onupgradeneeded = (e) => {
        for (let v = e.oldVersion; v < VERSION; v++) STEPS[v](req.result, req.transaction);
      };
      req.onsuccess = () => {
        const db = req.result;
        // A newer version of the app in another tab wants to upgrade: let it, reopen on next use.
        db.onversionchange = () => { db.close(); opening = null; events.dispatchEvent(new Event('versionchange')); };
        resolve(db);
      };
      req.onerror = () => { opening = null; reject(wrap(req.error)); };
      req.onblocked = () => console.warn('IndexedDB upgrade blocked by another tab');
    });
  }
  return opening;
}

export function done(req) {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

// A write the storage failed is tried again this many times, after these pauses (ms), before it is reported:
// a database closed by an update in another window, a transaction aborted under memory pressure or an
// UnknownError of the disk layer often pass in a moment. A full disk does not: it is reported at once.
export const RETRY_DELAYS_MS = [100, 300, 900];

function transient(err) {
  if (!(err instanceof StorageError)) return false; // the caller's own refusal (DraftTaken …): not retried
  const name = err.cause && (err.cause.name || (err.cause.inner && err.cause.inner.name));
  return name !== 'QuotaExceededError' && !/quota/i.test(String(err.cause && err.cause.message));
}

/** Run fn(store-getter) in one transaction; resolves with fn's result once the transaction commits.
 *  A failed write transaction is run again (fn too, so fn must only read and write within it) after each of
 *  RETRY_DELAYS_MS; then it rejects with a StorageError in Chinese (a full disk, a closed database), never
 *  silently. Reads are not retried (the screen reads again). */
export async function tx(stores, mode, fn) {
  if (mode !== 'readwrite') return once(stores, mode, fn);
  for (let attempt = 0; ; attempt++) {
    try {
      return await once(stores, mode, fn);
    } catch (err) {
      if (attempt >= RETRY_DELAYS_MS.length || !transient(err)) throw err;
      if ((err.cause && err.cause.name) === 'InvalidStateError') opening = null; // a closed connection: open afresh
      await new Promise((r) => setTimeout(r, RETRY_DELAYS_MS[attempt]));
    }
  }
}

async function once(stores, mode, fn) {
  const db = await open();
  let t;
  try { t = db.transaction(stores, mode); } catch (err) { opening = null; throw wrap(err); }
  const finished = new Promise((resolve, reject) => {
    t.oncomplete = resolve;
    t.onerror = () => reject(wrap(t.error));
    t.onabort = () => reject(wrap(t.error || { name: 'AbortError' }));
  });
  finished.catch(() => {}); // handled below; a failure of fn must not also be an unhandled rejection
  let result;
  try {
    // fn may await only IndexedDB requests of this transaction, nothing else, or it closes.
    result = await fn((name) => t.objectStore(name), t);
  } catch (err) {
    try { t.abort(); } catch (_) { /* already finished */ }
    throw err instanceof DOMException ? wrap(err) : err;
  }
  await finished;
  return result;
}

export const get = (store, key) => tx([store], 'readonly', (s) => done(s(store).get(key)));
export const all = (store) => tx([store], 'readonly', (s) => done(s(store).getAll()));
export const put = (store, value) => tx([store], 'readwrite', (s) => done(s(store).put(value)));
export const del = (store, key) => tx([store], 'readwrite', (s) => done(s(store).delete(key)));
export const count = (store) => tx([store], 'readonly', (s) => done(s(store).count()));
export const byIndex = (store, index, value) =>
  tx([store], 'readonly', (s) => done(s(store).index(index).getAll(value)));

export async function getMeta(key, fallback = null) {
  const row = await get('meta', key);
  return row ? row.value : fallback;
}

export const setMeta = (key, value) => put('meta', { key, value });

/** Forget everything pulled from the server (another user logs in); never the outbox, drafts or photos. */
export function clearPulled() {
  const stores = ['units', 'templates', 'tasks', 'inspections', 'signs', 'meta'];
  return tx(stores, 'readwrite', async (s) => {
    for (const name of stores.slice(0, 5)) s(name).clear();
    s('meta').delete('cursor');
    s('meta').delete('last_sync');
  });
}
