// My visit tasks grouped by unit with its address, the earliest due first, with drafts waiting to be finished.
import { all } from '../db.js';
import { esc, TASK_KINDS, today, fmtTime } from '../labels.js';
import * as sync from '../sync.js';

export async function render(main) {
  const draw = async () => {
    const [tasks, drafts, outbox, units] = await Promise.all([all('tasks'), all('drafts'), all('outbox'), all('units')]);
    const unitsById = new Map(units.map((u) => [u.id, u]));
    // Tasks grouped by unit (the one due first leads), each unit with its address: one trip per shop.
    const groups = (list) => {
      const by = new Map();
      for (const t of list) {
        if (!by.has(t.unit_id)) {
          const u = unitsById.get(t.unit_id) || {};
          by.set(t.unit_id, { name: t.unit_name || u.name, address: u.address, tasks: [] });
        }
        by.get(t.unit_id).tasks.push(t);
      }
      return [...by.values()];
    };
    const doneLocally = new Set(outbox.filter((c) => c.type === 'inspection' && c.data.task_id).map((c) => c.data.task_id));
    const open = tasks.filter((t) => t.status === 'open').sort((a, b) => String(a.due_date).localeCompare(String(b.due_date)) || a.id - b.id);
    const now = today();
    main.innerHTML = `
      <section class="pad">
        ${drafts.length ? `<h2>未完成的检查</h2><ul class="list">${drafts.map((d) => `
          <li><a class="row" href="#/inspect/${d.id}"><b>${esc(d.unit_name)}</b>
            <span class="tag draft">草稿</span><small>${esc(TASK_KINDS[d.kind] || d.kind)} · ${fmtTime(d.updated_at)}</small></a></li>`).join('')}</ul>` : ''}
        <h1>我的任务 <small class="muted">${open.length}项</small></h1>
        ${open.length ? groups(open).map((g) => `<section class="unitgroup">
          <div class="uhead"><b>${esc(g.name)}</b><small class="addr">${esc(g.address || '地址未知')}</small></div>
          <ul class="list">${g.tasks.map((t) => {
          const late = t.due_date < now;
          const local = doneLocally.has(t.id);
          return `<li><a class="row${late ? ' late' : ''}" href="#/unit/${t.unit_id}?task=${t.id}">
            <b>${esc(TASK_KINDS[t.kind] || t.kind)}</b>
            ${local ? '<span class="tag ok">已检查待发送</span>' : late ? '<span class="tag bad">已逾期</span>' : ''}
            <small>期限 ${esc(t.due_date)}${t.note ? ' · ' + esc(t.note) : ''}</small></a></li>`;
        }).join('')}</ul></section>`).join('') : '<p class="empty">暂无任务。可在“单位”里搜索单位，直接开始检查。</p>'}
      </section>`;
  };
  await draw();
  const onSync = () => { if (!sync.status.running) draw(); };
  sync.events.addEventListener('change', onSync);
  return () => sync.events.removeEventListener('change', onSync);
}
