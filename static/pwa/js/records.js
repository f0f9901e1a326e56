// Local records: drafts of inspections, changes waiting in the outbox, and what the screens read.
import { tx, done, get, all, put, byIndex } from './db.js';
import { chinaYear } from './clock.js';
import { sha256 } from './photos.js';

export function uuid() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** The checklist for a unit: the latest pulled version of the template the server names for it
 *  (its industry's, its type's or the base), else by type as a fallback for older pulls. */
export async function templateFor(unit) {
  const versions = await all('templates');
  const latest = (keep) => versions.filter(keep).sort((a, b) => (b.number - a.number) || (b.id - a.id))[0];
  if (unit.checklist_template_id) {
    const named = latest((v) => v.template_id === unit.checklist_template_id);
    if (named) return named;
  }
  return latest((v) => !v.industry && (v.unit_type ?? null) === unit.type)
    || latest((v) => !v.industry && (v.unit_type ?? null) === null) || null;
}

/** The year a unit is worked on: this year, else the latest year it has a stage (before a new year's plan). */
export function yearOf(unit) {
  const thisYear = chinaYear();
  const years = Object.keys(unit.stages || {}).sort();
  return years.includes(thisYear) || !years.length ? thisYear : years[years.length - 1];
}

/** The unit with the edits still waiting in the outbox laid over it. */
export async function unitView(id) {
  const unit = await get('units', Number(id));
  if (!unit) return null;
  const pending = (await all('outbox')).filter((c) => c.type === 'unit_edit' && c.data.unit_id === unit.id
    && !['sent', 'resolved'].includes(c.state));
  const view = { ...unit, pending };
  for (const c of pending.sort((a, b) => a.created_at - b.created_at)) Object.assign(view, c.data.changes);
  return view;
}

/** The unit's sign in force in a year, as the phone last heard of it (or undefined). */
export async function signInForce(unitId, year) {
  return (await byIndex('signs', 'unit_id', Number(unitId))).find((x) => String(x.year) === String(year) && x.status === 'issued');
}

export function draftsFor(unitId) {
  return all('drafts').then((ds) => ds.filter((d) => d.unit_id === Number(unitId)));
}

/** A new inspection of the unit; `year`: the programme year it counts for when there is no task (null: the
 *  server's default, the current programme year). */
export async function newDraft(unit, template, { taskId = null, kind = 'service_visit', year = null } = {}) {
  const draft = {
    id: uuid(), unit_id: unit.id, unit_name: unit.name, task_id: taskId, kind, year: taskId ? null : year,
    template_version_id: template.id, started_at: new Date().toISOString(), step: 0,
    answers: {}, gps: null, gps_missing_reason: '', signature_sha256: null, signer_name: '',
    conclusion: null, summary: '', rectifications: [], photos: [], updated_at: Date.now(),
  };
  await put('drafts', draft);
  return draft;
}

/** The draft was submitted, discarded or changed in another window: this window must not write it. */
export class DraftTaken extends Error {}

const saving = new Map(); // draft id → the last save in flight in this window: saves go in order

/** A correction of a submitted inspection of one's own (issue 18, item 4): a new draft copying the record as
 *  the server holds it, to be changed and submitted as a new record superseding it. The owner's signature is
 *  kept only while the copied content is exactly what it covers (checked against its hash); any change then
 *  clears it and the owner is asked again, as for any draft. */
export async function correctionDraft(original, unit, template) {
  const answers = {};
  for (const a of original.answers || []) answers[a.item_code] = { result: a.result, note: a.note || '', photos: a.photos || [] };
  const draft = {
    id: uuid(), unit_id: original.unit_id, unit_name: unit.name, task_id: original.task_id, kind: original.kind,
    template_version_id: original.template_version_id, started_at: original.started_at, ended_at: original.ended_at,
    year: original.year, step: template.items.length + 3, answers,
    gps: original.lat == null ? null : { lat: original.lat, lng: original.lng, accuracy_m: original.accuracy_m },
    gps_missing_reason: original.gps_missing_reason || '', signature_sha256: null, signer_name: original.signer_name || '',
    conclusion: original.conclusion, summary: original.summary || '',
    rectifications: (original.rectifications || []).map((r) => ({ item_code: r.item_code, demand: r.demand, due_date: r.due_date })),
    photos: original.photos || [], supersedes: original.client_id, supersedes_at: original.started_at,
    correction_reason: '', updated_at: Date.now(),
  };
  const content = signedContent(inspectionBody(draft, template));
  if (original.signature_sha256 && original.signed_hash
      && (await sha256(new TextEncoder().encode(content))) === original.signed_hash) {
    Object.assign(draft, { signature_sha256: original.signature_sha256, signed_content: content,
      signed_hash: original.signed_hash, signed_at: original.signed_at });
  }
  await put('drafts', draft);
  return draft;
}

/** Save a draft over the stored one only if that is the revision this window last read or wrote, so an
 *  outdated window (another tab, another app window) can never overwrite newer answers or bring back a
 *  submitted draft. Rejects with DraftTaken, or a StorageError in Chinese. */
export function saveDraft(draft) {
  const run = () => tx(['drafts'], 'readwrite', async (s) => {
    const stored = await done(s('drafts').get(draft.id));
    if (!stored) throw new DraftTaken('这次检查已在其他窗口提交或放弃，本窗口的修改没有保存。');
    if ((stored.rev || 0) !== (draft.rev || 0)) throw new DraftTaken('这次检查已在其他窗口改动过，本窗口的内容已过时，没有保存。请重新打开。');
    const next = { ...draft, rev: (draft.rev || 0) + 1, updated_at: Date.now() };
    s('drafts').put(next);
    return next.rev;
  }).then((rev) => { draft.rev = rev; });
  const p = (saving.get(draft.id) || Promise.resolve()).catch(() => {}).then(run);
  saving.set(draft.id, p);
  return p;
}

/** Throw a draft away (after the inspector confirmed); its photos go with the next clean-up. */
export function discardDraft(id) {
  return tx(['drafts'], 'readwrite', async (s) => { s('drafts').delete(id); });
}

/** Every photo an inspection refers to, its signature included. */
export function photosOf(type, data) {
  if (type === 'inspection') {
    const shas = [...(data.photos || [])];
    for (const a of data.answers || []) shas.push(...(a.photos || []));
    if (data.signature_sha256) shas.push(data.signature_sha256);
    return [...new Set(shas)];
  }
  if (type === 'sign_posted') return data.photo_sha256 ? [data.photo_sha256] : [];
  return [];
}

/** The body the server expects for a finished draft. */
export function inspectionBody(draft, template) {
  return {
    client_id: draft.id, unit_id: draft.unit_id, task_id: draft.task_id, template_version_id: template.id,
    kind: draft.kind, year: draft.task_id ? null : (draft.year || null),
    started_at: draft.started_at, ended_at: new Date().toISOString(),
    lat: draft.gps ? draft.gps.lat : null, lng: draft.gps ? draft.gps.lng : null,
    accuracy_m: draft.gps ? draft.gps.accuracy_m : null,
    gps_missing_reason: draft.gps ? null : draft.gps_missing_reason.trim(),
    answers: template.items.map((i) => {
      const a = draft.answers[i.code] || {};
      return { item_code: i.code, result: a.result, note: (a.note || '').trim(), photos: a.photos || [] };
    }),
    conclusion: draft.conclusion, summary: draft.summary.trim(),
    rectifications: draft.conclusion === 'pass' ? [] : draft.rectifications
      .filter((r) => r.demand.trim()).map((r) => ({ item_code: r.item_code || null, demand: r.demand.trim(), due_date: r.due_date })),
    signature_sha256: draft.signature_sha256, signer_name: draft.signer_name.trim(), photos: draft.photos,
    signed_hash: draft.signed_hash || null, signed_at: draft.signed_at || null,
    // A correction: the visit's own end and year, the record it supersedes and why.
    ...(draft.supersedes ? { ended_at: draft.ended_at || new Date().toISOString(), year: draft.year ?? null,
      supersedes: draft.supersedes, correction_reason: (draft.correction_reason || '').trim() } : {}),
  };
}

/** What the owner signs, in the canonical form the server checks (server/inspection/signing.py, format 1):
 *  the conclusion, every answer with its note, the summary, the demands and the signer's name. */
export function signedContent(body) {
  return JSON.stringify([1, body.unit_id, body.conclusion,
    body.answers.map((a) => [a.item_code, a.result, a.note || '']), body.summary || '',
    body.rectifications.map((r) => [r.item_code || null, r.demand, r.due_date]), body.signer_name || '']);
}

/** A signature stays only while the content it covers is unchanged: any later change clears it and the
 *  owner is asked again. Returns true when it cleared one. Synchronous, so every save checks it. */
export function dropStaleSignature(draft, template) {
  if (!draft.signature_sha256 || !draft.signed_content) return false;
  if (signedContent(inspectionBody(draft, template)) === draft.signed_content) return false;
  Object.assign(draft, { signature_sha256: null, signed_content: null, signed_hash: null, signed_at: null,
    signature_cleared: true });
  return true;
}

function entry(id, type, data, label) {
  const now = Date.now();
  return { id, type, data, label, photos: photosOf(type, data), state: 'waiting', message: '',
    created_at: now, updated_at: now };
}

/** Move a finished draft to the outbox in one transaction: it is never in neither. */
export async function submitDraft(draft, template) {
  await (saving.get(draft.id) || Promise.resolve()).catch(() => {});
  const change = entry(draft.id, 'inspection', inspectionBody(draft, template), draft.unit_name);
  return tx(['drafts', 'outbox'], 'readwrite', async (s) => {
    const stored = await done(s('drafts').get(draft.id));
    if (!stored || (stored.rev || 0) !== (draft.rev || 0)) {
      throw new DraftTaken(stored ? '这次检查已在其他窗口改动过，本窗口的内容已过时。请重新打开。' : '这次检查已在其他窗口提交或放弃。');
    }
    s('outbox').put(change);
    s('drafts').delete(draft.id);
    return change;
  });
}

/** Put a change in the outbox. */
export async function queue(type, data, label) {
  const change = entry(uuid(), type, data, label);
  await put('outbox', change);
  return change;
}

/** An inspection refused as invalid goes back to the drafts to be corrected; nothing was stored. */
export async function reopenInvalid(change, templateItems) {
  const d = change.data;
  // A signature the server refused (not covering the content, or too little ink) is cleared and asked again;
  // any other keeps covering what was sent, and is cleared by the first change, as in any draft.
  const badSignature = Boolean(change.fields && (change.fields.signed_hash || change.fields.signature_sha256));
  const answers = {};
  for (const a of d.answers) answers[a.item_code] = { result: a.result, note: a.note, photos: a.photos };
  const draft = {
    id: change.id, unit_id: d.unit_id, unit_name: change.label, task_id: d.task_id, kind: d.kind, year: d.year ?? null,
    template_version_id: d.template_version_id, started_at: d.started_at, step: templateItems,
    answers, gps: d.lat == null ? null : { lat: d.lat, lng: d.lng, accuracy_m: d.accuracy_m },
    gps_missing_reason: d.gps_missing_reason || '', signature_sha256: d.signature_sha256,
    signer_name: d.signer_name, conclusion: d.conclusion, summary: d.summary,
    rectifications: d.rectifications, photos: d.photos, updated_at: Date.now(),
    ...(d.supersedes ? { supersedes: d.supersedes, correction_reason: d.correction_reason || '', ended_at: d.ended_at,
      year: d.year } : {}),
    ...(badSignature || !d.signed_hash
      ? { signature_sha256: null, signed_hash: null, signed_at: null, signed_content: null, signature_cleared: true }
      : { signed_hash: d.signed_hash, signed_at: d.signed_at, signed_content: signedContent(d) }),
  };
  return tx(['drafts', 'outbox'], 'readwrite', async (s) => {
    s('drafts').put(draft);
    s('outbox').delete(change.id);
    return draft;
  });
}

/** Inspections of a unit: pulled ones and those still on the phone, newest first. */
export async function inspectionsOf(unitId) {
  unitId = Number(unitId);
  const pulled = await byIndex('inspections', 'unit_id', unitId);
  const known = new Set(pulled.map((i) => i.client_id));
  const local = (await all('outbox')).filter((c) => c.type === 'inspection' && c.data.unit_id === unitId
    && !known.has(c.id)).map((c) => ({ client_id: c.id, kind: c.data.kind, conclusion: c.data.conclusion,
    started_at: c.data.started_at, rectifications: c.data.rectifications.map((r) => ({ ...r, status: 'open' })),
    supersedes_client_id: c.data.supersedes || null, correction_reason: c.data.correction_reason || '',
    local: c.state }));
  return [...local, ...pulled].sort((a, b) => String(b.started_at).localeCompare(String(a.started_at)));
}

/** Delete a photo nothing refers to any more (a replaced signature) unless the server already has it. */
export function forgetPhoto(sha) {
  return tx(['photos', 'drafts', 'outbox'], 'readwrite', async (s) => {
    const used = (await done(s('drafts').getAll())).some((d) => draftPhotos(d).includes(sha))
      || (await done(s('outbox').getAll())).some((c) => (c.photos || []).includes(sha));
    if (!used) s('photos').delete(sha);
  });
}

/** Every photo a draft refers to: answers', its own, its signature, a sign photo. */
export function draftPhotos(d) {
  const shas = [];
  for (const a of Object.values(d.answers || {})) shas.push(...(a.photos || []));
  for (const sha of [...(d.photos || []), d.signature_sha256, d.sign_photo]) if (sha) shas.push(sha);
  return shas;
}

export const outboxStates = (state) => byIndex('outbox', 'state', state);
export { done };
