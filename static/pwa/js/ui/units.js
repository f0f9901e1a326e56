// Search the station's units by name, credit code or address.
import { all } from '../db.js';
import { esc, STAGES } from '../labels.js';
import { chinaYear } from '../clock.js';

let lastQuery = '';
const THIS_YEAR = chinaYear();
const stageOf = (u) => { const s = u.stages || {}; return s[THIS_YEAR] || s[Object.keys(s).sort().pop()]; };

export async function render(main) {
  const units = (await all('units')).sort((a, b) => a.name.localeCompare(b.name, 'zh-CN'));
  main.innerHTML = `
    <section class="pad">
      <label class="search"><span class="sr">搜索单位</span>
        <input id="q" type="search" placeholder="名称、信用代码或地址" value="${esc(lastQuery)}" enterkeyhint="search"></label>
      <a class="btn" href="#/check" id="to-check">核验标识（扫码或输入编号）</a>
      <p class="muted" id="count"></p>
      <ul class="list" id="results"></ul>
    </section>`;
  const q = main.querySelector('#q');
  const draw = () => {
    lastQuery = q.value.trim();
    const words = lastQuery.toLowerCase().split(/\s+/).filter(Boolean);
    const hits = units.filter((u) => {
      const hay = `${u.name} ${u.uscc} ${u.address}`.toLowerCase();
      return words.every((w) => hay.includes(w));
    });
    main.querySelector('#count').textContent = `共${hits.length}家${hits.length > 100 ? '，显示前100家' : ''}`;
    main.querySelector('#results').innerHTML = hits.slice(0, 100).map((u) => `
      <li><a class="row" href="#/unit/${u.id}"><b>${esc(u.name)}</b>
        <span class="tag">${esc(STAGES[stageOf(u)] || '未入库')}</span>
        <small>${esc(u.address)}</small></a></li>`).join('');
  };
  q.addEventListener('input', draw);
  draw();
}
