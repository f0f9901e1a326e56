// The last steps of an inspection: conclusion with rectification demands, the owner's signature, review.
import { esc, CONCLUSIONS, RESULTS, today } from '../labels.js';
import { storeBytes, photoBlob } from '../photos.js';
import { signaturePad } from '../signature.js';

export function finishStep(ctx, which, el) {
  return [conclusionStep, signStep, reviewStep][which](ctx, el);
}

/** What still keeps the inspection from being submitted, each with the step that fixes it. */
export function problems(ctx) {
  const { draft, items } = ctx;
  const out = [];
  items.forEach((item, i) => {
    const a = draft.answers[item.code];
    if (!a || !a.result) out.push({ step: i, text: `第${i + 1}项未选择结果` });
    else if (a.result === 'no' && item.note_on_fail && !(a.note || '').trim()) out.push({ step: i, text: `第${i + 1}项不符合，须填写说明` });
    else if (a.result === 'no' && item.photo_on_fail && !(a.photos || []).length) out.push({ step: i, text: `第${i + 1}项不符合，须拍照` });
  });
  const n = items.length;
  if (!draft.gps && !(draft.gps_missing_reason || '').trim()) out.push({ step: n, text: '没有定位，须填写原因' });
  if (!draft.conclusion) out.push({ step: n + 1, text: '未选择检查结论' });
  const demands = draft.rectifications.filter((r) => r.demand.trim());
  if (draft.conclusion === 'rectify' && !demands.length) out.push({ step: n + 1, text: '限期整改须至少提出一项整改要求' });
  if (draft.conclusion && draft.conclusion !== 'pass' && demands.some((r) => !r.due_date || r.due_date < draft.started_at.slice(0, 10))) {
    out.push({ step: n + 1, text: '整改期限须填写，且不能早于检查日期' });
  }
  if (!draft.signature_sha256) out.push({ step: n + 2, text: '须由负责人签名' });
  return out;
}

function suggested(ctx) {
  return ctx.items.filter((i) => (ctx.draft.answers[i.code] || {}).result === 'no')
    .map((i) => ({ item_code: i.code, demand: `整改：${i.text}`, due_date: today(7) }));
}

function conclusionStep(ctx, el) {
  const { draft } = ctx;
  const failed = ctx.items.filter((i) => (draft.answers[i.code] || {}).result === 'no').length;
  el.innerHTML = `
    <h2>检查结论</h2>
    <p class="muted">不符合 ${failed} 项</p>
    <div class="answers" role="group" aria-label="结论">
      ${Object.entries(CONCLUSIONS).map(([k, v]) => `<button type="button" class="ans c-${k}" data-c="${k}" aria-pressed="${draft.conclusion === k}">${v}</button>`).join('')}
    </div>
    ${draft.conclusion && draft.conclusion !== 'pass' ? `
      <h3>整改要求</h3>
      <ol class="rects">${draft.rectifications.map((r, i) => `
        <li><textarea rows="2" data-i="${i}" data-f="demand" aria-label="整改要求">${esc(r.demand)}</textarea>
          <div class="row2"><label class="inline">期限<input type="date" data-i="${i}" data-f="due_date" value="${esc(r.due_date)}" min="${draft.started_at.slice(0, 10)}"></label>
          <button type="button" class="btn small" data-del="${i}">删除</button></div></li>`).join('')}</ol>
      <button type="button" class="btn" id="add-rect">＋ 添加整改要求</button>` : ''}
    <label>检查小结<textarea id="summary" rows="3">${esc(draft.summary)}</textarea></label>`;
  el.querySelector('.answers').addEventListener('click', async (e) => {
    const b = e.target.closest('[data-c]');
    if (!b) return;
    draft.conclusion = b.dataset.c;
    if (draft.conclusion !== 'pass' && !draft.rectifications.length) draft.rectifications = suggested(ctx);
    await ctx.save();
    ctx.redraw();
  });
  el.addEventListener('input', (e) => {
    const f = e.target.dataset.f;
    if (f) { draft.rectifications[Number(e.target.dataset.i)][f] = e.target.value; ctx.save(); }
    if (e.target.id === 'summary') { draft.summary = e.target.value; ctx.save(); }
  });
  el.addEventListener('click', async (e) => {
    const del = e.target.closest('[data-del]');
    if (del) { draft.rectifications.splice(Number(del.dataset.del), 1); await ctx.save(); ctx.redraw(); }
    if (e.target.id === 'add-rect') {
      draft.rectifications.push({ item_code: null, demand: '', due_date: today(7) });
      await ctx.save();
      ctx.redraw();
    }
  });
}

function signStep(ctx, el) {
  const { draft } = ctx;
  el.innerHTML = `
    <h2>负责人签名</h2>
    <label>签名人姓名<input id="signer" value="${esc(draft.signer_name)}" autocomplete="off"></label>
    <p class="muted">请负责人在下面框内签名</p>
    <canvas id="sig" class="sig" aria-label="签名区"></canvas>
    <p id="sig-state" class="muted">${draft.signature_sha256 ? '已签名 ✓' : '尚未签名'}</p>
    <button type="button" class="btn" id="clear">清除重签</button>`;
  el.querySelector('#signer').addEventListener('input', (e) => { draft.signer_name = e.target.value; ctx.save(); });
  const state = el.querySelector('#sig-state');
  const pad = signaturePad(el.querySelector('#sig'), {
    async onEnd() {
      // Saved after every stroke: closing the app right after signing keeps the signature.
      const png = await pad.png();
      const { sha } = await storeBytes(await png.arrayBuffer(), 'image/png');
      draft.signature_sha256 = sha;
      await ctx.save();
      state.textContent = '已签名 ✓';
    },
  });
  if (draft.signature_sha256) {
    photoBlob(draft.signature_sha256).then((blob) => blob && pad.show(blob));
  }
  el.querySelector('#clear').addEventListener('click', async () => {
    pad.clear();
    draft.signature_sha256 = null;
    await ctx.save();
    state.textContent = '尚未签名';
  });
}

function reviewStep(ctx, el) {
  const { draft, items } = ctx;
  const left = problems(ctx);
  const count = (r) => items.filter((i) => (draft.answers[i.code] || {}).result === r).length;
  const photoCount = items.reduce((n, i) => n + ((draft.answers[i.code] || {}).photos || []).length, 0);
  el.innerHTML = `
    <h2>检查提交</h2>
    <dl class="facts">
      ${Object.entries(RESULTS).map(([k, v]) => `<dt>${v}</dt><dd>${count(k)} 项</dd>`).join('')}
      <dt>照片</dt><dd>${photoCount} 张</dd>
      <dt>定位</dt><dd>${draft.gps ? `精度约 ${Math.round(draft.gps.accuracy_m)} 米` : esc(draft.gps_missing_reason || '无')}</dd>
      <dt>结论</dt><dd>${esc(CONCLUSIONS[draft.conclusion] || '未选')}</dd>
      <dt>签名</dt><dd>${draft.signature_sha256 ? `已签 ${esc(draft.signer_name)}` : '未签'}</dd>
    </dl>
    ${left.length ? `<p class="note warn">还不能提交：</p><ul class="list plain">${left.map((p) =>
      `<li><button type="button" class="link" data-step="${p.step}">${esc(p.text)} ›</button></li>`).join('')}</ul>` : ''}
    <button type="button" class="btn primary big" id="submit" ${left.length ? 'disabled' : ''}>提交检查记录</button>
    <p class="muted">提交后保存在本机，联网时自动发送。</p>`;
  el.addEventListener('click', (e) => {
    const s = e.target.closest('[data-step]');
    if (s) ctx.goto(Number(s.dataset.step));
    if (e.target.id === 'submit') { e.target.disabled = true; ctx.submit(); }
  });
}
