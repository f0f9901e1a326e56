// Edit a unit's address, phone or business status offline; sent as a unit_edit with the values it was based on.
import { get, describe } from '../db.js';
import { esc, BUSINESS } from '../labels.js';
import { unitView, queue } from '../records.js';
import { go } from '../router.js';
import * as sync from '../sync.js';

export const tab = 'units';

export async function render(main, unitId) {
  const unit = await unitView(unitId);
  const base = await get('units', Number(unitId));
  if (!unit) { main.innerHTML = '<p class="pad empty">本机没有这家单位。</p>'; return; }
  main.innerHTML = `
    <section class="pad">
      <h1>修改单位信息</h1>
      <p class="muted">${esc(unit.name)}</p>
      <form id="edit" class="stack">
        <label>地址<input name="address" value="${esc(unit.address)}" required></label>
        <label>联系电话<input name="contact_phone" type="tel" inputmode="tel" value="${esc(unit.contact_phone || '')}"></label>
        <label>经营状态<select name="business_status">${Object.entries(BUSINESS).map(([k, v]) =>
          `<option value="${k}"${k === unit.business_status ? ' selected' : ''}>${v}</option>`).join('')}</select></label>
        <label class="check"><input type="checkbox" name="here"> 用我现在的位置作为单位位置</label>
        <label>修改说明<input name="note" placeholder="例如：现场核实，已搬迁"></label>
        <p class="error" id="err" role="alert"></p>
        <button class="btn primary big" type="submit">保存（联网后发送）</button>
        <a class="btn" href="#/unit/${unit.id}">取消</a>
      </form>
    </section>`;
  const form = main.querySelector('#edit');
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const changes = {};
    for (const f of ['address', 'contact_phone', 'business_status']) {
      const v = form[f].value.trim();
      if (v !== (unit[f] || '')) changes[f] = v;
    }
    if (form.here.checked) {
      try {
        const pos = await new Promise((ok, no) => navigator.geolocation.getCurrentPosition(ok, no, { enableHighAccuracy: true, timeout: 15000 }));
        changes.lat = pos.coords.latitude;
        changes.lng = pos.coords.longitude;
      } catch (_) {
        main.querySelector('#err').textContent = '无法定位，位置未修改';
        return;
      }
    }
    if (!Object.keys(changes).length) { main.querySelector('#err').textContent = '没有修改任何内容'; return; }
    // Based on the version pulled from the server: a stale base comes back as a conflict to resolve.
    // With the values the phone saw for each changed field: only a field the office changed too conflicts.
    const seen = Object.fromEntries(Object.keys(changes).map((f) => [f, base[f] ?? null]));
    try {
      await queue('unit_edit', { unit_id: base.id, base_version: base.version, changes, base: seen, note: form.note.value.trim() }, unit.name);
    } catch (err) { // the form keeps what was typed: 保存 again once it can be saved
      main.querySelector('#err').textContent = describe(err);
      return;
    }
    sync.syncNow();
    go(`#/unit/${unit.id}`);
  });
}
