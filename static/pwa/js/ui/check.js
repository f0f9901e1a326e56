// Check a sign offline (issue 18, item 11): scan its QR code (the browser's BarcodeDetector where it exists,
// else the jsQR decoder from npm, served as vendor/jsqr.js) or type its serial; the answer comes from the signs synced to this phone, with the time of that sync,
// and says plainly when the phone cannot know (a sign issued since, or not of this station).
import { all, getMeta } from '../db.js';
import { esc, fmtTime } from '../labels.js';
import { chinaDate } from '../clock.js';

export const tab = 'units';

const STATUS = { issued: '有效', replaced: '已更换（旧标识作废）', revoked: '已撤销', expired: '已过期' };
const norm = (s) => String(s || '').toUpperCase().replace(/[\s\-－—_]/g, '');

/** The sign a scanned text or a typed serial names, among the synced ones: by serial, or by the token of
 *  its QR address (…/s/<token>). */
export function findSign(signs, text) {
  const raw = String(text || '').trim();
  const token = (raw.match(/\/s\/([^/?#\s]+)/i) || [])[1];
  if (token) return signs.find((s) => s.token && s.token === token) || null;
  const want = norm(raw);
  return want ? signs.find((s) => norm(s.serial) === want) || null : null;
}

function answer(sign, units, last, text) {
  const when = `依据本机 ${fmtTime(last)} 同步的数据`;
  if (!sign) {
    return `<div class="note warn" id="check-result"><b>本机查不到“${esc(text)}”</b><br>
      可能是上次同步后新发的标识、其他所的标识，或不是本局的标识：本机无法确定。请联网后再查，或核对编号。<br><small>${when}</small></div>`;
  }
  const unit = units.get(sign.unit_id);
  const expired = sign.valid_until && sign.valid_until < chinaDate();
  const status = expired && sign.status === 'issued' ? 'expired' : sign.status;
  return `<div class="note ${status === 'issued' ? 'ok' : 'error'}" id="check-result">
    <b>${esc(sign.serial)} · ${esc(STATUS[status] || status)}</b><br>
    ${esc(unit ? unit.name : '')}${unit ? `<br><small>${esc(unit.address)}</small>` : ''}
    ${sign.valid_until ? `<br>有效期至 ${esc(sign.valid_until)}` : ''}
    <br><small>${when}；此后的变化本机不知道</small></div>`;
}

let decoder = null;
/** window.jsQR from vendor/jsqr.js (npm's jsqr, served by the app; kept offline by the service worker). */
function loadJsQR() {
  if (!decoder) {
    decoder = new Promise((resolve, reject) => {
      const s = document.createElement('script');
      s.src = new URL('../../vendor/jsqr.js', import.meta.url).href;
      s.onload = () => (window.jsQR ? resolve(window.jsQR) : reject(new Error('jsQR')));
      s.onerror = () => { decoder = null; reject(new Error('jsQR')); };
      document.head.append(s);
    });
  }
  return decoder;
}

/** The text of the QR code in a photo, or null. */
async function decode(file) {
  const bitmap = await createImageBitmap(file);
  if ('BarcodeDetector' in window) {
    const codes = await new window.BarcodeDetector({ formats: ['qr_code'] }).detect(bitmap);
    return codes.length ? codes[0].rawValue : null;
  }
  const jsQR = await loadJsQR();
  const scale = Math.min(1, 1600 / Math.max(bitmap.width, bitmap.height));
  const canvas = document.createElement('canvas');
  canvas.width = Math.round(bitmap.width * scale);
  canvas.height = Math.round(bitmap.height * scale);
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  ctx.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  const code = jsQR(ctx.getImageData(0, 0, canvas.width, canvas.height).data, canvas.width, canvas.height);
  return code ? code.data : null;
}

export async function render(main) {
  const [signs, unitList, last] = await Promise.all([all('signs'), all('units'), getMeta('last_sync')]);
  const units = new Map(unitList.map((u) => [u.id, u]));
  main.innerHTML = `
    <section class="pad">
      <h1>核验标识</h1>
      <p class="muted">不联网也能查：依据本机已同步的 ${signs.length} 个标识（${fmtTime(last)}）。</p>
      <form id="check" class="stack">
        <label>标识编号<input id="serial" autocomplete="off" autocapitalize="characters" placeholder="例如 JY-2023-0001"></label>
        <button class="btn primary big" type="submit">查询</button>
      </form>
      <label class="btn big camera">扫描标识二维码<input type="file" id="scan" accept="image/*" capture="environment" hidden></label>
      <div id="out" role="status"></div>
    </section>`;
  const out = main.querySelector('#out');
  const show = (text) => { out.innerHTML = answer(findSign(signs, text), units, last, text); };
  main.querySelector('#check').addEventListener('submit', (e) => { e.preventDefault(); show(main.querySelector('#serial').value); });
  const scan = main.querySelector('#scan');
  if (scan) {
    scan.addEventListener('change', async () => {
      const file = scan.files[0];
      scan.value = '';
      if (!file) return;
      try {
        const text = await decode(file);
        if (!text) { out.innerHTML = '<p class="note warn" id="check-result">照片里没有识别到二维码，请靠近重拍，或输入编号。</p>'; return; }
        show(text);
      } catch (_) {
        out.innerHTML = '<p class="note warn" id="check-result">无法识别二维码（扫码组件未能载入），请输入标识上的编号。</p>';
      }
    });
  }
}
