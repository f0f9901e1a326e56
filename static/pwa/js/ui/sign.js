// Confirm that a unit's sign is on the wall, with a photo of it (a sign_posted change).
import { esc } from '../labels.js';
import { describe } from '../db.js';
import { unitView, yearOf, queue, signInForce } from '../records.js';
import { go } from '../router.js';
import * as sync from '../sync.js';
import { cameraInput, thumbs } from './inspect-steps.js';

export const tab = 'units';

export async function render(main, unitId) {
  const unit = await unitView(unitId);
  if (!unit) { main.innerHTML = '<p class="pad empty">本机没有这家单位。</p>'; return; }
  const year = Number(yearOf(unit));
  // Offline the phone may not have heard of a sign issued since its last sync: the server decides.
  const known = Boolean(await signInForce(unit.id, year));
  let photo = null;
  const urls = [];
  const ctx = { onCleanup: (fn) => urls.push(fn) };
  main.innerHTML = `
    <section class="pad">
      <h1>确认标识已张贴</h1>
      <p class="muted">${esc(unit.name)} · ${year}年度</p>
      ${known ? '' : '<p class="note warn" id="unknown-sign">本机还没有该单位本年度的有效标识（可能尚未发放，或发放后还没同步）。仍可确认，以服务器为准。</p>'}
      <p>请拍一张标识张贴在墙上的照片（能看清标识和店招）。</p>
      <div class="photos" id="photos"></div>
      <div id="cam"></div>
      <label>备注<input id="note" placeholder="例如：张贴于收银台上方"></label>
      <p class="error" id="err" role="alert"></p>
      <button class="btn primary big" id="save" type="button">确认张贴</button>
      <a class="btn" href="#/unit/${unit.id}">取消</a>
    </section>`;
  const draw = () => thumbs(ctx, photo ? [photo] : [], main.querySelector('#photos'), () => { photo = null; draw(); });
  main.querySelector('#cam').append(cameraInput('拍标识照片', (sha) => { photo = sha; draw(); }));
  main.querySelector('#save').addEventListener('click', async () => {
    if (!photo) { main.querySelector('#err').textContent = '须拍一张标识照片'; return; }
    try {
      await queue('sign_posted', { unit_id: unit.id, year, photo_sha256: photo, note: main.querySelector('#note').value.trim() }, unit.name);
    } catch (err) { // stays on this screen with the photo and the note: 确认张贴 again once it can be saved
      main.querySelector('#err').textContent = describe(err);
      return;
    }
    sync.syncNow();
    go(`#/unit/${unit.id}`);
  });
  return () => urls.forEach((fn) => fn());
}
