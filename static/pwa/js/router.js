// Hash routes: #/tasks, #/units, #/unit/7, #/inspect/<draft id>, #/edit/7, #/sign/7, #/sync, #/settings, #/login.
import { setMeta } from './db.js';

const VIEWS = {
  login: () => import('./ui/login.js'),
  tasks: () => import('./ui/tasks.js'),
  units: () => import('./ui/units.js'),
  unit: () => import('./ui/unit.js'),
  inspect: () => import('./ui/inspect.js'),
  edit: () => import('./ui/edit.js'),
  sign: () => import('./ui/sign.js'),
  check: () => import('./ui/check.js'),
  sync: () => import('./ui/sync.js'),
  settings: () => import('./ui/settings.js'),
};

export const router = new EventTarget();
let cleanup = null;
let seq = 0;
export let currentView = '';

export function parse(hash) {
  const [name, ...params] = (hash || '').replace(/^#\/?/, '').split('/').map(decodeURIComponent);
  return VIEWS[name] ? { name, params } : { name: 'tasks', params: [] };
}

export const go = (hash) => { if (location.hash === hash) render(); else location.hash = hash; };

/** Draw the view of the current hash into main. */
export async function render() {
  const mine = ++seq;
  const { name, params } = parse(location.hash);
  const mod = await VIEWS[name]();
  if (mine !== seq) return;
  if (cleanup) { try { cleanup(); } catch (_) { /* view already gone */ } cleanup = null; }
  // Each view draws into a host of its own: a draw still running from the view left behind (a redraw after a
  // sync, awaiting the database) lands in a detached element, never over the view now shown.
  const host = document.createElement('div');
  host.className = 'view-host';
  document.getElementById('view').replaceChildren(host);
  currentView = name;
  for (const a of document.querySelectorAll('nav.tabs a')) a.classList.toggle('on', a.dataset.tab === (mod.tab || name));
  cleanup = (await mod.render(host, ...params)) || null;
  if (mine !== seq) return;
  document.body.dataset.view = name; // set once drawn: tests and CSS may rely on it
  performance.mark(`view:${name}`);
  router.dispatchEvent(new CustomEvent('rendered', { detail: name }));
  if (name !== 'login') setMeta('last_route', location.hash).catch(() => {});
}

export function start() {
  window.addEventListener('hashchange', render);
  return render();
}
