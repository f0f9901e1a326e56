// My visit tasks by due date, overdue first, with drafts waiting to be finished.
import { all } from '../db.js';
import { esc, TASK_KINDS, today, fmtTime } from '../labels.js';
import * as sync from '../sync.js';

export async function render(main) {
  const draw = async () => {
    const [tasks, drafts, outbox] = await Promise.all([all('tasks'), all('drafts'), all('outbox')]);
    const doneLocally = new Set(outbox.filter((c) => c.type === 'inspection' && c.data.task_id).map((c) => c.data.task_id));
    const open = tasks.filter((t) => t.status === 'open').sort((a, b) => String(a.due_date).localeCompare(String(b.due_date)) || a.id - b.id);
    const now = today();
    main.innerHTML = `
      <section class="pad">
        ${drafts.length ? `<h2>未完成的检查</h2><ul class="list">${drafts.map((d) => `
          <li><a class="row" href="#/inspect/${d.id}"><b>${esc(d.unit_name)}</b>
            <span class="tag draft">草稿</span><small>${esc(TASK_KINDS[d.kind] || d.kind)} · ${fmtTime(d.updated_at)}</small></a></li>`).join('')}</ul>` : ''}
        <h1>我的任务 <small class="muted">${open.length}项</small></h1>
        ${open.length ? `<ul class="list">${open.map((t) => {
          const late = t.due_date < now;
          const local = doneLocally.has(t.id);
          return `<li><a class="row${late ? ' late' : ''}" href="#/unit/${t.unit_id}?task=${t.id}">
            <b>${esc(t.unit_name)}</b>
            ${local ? '<span class="tag ok">已检查待发送</span>' : late ? '<span class="tag bad">已逾期</span>' : ''}
            <small>${esc(TASK_KINDS[t.kind] || t.kind)} · 期限 ${esc(t.due_date)}${t.note ? ' · ' + esc(t.note) : ''}</small></a></li>`;
        }).join('')}</ul>` : '<p class="empty">暂无任务。可在“单位”里搜索单位，直接开始检查。</p>'}
      </section>`;
  };
  await draw();
  const onSync = () => { if (!sync.status.running) draw(); };
  sync.events.addEventListener('change', onSync);
  return () => sync.events.removeEventListener('change', onSync);
}
