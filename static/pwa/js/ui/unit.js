// A unit: details, this year's stage and sign, recent inspections, open rectifications, and actions.
import { all, get, describe } from '../db.js';
import { esc, STAGES, STAGE_ORDER, UNIT_TYPES, TASK_KINDS, BUSINESS, CONCLUSIONS, RECT_STATUS, STATES } from '../labels.js';
import { unitView, yearOf, templateFor, newDraft, draftsFor, inspectionsOf, signInForce, correctionDraft } from '../records.js';
import { go } from '../router.js';
import * as sync from '../sync.js';
import { chinaDate, chinaTime, chinaYear, moment } from '../clock.js';
import { current } from '../session.js';

export const tab = 'units';

function signStatus(stage, pendingSign, sign) {
  if (pendingSign && pendingSign.state !== 'sent') return `已确认张贴（${STATES[pendingSign.state] || pendingSign.state}）`;
  if (sign && sign.posted_at) return `${sign.serial} · 已张贴（${chinaDate(sign.posted_at)}）`;
  if (sign) return `${sign.serial} · 已发放，待张贴确认`;
  if (stage === 'sign_posted') return '已张贴';
  if (stage === 'sign_issued') return '已发放，待张贴确认';
  if (stage === 'removed') return '—';
  return '未发放';
}

function ladder(stage) {
  const at = STAGE_ORDER.indexOf(stage);
  if (stage === 'removed') return `<p class="tag bad">${STAGES.removed}</p>`;
  return `<ol class="ladder">${STAGE_ORDER.map((s, i) => `<li class="${i < at ? 'past' : i === at ? 'now' : ''}">${STAGES[s]}</li>`).join('')}</ol>`;
}

/** Without a task the inspection counts for the programme year chosen here: this year by default, or the
 *  previous one (a late post-evaluation of last year's plan). With a task it counts for the task's year. */
function yearChoice() {
  const now = Number(chinaYear());
  return `<label class="inline">计入年度<select id="year">
    <option value="${now}" selected>${now}年度（本年度）</option>
    <option value="${now - 1}">${now - 1}年度（补做上年度）</option></select></label>`;
}

/** The correction chain as the phone knows it (issue 18, item 4): a record superseded on the server (by the
 *  inspector or by the station, with who, when and why), a correction of one's own waiting to be sent or
 *  still a draft, and the 更正 action on one's own submitted records within their correction period. */
function correctionChain(inspections, drafts, me) {
  const byClient = new Map(inspections.map((i) => [i.client_id, i]));
  const supersededBy = new Map();
  for (const i of inspections) if (i.supersedes_client_id) supersededBy.set(i.supersedes_client_id, i);
  const drafting = new Set(drafts.filter((d) => d.supersedes).map((d) => d.supersedes));
  return {
    html(i) {
      const out = [];
      if (i.supersedes_client_id) {
        const old = byClient.get(i.supersedes_client_id);
        out.push(`<small class="tag info">更正记录</small><span class="chain">更正了${old ? ` ${esc(chinaDate(old.started_at))} 的` : '原'}记录${i.correction_reason ? `；原因：${esc(i.correction_reason)}` : ''}</span>`);
      }
      const later = supersededBy.get(i.client_id);
      const remote = i.superseded_by;
      if (later || remote) {
        const by = remote ? `${esc(remote.by)} ${esc(chinaTime(remote.at))}更正` : later.local ? '更正记录待发送' : '已更正';
        const why = remote ? remote.reason : later.correction_reason;
        out.push(`<small class="tag warn superseded">已被更正</small><span class="chain">→ ${by}${why ? `；原因：${esc(why)}` : ''}${remote ? `；更正后结论：${esc(CONCLUSIONS[remote.conclusion] || remote.conclusion)}` : ''}</span>`);
      } else if (!i.local && i.correctable_until && moment(i.correctable_until).getTime() > Date.now()
          && (!i.inspector_id || i.inspector_id === me.id)) {
        out.push(`<button type="button" class="btn small" data-correct="${esc(i.client_id)}">${drafting.has(i.client_id) ? '继续更正' : '更正'}</button>
          <small class="muted">可更正至 ${esc(chinaDate(i.correctable_until))}</small>`);
      }
      return out.join(' ');
    },
  };
}

export async function render(main, param = '') {
  await draw(main, param);
  // Drawn again after each good sync: a closed rectification or an office edit shows at once.
  const again = () => draw(main, param);
  sync.events.addEventListener('synced', again);
  return () => sync.events.removeEventListener('synced', again);
}

async function draw(main, param) {
  const [idPart, qs] = param.split('?');
  const query = new URLSearchParams(qs || '');
  const taskId = Number(query.get('task')) || null;
  const unit = await unitView(idPart);
  if (!unit) { main.innerHTML = '<p class="pad empty">本机没有这家单位（可能已移出本所）。</p>'; return; }
  const YEAR = yearOf(unit);
  const [task, drafts, inspections, outbox, sign] = await Promise.all([
    taskId ? get('tasks', taskId) : null, draftsFor(unit.id), inspectionsOf(unit.id), all('outbox'),
    signInForce(unit.id, YEAR)]);
  const stage = (unit.stages || {})[YEAR];
  const pendingSign = outbox.find((c) => c.type === 'sign_posted' && c.data.unit_id === unit.id && c.state !== 'resolved' && c.state !== 'sent');
  const rects = inspections.flatMap((i) => (i.rectifications || []).filter((r) => r.status === 'open'));
  const me = ((await current()) || {}).user || {};
  const draft = drafts.find((d) => !d.supersedes && (taskId ? d.task_id === taskId : true));
  const chain = correctionChain(inspections, drafts, me);
  main.innerHTML = `
    <section class="pad">
      ${query.get('sent') ? '<p class="note ok" id="sent-note" role="status">检查记录已提交 ✓ 已保存在本机，联网时自动发送（见“同步”）。</p>' : ''}
      <h1>${esc(unit.name)}</h1>
      <p class="muted">${esc(UNIT_TYPES[unit.type] || unit.type)}${(unit.tags || []).map((t) => ` · ${esc(t)}`).join('')}</p>
      ${task ? `<p class="note">任务：${esc(TASK_KINDS[task.kind] || task.kind)} · 期限 ${esc(task.due_date)}${task.note ? ' · ' + esc(task.note) : ''}</p>` : ''}
      <div class="actions">
        ${draft ? `<a class="btn primary big" href="#/inspect/${draft.id}">继续检查</a>` : `
        <label class="inline">检查类型<select id="kind">${Object.entries(TASK_KINDS).map(([k, v]) =>
          `<option value="${k}"${k === (task ? task.kind : 'service_visit') ? ' selected' : ''}>${v}</option>`).join('')}</select></label>
        ${task ? '' : yearChoice()}
        <button class="btn primary big" id="start" type="button">开始检查</button>`}
      </div>
      <dl class="facts">
        <dt>${YEAR}年环节</dt><dd>${esc(STAGES[stage] || '未入库')}</dd>
        <dt>标识</dt><dd>${esc(signStatus(stage, pendingSign, sign))}</dd>
        <dt>地址</dt><dd>${esc(unit.address)}</dd>
        <dt>联系人</dt><dd>${esc(unit.contact_name || '—')} ${unit.contact_phone ? `<a class="tel" href="tel:${esc(unit.contact_phone)}">${esc(unit.contact_phone)}</a>` : ''}</dd>
        <dt>经营状态</dt><dd>${esc(BUSINESS[unit.business_status] || unit.business_status || '—')}</dd>
        <dt>信用代码</dt><dd class="mono">${esc(unit.uscc)}</dd>
        ${unit.return_days ? `<dt>无理由退货</dt><dd>${unit.return_days}天${unit.return_exclusions ? '，除外：' + esc(unit.return_exclusions) : ''}</dd>` : ''}
      </dl>
      ${unit.pending.length ? `<p class="note">有${unit.pending.length}项信息修改待发送（已显示修改后的内容）</p>` : ''}
      ${ladder(stage)}
      <div class="actions two">
        <a class="btn" href="#/edit/${unit.id}">修改地址/电话/状态</a>
        <a class="btn" href="#/sign/${unit.id}">确认标识已张贴</a>
      </div>
      <h2>未完成的整改 <small class="muted">${rects.length}项</small></h2>
      ${rects.length ? `<ul class="list plain">${rects.map((r) => `<li>${esc(r.demand)} <small>期限 ${esc(r.due_date)} · ${esc(RECT_STATUS[r.status] || r.status)}</small></li>`).join('')}</ul>` : '<p class="muted">无</p>'}
      <h2>最近的检查</h2>
      ${inspections.length ? `<ul class="list plain inspections">${inspections.slice(0, 10).map((i) => `
        <li data-client="${esc(i.client_id)}"><b>${esc(chinaDate(i.started_at))}</b> ${esc(TASK_KINDS[i.kind] || i.kind)} ·
          <span class="tag ${i.conclusion === 'pass' ? 'ok' : 'bad'}">${esc(CONCLUSIONS[i.conclusion] || i.conclusion)}</span>
          ${i.local ? `<small>${esc(STATES[i.local] || i.local)}</small>` : ''}
          ${chain.html(i)}</li>`).join('')}</ul>` : '<p class="muted">暂无检查记录</p>'}
    </section>`;
  main.querySelector('.inspections')?.addEventListener('click', async (e) => {
    const b = e.target.closest('[data-correct]');
    if (!b) return;
    const open = drafts.find((d) => d.supersedes === b.dataset.correct);
    if (open) { go(`#/inspect/${open.id}`); return; }
    const original = inspections.find((i) => i.client_id === b.dataset.correct);
    const template = await get('templates', original.template_version_id);
    if (!template) { alert('本机缺少原记录所用的检查表版本，请联网同步后再更正'); return; }
    try {
      go(`#/inspect/${(await correctionDraft(original, unit, template)).id}`);
    } catch (err) { alert(describe(err)); }
  });
  const start = main.querySelector('#start');
  if (start) {
    start.addEventListener('click', async () => {
      const template = await templateFor(unit);
      if (!template) { alert('本机还没有检查表，请联网同步一次'); return; }
      const year = main.querySelector('#year');
      try {
        const d = await newDraft(unit, template, { taskId, kind: main.querySelector('#kind').value,
          year: year ? Number(year.value) : null });
        go(`#/inspect/${d.id}`);
      } catch (err) { alert(describe(err)); }
    });
  }
}
