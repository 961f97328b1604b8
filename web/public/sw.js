// Planboard's service worker: keeps the app shell (HTML, scripts, styles, fonts, icons) so a
// board opens, with its edits kept in IndexedDB, even when the network is gone. Network first,
// cache as fallback; the API and the websocket are never cached.
const CACHE = 'planboard-shell-v1';

self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== self.location.origin) return;
  if (url.pathname.startsWith('/api/') || url.pathname.startsWith('/ws/')) return;
  const isPage = request.mode === 'navigate';
  event.respondWith(
    (async () => {
      const cache = await caches.open(CACHE);
      try {
        const response = await fetch(request);
        if (response.ok) await cache.put(isPage ? '/index.html' : request, response.clone());
        return response;
      } catch (error) {
        const cached = await cache.match(isPage ? '/index.html' : request);
        if (cached) return cached;
        throw error;
      }
    })(),
  );
});
