// The last steps of an inspection: conclusion with rectification demands, the owner's signature, review.
import { esc, CONCLUSIONS, RESULTS, today } from '../labels.js';
import { chinaDate } from '../clock.js';
import { storeBytes, photoBlob, sha256 } from '../photos.js';
import { signedContent, inspectionBody, forgetPhoto } from '../records.js';
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
  if (draft.conclusion && draft.conclusion !== 'pass' && demands.some((r) => !r.due_date || r.due_date < chinaDate(draft.started_at))) {
    out.push({ step: n + 1, text: '整改期限须填写，且不能早于检查日期' });
  }
  if (!(draft.signer_name || '').trim()) out.push({ step: n + 2, text: '须填写签名人姓名' });
  if (draft.supersedes && !(draft.correction_reason || '').trim()) out.push({ step: n + 3, text: '须填写更正原因', here: true });
  if (!draft.signature_sha256) {
    out.push({ step: n + 2, text: draft.signature_cleared ? '签名后内容有改动，须请负责人重新签名' : '须由负责人签名' });
  }
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
        <li><textarea rows="2" maxlength="500" data-i="${i}" data-f="demand" aria-label="整改要求">${esc(r.demand)}</textarea>
          <div class="row2"><label class="inline">期限<input type="date" data-i="${i}" data-f="due_date" value="${esc(r.due_date)}" min="${chinaDate(draft.started_at)}"></label>
          <button type="button" class="btn small" data-del="${i}">删除</button></div></li>`).join('')}</ol>
      <button type="button" class="btn" id="add-rect">＋ 添加整改要求</button>` : ''}
    <label>检查小结<textarea id="summary" rows="3" maxlength="1000">${esc(draft.summary)}</textarea></label>`;
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

// A tap is not a signature: the owner must draw at least this much ink (CSS px, about two characters).
const MIN_INK = 150;

/** The content the owner signs, shown above the pad: conclusion, findings, demands, summary. */
function signedContentHtml(ctx) {
  const { draft, items } = ctx;
  const findings = items.filter((i) => (draft.answers[i.code] || {}).result === 'no');
  const demands = draft.conclusion === 'pass' ? [] : draft.rectifications.filter((r) => r.demand.trim());
  return `<div class="signed" id="signed-content">
    <p>检查结论：<b>${esc(CONCLUSIONS[draft.conclusion] || '未选')}</b></p>
    <p>发现的问题：${findings.length ? '' : '无'}</p>
    ${findings.length ? `<ol>${findings.map((i) => {
      const note = ((draft.answers[i.code] || {}).note || '').trim();
      return `<li>${esc(i.text)}${note ? `：${esc(note)}` : ''}</li>`;
    }).join('')}</ol>` : ''}
    ${demands.length ? `<p>整改要求：</p><ol>${demands.map((r) => `<li>${esc(r.demand)}（期限 ${esc(r.due_date)}）</li>`).join('')}</ol>` : ''}
    ${draft.summary.trim() ? `<p>检查小结：${esc(draft.summary.trim())}</p>` : ''}
  </div>`;
}

function signStep(ctx, el) {
  const { draft } = ctx;
  el.innerHTML = `
    <h2>负责人签名</h2>
    ${draft.signature_cleared && !draft.signature_sha256 ? '<p class="note warn" id="sig-cleared">签名后内容有改动，原签名已清除，请负责人核对后重新签名</p>' : ''}
    <p class="muted">负责人签名确认以下内容：</p>
    ${signedContentHtml(ctx)}
    <label>签名人姓名（必填）<input id="signer" value="${esc(draft.signer_name)}" autocomplete="off" maxlength="60"></label>
    <p class="muted">请负责人核对以上内容后在框内签名</p>
    <canvas id="sig" class="sig" aria-label="签名区"></canvas>
    <p id="sig-state" class="muted" role="status">${draft.signature_sha256 ? `已签名 ✓ ${esc(draft.signer_name)}` : '尚未签名'}</p>
    <button type="button" class="btn" id="clear">清除重签</button>`;
  const state = el.querySelector('#sig-state');
  const unsign = async (message) => {
    const old = draft.signature_sha256;
    pad.clear();
    Object.assign(draft, { signature_sha256: null, signed_content: null, signed_hash: null, signed_at: null });
    await ctx.save();
    if (old) await forgetPhoto(old);
    state.textContent = message;
  };
  el.querySelector('#signer').addEventListener('input', async (e) => {
    draft.signer_name = e.target.value;
    // The name is part of what is signed: a signature over another name is cleared.
    if (draft.signature_sha256) await unsign('姓名已改动，请重新签名');
    else await ctx.save();
  });
  const pad = signaturePad(el.querySelector('#sig'), {
    async onEnd() {
      if (!draft.signer_name.trim()) {
        pad.clear();
        state.textContent = '请先填写签名人姓名，再签名';
        return;
      }
      if (pad.length < MIN_INK) { state.textContent = '签名过短：请负责人完整签写姓名'; return; }
      // Saved after every stroke: closing the app right after signing keeps the signature.
      const png = await pad.png();
      const { sha } = await storeBytes(await png.arrayBuffer(), 'image/png');
      const old = draft.signature_sha256;
      const content = signedContent(inspectionBody(draft, ctx.template));
      Object.assign(draft, { signature_sha256: sha, signed_content: content, signature_cleared: false,
        signed_hash: await sha256(new TextEncoder().encode(content)), signed_at: new Date().toISOString() });
      await ctx.save();
      if (old && old !== sha) await forgetPhoto(old); // the strokes before: not a photo of anything
      state.textContent = `已签名 ✓ ${draft.signer_name.trim()}`;
    },
  });
  if (draft.signature_sha256) {
    photoBlob(draft.signature_sha256).then((blob) => blob && pad.show(blob));
  }
  el.querySelector('#clear').addEventListener('click', () => unsign('尚未签名'));
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
    ${draft.supersedes ? `<label>更正原因（必填）<textarea id="reason" rows="2" maxlength="500"
      placeholder="例如：第3项结果选错，现场实为符合">${esc(draft.correction_reason || '')}</textarea></label>` : ''}
    ${left.length ? `<p class="note warn">还不能提交：</p><ul class="list plain" id="left">${left.map((p) =>
      p.here ? `<li>${esc(p.text)}</li>` : `<li><button type="button" class="link" data-step="${p.step}">${esc(p.text)} ›</button></li>`).join('')}</ul>` : ''}
    <button type="button" class="btn primary big" id="submit" ${left.length ? 'disabled' : ''}>${draft.supersedes ? '提交更正' : '提交检查记录'}</button>
    <p class="muted">提交后保存在本机，联网时自动发送。${draft.supersedes ? '更正作为新记录取代原记录，原记录保留并标为“已被更正”。' : ''}</p>
    <button type="button" class="btn danger" id="discard">${draft.supersedes ? '放弃更正' : '放弃这次检查'}</button>`;
  const reason = el.querySelector('#reason');
  if (reason) {
    reason.addEventListener('input', async () => {
      const had = Boolean((draft.correction_reason || '').trim());
      draft.correction_reason = reason.value;
      await ctx.save();
      if (had !== Boolean(reason.value.trim())) { // the list of what is left and the button follow
        const rest = problems(ctx);
        el.querySelector('#submit').disabled = rest.length > 0;
        const list = el.querySelector('#left');
        if (list && !rest.length) { list.previousElementSibling.remove(); list.remove(); }
        if (!list && rest.length) ctx.redraw();
      }
    });
  }
  el.addEventListener('click', (e) => {
    const s = e.target.closest('[data-step]');
    if (s) ctx.goto(Number(s.dataset.step));
    if (e.target.id === 'submit') { e.target.disabled = true; ctx.submit(); }
  });
}
