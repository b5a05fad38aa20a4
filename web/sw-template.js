// The service worker (written into dist/web/sw.js by web/vite.config.ts, with the build's
// file list): it keeps the card check, the point-of-service app and the staff console's shell
// — their pages (/verify, /pos and its manifest, and /) and every asset, the ZXing wasm
// included — so that /verify and /pos load and work with no network after one visit, and the
// console opens at once (offline-first) and says so when the server cannot be reached.
// /verify and /pos are network-first (a connected device always gets the newest), falling
// back to the kept copy; / is served from the kept copy and refreshed behind it (the next load
// has the newest); hashed assets never change, so cache-first. The API is never cached
// (network-only): the lists, the pack and the outbox live in IndexedDB, under the page's
// control, and nothing personal the console shows is ever kept by the worker.
const version = __VERSION__;
const precache = __PRECACHE__;
const cacheName = `tessera-${version}`;
// Pages a connected device always gets fresh, kept for when there is no network.
const networkFirst = ['/verify', '/pos', '/pos.webmanifest'];

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
  if (url.pathname === '/') {
    // The console's shell: the kept copy at once (offline-first), refreshed in the background
    // so that the next load has the newest; the network only when nothing is kept yet.
    const fresh = fetch(event.request).then((response) => {
      const copy = response.clone();
      if (response.ok) void caches.open(cacheName).then((c) => c.put('/', copy));
      return response;
    });
    event.waitUntil(fresh.catch(() => undefined));
    event.respondWith(caches.match('/').then((hit) => hit ?? fresh.catch(() => Response.error())));
    return;
  }
  if (networkFirst.includes(url.pathname)) {
    const path = url.pathname;
    event.respondWith(
      fetch(event.request)
        .then((response) => {
          const copy = response.clone();
          if (response.ok) void caches.open(cacheName).then((c) => c.put(path, copy));
          return response;
        })
        .catch(() => caches.match(path).then((hit) => hit ?? Response.error())),
    );
  }
});
