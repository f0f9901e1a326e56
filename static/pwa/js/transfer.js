// Rescue export: the whole outbox (and drafts), photos included, as one JSON file; and its import
// on another phone. Safe to import and sync twice: the server dedupes by change id and photo hash.
import { all, get, tx, done } from './db.js';
import { sha256, storeBytes } from './photos.js';
import { photosOf } from './records.js';
import { chinaStamp } from './clock.js';

const FORMAT = 'fangxin-rescue';

function toB64(buffer) {
  const bytes = new Uint8Array(buffer);
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

function fromB64(text) {
  const s = atob(text);
  const bytes = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) bytes[i] = s.charCodeAt(i);
  return bytes.buffer;
}

/** The rescue file as a File. */
export async function exportFile() {
  const [outbox, drafts, session] = await Promise.all([all('outbox'), all('drafts'), get('meta', 'session')]);
  const changes = outbox.filter((c) => c.state !== 'sent' && c.state !== 'resolved');
  const shas = new Set(changes.flatMap((c) => c.photos || []));
  for (const d of drafts) {
    for (const a of Object.values(d.answers || {})) (a.photos || []).forEach((s) => shas.add(s));
    if (d.signature_sha256) shas.add(d.signature_sha256);
  }
  const photos = [];
  for (const sha of shas) {
    const p = await get('photos', sha);
    if (p && p.bytes) photos.push({ sha, type: p.type, b64: toB64(p.bytes) });
  }
  const user = session && session.value && session.value.user;
  const body = {
    format: FORMAT, version: 1, exported_at: new Date().toISOString(),
    user: user ? { id: user.id, username: user.username, name: user.name, station_name: user.station_name } : null,
    changes: changes.map(({ id, type, data, label, state, message, created_at, author, author_name }) =>
      ({ id, type, data, label, state, message, created_at, author: author || null, author_name: author_name || '' })),
    drafts, photos,
  };
  const stamp = chinaStamp();
  return new File([JSON.stringify(body)], `放心消费-待发送-${stamp}.json`, { type: 'application/json' });
}

/** Share the file where the phone can, else download it. */
export async function saveOrShare(file) {
  if (navigator.canShare && navigator.canShare({ files: [file] })) {
    try {
      await navigator.share({ files: [file], title: file.name });
      return 'shared';
    } catch (err) {
      if (err.name === 'AbortError') return 'cancelled';
    }
  }
  const a = document.createElement('a');
  a.href = URL.createObjectURL(file);
  a.download = file.name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 60000);
  return 'downloaded';
}

/** Import a rescue file; photos are verified against their hashes. Returns counts. */
export async function importFile(file) {
  let body;
  try { body = JSON.parse(await file.text()); } catch (_) { throw new Error('文件不是导出的记录文件'); }
  if (!body || body.format !== FORMAT || body.version !== 1 || !Array.isArray(body.changes)) throw new Error('文件格式不对');
  let photos = 0;
  for (const p of body.photos || []) {
    const bytes = fromB64(p.b64);
    if ((await sha256(bytes)) !== p.sha) throw new Error('文件里的照片已损坏（校验不符），未导入');
    await storeBytes(bytes, p.type);
    photos += 1;
  }
  const counts = await tx(['outbox', 'drafts'], 'readwrite', async (s) => {
    let changes = 0;
    let drafts = 0;
    for (const c of body.changes) {
      if (await done(s('outbox').get(c.id))) continue;
      // The records stay their inspector's: sent in that name, the importer recorded beside by the server.
      s('outbox').put({ id: c.id, type: c.type, data: c.data, label: c.label || '', photos: photosOf(c.type, c.data),
        author: c.author || (body.user ? body.user.id : null), author_name: c.author_name || (body.user ? body.user.name : ''),
        state: 'waiting', message: '从文件导入', created_at: c.created_at || Date.now(), updated_at: Date.now(), imported: true });
      changes += 1;
    }
    for (const d of body.drafts || []) {
      if (await done(s('drafts').get(d.id))) continue;
      s('drafts').put(d);
      drafts += 1;
    }
    return { changes, drafts };
  });
  return { ...counts, photos, author: body.user || null };
}
