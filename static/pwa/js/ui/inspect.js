// Running an inspection: one step at a time, every touch saved to the draft at once, so closing the
// app mid-visit loses nothing and reopening returns to the same item. One window writes a draft at a
// time (Web Locks); a save that fails is shown with what to do, never dropped silently.
import { get, describe } from '../db.js';
import { esc } from '../labels.js';
import { chinaDate } from '../clock.js';
import { saveDraft, submitDraft, dropStaleSignature, forgetPhoto, discardDraft, DraftTaken, inspectionsOf } from '../records.js';
import { go, render as rerender } from '../router.js';
import * as sync from '../sync.js';
import { steps, problems, locate } from './inspect-steps.js';

export const tab = 'tasks';

const lockName = (id) => `fangxin-draft-${id}`;

/** Hold this draft's lock while the screen is open. Resolves {release} when held here, or null when
 *  another window holds it; onLost runs if another window takes it over. */
function hold(id, onLost) {
  if (!navigator.locks) return Promise.resolve({ release() {} });
  let release;
  const held = new Promise((r) => { release = r; });
  return new Promise((resolve) => {
    navigator.locks.request(lockName(id), { ifAvailable: true }, (lock) => {
      resolve(lock ? { release } : null);
      return lock ? held : null;
    }).catch(() => onLost()); // AbortError: another window took it over ("在本窗口继续")
  });
}

function busy(main, draftId) {
  main.innerHTML = `<section class="pad" id="draft-busy">
    <p class="note warn">这次检查已在另一个窗口（或标签页）中打开。为免互相覆盖，同一时间只能在一个窗口填写。</p>
    <button type="button" class="btn primary big" id="take-over">在本窗口继续（另一个窗口将停止填写）</button>
    <a class="btn" href="#/tasks">返回任务</a></section>`;
  main.querySelector('#take-over').addEventListener('click', async () => {
    await navigator.locks.request(lockName(draftId), { steal: true }, () => null);
    rerender();
  });
}

function taken(main, message) {
  main.innerHTML = `<section class="pad" id="draft-taken"><p class="note warn">${esc(message)}</p>
    <a class="btn" href="#/tasks">返回任务</a></section>`;
}

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
  let ctx = null;
  const lock = await hold(draft.id, () => {
    if (!ctx || ctx.closed) return;
    ctx.closed = true;
    taken(main, '这次检查已在另一个窗口继续填写，本窗口已停止，以免覆盖那边的内容。');
  });
  if (!lock) { busy(main, draft.id); return; }
  const unit = await get('units', draft.unit_id); // its recorded location, to say how far the fix is
  // The unit's open demands, shown on the items they concern: a re-inspection closes each one it checks.
  const demands = (await inspectionsOf(draft.unit_id)).flatMap((i) => (i.rectifications || [])
    .filter((r) => r.status === 'open' && !i.local && i.client_id !== draft.id));
  const items = template.items;
  const last = items.length + 3; // items, then 定位, 结论与整改, 签名, 提交
  const cleanups = [];
  const saveError = (err) => {
    const box = main.querySelector('#save-error');
    if (err instanceof DraftTaken) { ctx.closed = true; taken(main, err.message); return; }
    if (box) {
      box.hidden = !err;
      box.querySelector('span').textContent = err ? describe(err) : '';
    }
  };
  ctx = {
    draft, template, items, main, last, unit, demands,
    closed: false,
    // After the screen closed or the draft went to the outbox, a late callback must not write it back.
    // Every save checks the signature still covers the content; a change after signing clears it.
    // Resolves true when saved; a failure is shown on the screen with what to do.
    save: async () => {
      if (ctx.closed) return false;
      const old = draft.signature_sha256;
      const cleared = dropStaleSignature(draft, template);
      try {
        await saveDraft(draft);
      } catch (err) {
        saveError(err);
        return false;
      }
      saveError(null);
      if (cleared && old) await forgetPhoto(old).catch(() => {}); // a cleared signature is not a photo of anything
      return true;
    },
    async goto(step) {
      const to = Math.max(0, Math.min(last, step));
      const from = draft.step;
      draft.step = to;
      if (!(await ctx.save())) { draft.step = from; return; } // stay where the unsaved touch is shown
      draw();
      window.scrollTo(0, 0);
    },
    redraw: () => draw(),
    onCleanup: (fn) => cleanups.push(fn),
    async submit() {
      dropStaleSignature(draft, template);
      const left = problems(ctx);
      if (left.length) return draw();
      try {
        await submitDraft(draft, template);
      } catch (err) {
        saveError(err);
        draw();
        return undefined;
      }
      ctx.closed = true;
      sync.syncNow();
      go(`#/unit/${draft.unit_id}?sent=1`);
      return undefined;
    },
  };

  function title(step) {
    if (step < items.length) return `第 ${step + 1} / ${items.length} 项`;
    return ['定位', '结论与整改', '负责人签名', '检查提交'][step - items.length];
  }

  function draw() {
    if (ctx.closed) return;
    while (cleanups.length) cleanups.pop()();
    const step = Math.max(0, Math.min(last, draft.step || 0));
    const answered = items.filter((i) => draft.answers[i.code] && draft.answers[i.code].result).length;
    main.innerHTML = `
      <section class="inspect">
        <div class="ihead">
          <a class="back" href="#/unit/${draft.unit_id}" aria-label="暂存并返回">‹ 暂存</a>
          <div class="ititle"><b>${esc(draft.unit_name)}</b><small>${esc(title(step))} · 已答 ${answered}/${items.length}</small></div>
        </div>
        ${draft.supersedes ? `<p class="note correcting pad" id="correcting">更正 ${esc(chinaDate(draft.supersedes_at))} 提交的检查记录：改动后提交，作为新记录取代原记录</p>` : ''}
        <div class="progress" aria-hidden="true"><i style="width:${Math.round((step / last) * 100)}%"></i></div>
        <div id="save-error" class="note error pad" role="alert" hidden><span></span>
          <button type="button" class="btn small" id="save-retry">重试保存</button></div>
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
    main.querySelector('#save-retry').addEventListener('click', () => ctx.save());
    steps(ctx, step, main.querySelector('#step'));
    const discard = main.querySelector('#discard');
    if (discard) {
      discard.addEventListener('click', async () => {
        if (!confirm('放弃这次检查？已填写的内容和照片将从本机删除，不会发送。')) return;
        ctx.closed = true;
        await discardDraft(draft.id);
        go(`#/unit/${draft.unit_id}`);
      });
    }
  }

  if (!draft.gps && !draft.gps_error) locate(ctx, () => { if (!ctx.closed && draft.step === items.length) draw(); });
  draw();
  return () => { ctx.closed = true; lock.release(); while (cleanups.length) cleanups.pop()(); };
}
