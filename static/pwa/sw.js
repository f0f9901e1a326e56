// The service worker only wires events: precache the shell, serve it offline, wait for the user to update.
// Bump VERSION with every change of the shell; old caches are deleted by the allow-list below.
const VERSION = 'v18';
const SHELL_CACHE = `fangxin-shell-${VERSION}`;
const KEEP = [SHELL_CACHE];
const SHELL = [
  './', 'app.css', 'manifest.webmanifest',
  'icons/icon-192.png', 'icons/icon-512.png', 'icons/maskable-512.png',
  'js/app.js', 'js/api.js', 'js/clock.js', 'js/db.js', 'js/labels.js', 'js/photos.js', 'js/records.js', 'js/router.js',
  'js/session.js', 'js/signature.js', 'js/sw-bridge.js', 'js/sync.js', 'js/transfer.js',
  'js/ui/login.js', 'js/ui/tasks.js', 'js/ui/units.js', 'js/ui/unit.js', 'js/ui/inspect.js',
  'js/ui/inspect-steps.js', 'js/ui/inspect-finish.js', 'js/ui/edit.js', 'js/ui/sign.js', 'js/ui/check.js', 'js/ui/sync.js', 'js/ui/settings.js',
];

self.addEventListener('install', (event) => {
  // No skipWaiting: a new version waits until the inspector accepts it (never mid-inspection).
  event.waitUntil((async () => {
    const cache = await caches.open(SHELL_CACHE);
    await cache.addAll(SHELL.map((p) => new Request(p, { cache: 'reload' })));
    // The QR decoder for phones without BarcodeDetector: kept for offline use when the server has it
    // (make js), outside the shell so that its absence never stops an install.
    await cache.add(new Request('vendor/jsqr.js', { cache: 'reload' })).catch(() => {});
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith('fangxin-') && !KEEP.includes(name)) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

self.addEventListener('fetch', (event) => {
  const req = event.request;
  const url = new URL(req.url);
  const scope = new URL(self.registration.scope);
  if (req.method !== 'GET' || url.origin !== scope.origin || !url.pathname.startsWith(scope.pathname)) return;
  event.respondWith((async () => {
    const cache = await caches.open(SHELL_CACHE);
    const hit = req.mode === 'navigate' ? await cache.match('./') : await cache.match(req, { ignoreSearch: true });
    return hit || fetch(req);
  })());
});

self.addEventListener('message', (event) => {
  if (event.data && event.data.type === 'SKIP_WAITING') self.skipWaiting();
  if (event.data && event.data.type === 'VERSION') event.source.postMessage({ type: 'VERSION', version: VERSION });
});
