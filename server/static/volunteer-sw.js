// The 消费义工's pages offline: every page under /v/ and the files they use are fetched from the network when it
// answers and kept; without a network the kept copy is served. The script (volunteer.js) fills the cache with
// the volunteer's open assignments while online. Visits sent offline are kept by the page, not here.
const CACHE = 'fangxin-volunteer-v1';

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    await cache.addAll(['/v/', '/static/admin.css', '/static/volunteer.js']).catch(() => {});
    await self.skipWaiting();
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith('fangxin-volunteer-') && name !== CACHE) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

self.addEventListener('fetch', (event) => {
  const req = event.request;
  const url = new URL(req.url);
  if (req.method !== 'GET' || url.origin !== self.location.origin) return;
  if (!(url.pathname.startsWith('/v/') || url.pathname.startsWith('/static/')) || url.pathname === '/v/sw.js') return;
  event.respondWith((async () => {
    const cache = await caches.open(CACHE);
    try {
      const res = await fetch(req);
      // Only the volunteer's own pages as they were served to them (never a login page after a redirect).
      if (res.ok && !res.redirected) await cache.put(req, res.clone());
      return res;
    } catch (err) {
      const hit = await cache.match(req, { ignoreSearch: true });
      if (hit) return hit;
      throw err;
    }
  })());
});
