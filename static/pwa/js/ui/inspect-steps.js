// The steps of an inspection: checklist items and the location. Each touch saves the draft.
import { esc, RESULTS } from '../labels.js';
import { storePhoto, photoUrl } from '../photos.js';
import { describe, get } from '../db.js';
import { finishStep, problems } from './inspect-finish.js';

export { problems };

/** Draw step `step` of the inspection into `el`. */
export function steps(ctx, step, el) {
  if (step < ctx.items.length) return itemStep(ctx, ctx.items[step], el);
  if (step === ctx.items.length) return gpsStep(ctx, el);
  return finishStep(ctx, step - ctx.items.length - 1, el);
}

/** Thumbnails of stored photos; object URLs live only while the step is shown. */
export async function thumbs(ctx, shas, box, onRemove) {
  box.innerHTML = '';
  for (const sha of shas) {
    const url = await photoUrl(sha);
    const fig = document.createElement('figure');
    if (!url) { // already on the server, no copy on this phone (a correction of a record sent before)
      fig.innerHTML = '<span class="remote">照片已上传<br>本机无副本</span><button type="button" class="x" aria-label="移除照片">×</button>';
      fig.querySelector('button').addEventListener('click', () => onRemove(sha));
      box.append(fig);
      continue;
    }
    ctx.onCleanup(() => URL.revokeObjectURL(url));
    const stored = await get('photos', sha);
    const refused = stored && !stored.uploaded && stored.upload_error;
    fig.innerHTML = `<img src="${url}" alt="照片"><button type="button" class="x" aria-label="移除照片">×</button>
      ${refused ? `<figcaption class="error">被拒收：${esc(refused)}，请删除后重拍</figcaption>` : ''}`;
    fig.querySelector('button').addEventListener('click', () => onRemove(sha));
    box.append(fig);
  }
}

/** A camera button that stores scaled photos and hands their hashes to onAdd. */
export function cameraInput(label, onAdd) {
  const wrap = document.createElement('label');
  wrap.className = 'btn camera';
  // An inline icon, not an emoji: some phones and WebViews have no emoji font.
  wrap.innerHTML = `<svg aria-hidden="true" width="22" height="22" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2"><path d="M4 8h3l2-3h6l2 3h3v11H4z"/><circle cx="12" cy="13" r="3.5"/></svg> ${esc(label)}<input type="file" accept="image/*" capture="environment" multiple hidden>`;
  const input = wrap.querySelector('input');
  input.addEventListener('change', async () => {
    const files = [...input.files];
    input.value = '';
    wrap.classList.add('busy');
    try {
      for (const f of files) onAdd((await storePhoto(f)).sha);
    } catch (err) {
      alert('照片没有保存：' + describe(err));
    } finally {
      wrap.classList.remove('busy');
    }
  });
  return wrap;
}

/** Where the item belongs, in words (its code is for the records, not the inspector). A base item's code
 *  is its pair's code and .have or .have_not (server/checklist/service.py, base_items). */
function groupLabel(item) {
  if (item.group !== 'base') return '行业项目';
  return item.code.endsWith('.have_not') ? '八有八无 · 八无' : '八有八无 · 八有';
}

// The server's limits (schemas/inspection.py), enforced here before sync, where the inspector can act.
export const NOTE_MAX = 500;
const PHOTOS_MAX = 10;

function itemStep(ctx, item, el) {
  const { draft } = ctx;
  const a = draft.answers[item.code] || (draft.answers[item.code] = { result: null, note: '', photos: [] });
  const needs = a.result === 'no'
    ? [item.note_on_fail ? '须填写说明' : '', item.photo_on_fail ? '须拍照' : ''].filter(Boolean).join('，') : '';
  el.innerHTML = `
    <p class="group">${groupLabel(item)}</p>
    <h2 class="item">${esc(item.text)}</h2>
    ${(ctx.demands || []).filter((r) => r.item_code === item.code).map((r) => `<p class="note warn demand">整改要求：${esc(r.demand)}（期限 ${esc(r.due_date)}）<br><small>复查：整改到位选“符合”并拍照留证，此项要求即关闭</small></p>`).join('')}
    <div class="answers" role="group" aria-label="检查结果">
      ${Object.entries(RESULTS).map(([k, v]) => `<button type="button" class="ans ${k}" data-r="${k}" aria-pressed="${a.result === k}">${v}</button>`).join('')}
    </div>
    ${needs ? `<p class="note warn">${needs}</p>` : ''}
    <label>说明${a.result === 'no' && item.note_on_fail ? '（必填）' : ''}
      <textarea id="note" rows="3" maxlength="${NOTE_MAX}" placeholder="发现的问题、现场情况">${esc(a.note)}</textarea></label>
    <p class="muted small" id="note-count">${a.note.length}/${NOTE_MAX}</p>
    <div class="photos" id="photos"></div>
    <div id="cam"></div>`;
  el.querySelector('.answers').addEventListener('click', async (e) => {
    const b = e.target.closest('[data-r]');
    if (!b) return;
    a.result = b.dataset.r;
    if (a.result === 'no') {
      // Redraw at once, before the save: a note typed or a photo taken right after the tap must land
      // in the screen that stays, not in one about to be replaced.
      ctx.redraw();
      await ctx.save();
    } else {
      ctx.goto(ctx.draft.step + 1); // one tap per compliant item
    }
  });
  el.querySelector('#note').addEventListener('input', (e) => {
    a.note = e.target.value.slice(0, NOTE_MAX);
    el.querySelector('#note-count').textContent = `${a.note.length}/${NOTE_MAX}`;
    ctx.save();
  });
  const drawThumbs = () => thumbs(ctx, a.photos, el.querySelector('#photos'), async (sha) => {
    a.photos = a.photos.filter((s) => s !== sha);
    await ctx.save();
    drawThumbs();
    limitCamera();
  });
  const cam = cameraInput('拍照', async (sha) => {
    if (a.photos.length >= PHOTOS_MAX) { alert(`每项最多${PHOTOS_MAX}张照片，这张没有加入`); return; }
    if (!a.photos.includes(sha)) a.photos.push(sha);
    await ctx.save();
    drawThumbs();
    limitCamera();
  });
  const limitCamera = () => {
    const full = a.photos.length >= PHOTOS_MAX;
    cam.querySelector('input').disabled = full;
    cam.classList.toggle('disabled', full);
    el.querySelector('#photo-limit').hidden = !full;
  };
  el.querySelector('#cam').append(cam);
  el.querySelector('#cam').insertAdjacentHTML('beforeend', `<p class="muted" id="photo-limit" hidden>每项最多${PHOTOS_MAX}张照片</p>`);
  limitCamera();
  drawThumbs();
}

let watching = null;
/** Ask for a position; the result is saved into the draft whatever screen is shown then. */
export function locate(ctx, onDone) {
  if (!('geolocation' in navigator)) { onDone && onDone('本机不支持定位'); return; }
  if (watching) return;
  watching = true;
  navigator.geolocation.getCurrentPosition(async (pos) => {
    watching = null;
    ctx.draft.gps = { lat: pos.coords.latitude, lng: pos.coords.longitude,
      accuracy_m: Math.round(pos.coords.accuracy * 10) / 10, at: Date.now() };
    await ctx.save();
    onDone && onDone(null);
  }, async (err) => {
    watching = null;
    ctx.draft.gps_error = err.code === 1 ? '定位权限被拒绝' : err.code === 3 ? '定位超时' : '无法定位';
    await ctx.save();
    onDone && onDone(ctx.draft.gps_error);
  }, { enableHighAccuracy: true, timeout: 20000, maximumAge: 60000 });
}

const REASONS = ['室内无信号', '定位权限被拒绝', '手机定位故障'];

/** Metres between two points (haversine), as the server computes it (inspection/service.py, distance_m). */
function distanceM(lat1, lng1, lat2, lng2) {
  const r = (d) => (d * Math.PI) / 180;
  const h = Math.sin(r(lat2 - lat1) / 2) ** 2 + Math.cos(r(lat1)) * Math.cos(r(lat2)) * Math.sin(r(lng2 - lng1) / 2) ** 2;
  return 2 * 6371008.8 * Math.asin(Math.sqrt(Math.min(1, h)));
}

function distanceText(ctx, g) {
  const u = ctx.unit;
  if (!g || !u || u.lat == null || u.lng == null) return '';
  const d = distanceM(g.lat, g.lng, u.lat, u.lng);
  const words = d >= 1000 ? `${(d / 1000).toFixed(1)} 公里` : `${Math.round(d)} 米`;
  return `<p class="note ${d > 500 ? 'warn' : ''}" id="gps-distance">距单位登记位置约 ${words}${d > 500 ? '：不在单位附近的定位会提示所里核查' : ''}</p>`;
}

function gpsStep(ctx, el) {
  const { draft } = ctx;
  const g = draft.gps;
  el.innerHTML = `
    <h2>现场定位</h2>
    ${g ? `<p class="big-fact">已定位 ✓<br><small>纬度 ${g.lat.toFixed(5)}，经度 ${g.lng.toFixed(5)}<br>精度约 ${Math.round(g.accuracy_m)} 米</small></p>
      ${g.accuracy_m > 100 ? '<p class="note warn">精度较差，可到室外重新定位；精度差的定位会提示所里核查</p>' : ''}
      ${distanceText(ctx, g)}`
    : `<p class="note ${draft.gps_error ? 'warn' : ''}">${esc(draft.gps_error || '尚未定位')}</p>`}
    <button type="button" class="btn big" id="locate">${g ? '重新定位' : '获取定位'}</button>
    ${g ? '' : `
      <label>无法定位的原因（无定位时必填）
        <input id="reason" maxlength="200" value="${esc(draft.gps_missing_reason)}" placeholder="例如：室内无信号"></label>
      <div class="chips">${REASONS.map((r) => `<button type="button" class="chip" data-reason="${r}">${r}</button>`).join('')}</div>`}`;
  el.querySelector('#locate').addEventListener('click', (e) => {
    e.target.textContent = '正在定位…';
    e.target.disabled = true;
    locate(ctx, () => ctx.redraw());
  });
  const reason = el.querySelector('#reason');
  if (reason) {
    reason.addEventListener('input', () => { draft.gps_missing_reason = reason.value; ctx.save(); });
    el.querySelector('.chips').addEventListener('click', (e) => {
      const b = e.target.closest('[data-reason]');
      if (!b) return;
      reason.value = draft.gps_missing_reason = b.dataset.reason;
      ctx.save();
    });
  }
}
