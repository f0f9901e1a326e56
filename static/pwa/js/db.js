// The only module that touches IndexedDB. Stores:
//   meta        {key, value}: session, cursor, last_sync, last_route
//   units, templates, tasks, inspections, signs   records pulled from the server, by server id
//   drafts      inspections being filled in, by their client id (a UUID made here)
//   outbox      changes for the server, by change id; kept until the server acknowledged them
//   photos      {sha, type, bytes: ArrayBuffer, size, uploaded, created_at}
const NAME = 'fangxin';
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
        db.onversionchange = () => { db.close(); opening = null; };
        resolve(db);
      };
      req.onerror = () => { opening = null; reject(req.error); };
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

/** Run fn(store-getter) in one transaction; resolves with fn's result once the transaction commits. */
export async function tx(stores, mode, fn) {
  const db = await open();
  const t = db.transaction(stores, mode);
  const finished = new Promise((resolve, reject) => {
    t.oncomplete = resolve;
    t.onerror = () => reject(t.error);
    t.onabort = () => reject(t.error || new Error('transaction aborted'));
  });
  let result;
  try {
    // fn may await only IndexedDB requests of this transaction, nothing else, or it closes.
    result = await fn((name) => t.objectStore(name), t);
  } catch (err) {
    try { t.abort(); } catch (_) { /* already finished */ }
    throw err;
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
