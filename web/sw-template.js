// The service worker (written into dist/web/sw.js by web/vite.config.ts, with the build's
// file list): it keeps the card check — its page and every asset — so that /verify loads and
// works with no network after one visit. Pages are network-first (a connected device always
// gets the newest), falling back to the kept copy; hashed assets never change, so cache-first.
// The API is never cached: the lists live in IndexedDB, under the page's control.
const version = __VERSION__;
const precache = __PRECACHE__;
const cacheName = `tessera-${version}`;

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(cacheName)
      .then((cache) => cache.addAll(precache))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) =>
        Promise.all(
          names
            .filter((n) => n.startsWith('tessera-') && n !== cacheName)
            .map((n) => caches.delete(n)),
        ),
      )
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== 'GET' || url.origin !== self.location.origin) return;
  if (url.pathname.startsWith('/assets/')) {
    event.respondWith(caches.match(event.request).then((hit) => hit ?? fetch(event.request)));
    return;
  }
  if (url.pathname === '/verify') {
    event.respondWith(
      fetch(event.request)
        .then((response) => {
          const copy = response.clone();
          if (response.ok) void caches.open(cacheName).then((c) => c.put('/verify', copy));
          return response;
        })
        .catch(() => caches.match('/verify').then((hit) => hit ?? Response.error())),
    );
  }
});
