// Running an inspection: one step at a time, every touch saved to the draft at once, so closing the
// app mid-visit loses nothing and reopening returns to the same item.
import { get } from '../db.js';
import { esc } from '../labels.js';
import { saveDraft, submitDraft, dropStaleSignature, forgetPhoto } from '../records.js';
import { go } from '../router.js';
import * as sync from '../sync.js';
import { steps, problems, locate } from './inspect-steps.js';

export const tab = 'tasks';

export async function render(main, draftId) {
  const draft = await get('drafts', draftId);
  if (!draft) {
    const sent = await get('outbox', draftId);
    main.innerHTML = `<section class="pad"><p class="empty">${sent ? '这次检查已提交，见“同步”。' : '找不到这次检查。'}</p>
      <a class="btn" href="#/tasks">返回任务</a></section>`;
    return;
  }
  const template = await get('templates', draft.template_version_id);
  if (!template) {
    main.innerHTML = '<section class="pad"><p class="empty">本机缺少这次检查用的检查表，请联网同步后再打开。</p></section>';
    return;
  }
  const unit = await get('units', draft.unit_id); // its recorded location, to say how far the fix is
  const items = template.items;
  const last = items.length + 3; // items, then 定位, 结论与整改, 签名, 提交
  const cleanups = [];
  const ctx = {
    draft, template, items, main, last, unit,
    closed: false,
    // After the screen closed or the draft went to the outbox, a late callback must not write it back.
    // Every save checks the signature still covers the content; a change after signing clears it.
    save: async () => {
      if (ctx.closed) return;
      const old = draft.signature_sha256;
      const cleared = dropStaleSignature(draft, template);
      await saveDraft(draft);
      if (cleared && old) await forgetPhoto(old); // a cleared signature is not a photo of anything
    },
    async goto(step) {
      draft.step = Math.max(0, Math.min(last, step));
      await ctx.save();
      draw();
      window.scrollTo(0, 0);
    },
    redraw: () => draw(),
    onCleanup: (fn) => cleanups.push(fn),
    async submit() {
      dropStaleSignature(draft, template);
      const left = problems(ctx);
      if (left.length) return draw();
      ctx.closed = true;
      await submitDraft(draft, template);
      sync.syncNow();
      go(`#/unit/${draft.unit_id}?sent=1`);
    },
  };

  function title(step) {
    if (step < items.length) return `第 ${step + 1} / ${items.length} 项`;
    return ['定位', '结论与整改', '负责人签名', '检查提交'][step - items.length];
  }

  function draw() {
    while (cleanups.length) cleanups.pop()();
    const step = Math.max(0, Math.min(last, draft.step || 0));
    const answered = items.filter((i) => draft.answers[i.code] && draft.answers[i.code].result).length;
    main.innerHTML = `
      <section class="inspect">
        <div class="ihead">
          <a class="back" href="#/unit/${draft.unit_id}" aria-label="暂存并返回">‹ 暂存</a>
          <div class="ititle"><b>${esc(draft.unit_name)}</b><small>${esc(title(step))} · 已答 ${answered}/${items.length}</small></div>
        </div>
        <div class="progress" aria-hidden="true"><i style="width:${Math.round((step / last) * 100)}%"></i></div>
        <div id="step" class="pad"></div>
        <div class="stepnav">
          <button type="button" class="btn" data-nav="-1" ${step === 0 ? 'disabled' : ''}>‹ 上一步</button>
          ${step < last ? '<button type="button" class="btn primary" data-nav="1">下一步 ›</button>' : ''}
        </div>
      </section>`;
    main.querySelector('.stepnav').addEventListener('click', (e) => {
      const b = e.target.closest('[data-nav]');
      if (b) ctx.goto(step + Number(b.dataset.nav));
    });
    steps(ctx, step, main.querySelector('#step'));
  }

  if (!draft.gps && !draft.gps_error) locate(ctx, () => { if (!ctx.closed && draft.step === items.length) draw(); });
  draw();
  return () => { ctx.closed = true; while (cleanups.length) cleanups.pop()(); };
}
