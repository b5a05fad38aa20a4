// The first-screen budget of the staff console (issue 10) and of the cardholder portal /me
// (issue 14: the console's budget applies). Builds the web app, then:
//  1. sums the JavaScript dist/web/index.html loads up front (its module script and every
//     modulepreload link), as gzip and brotli (the .gz/.br files the build writes beside them),
//     against a 150 KB (150,000 bytes) limit;
//  2. serves the app in-process on 127.0.0.1 (a test app on a fresh SQLite database), opens
//     Debian's Chromium through playwright-core, throttles it to Chromium's "Slow 3G" preset
//     (2,000 ms latency, 50,000 bytes/s down and up, i.e. 400 kbit/s) over CDP, and measures
//     from navigation start until the sign-in form is visible and its username input enabled:
//     a cold load (cache disabled, no service worker) against 3,000 ms, and a warm load (a
//     second navigation with the HTTP cache and the service worker allowed).
// Prints the figures honestly, over the limit or not; the last line is one JSON object.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { authenticator, errorTranslators, wireDomains } from '../src/app';
import { migrateToLatest, openDatabase } from '../src/db';
import { buildServer } from '../src/http/server';
import { allRoutes, migrations } from '../src/modules';
import { testApp } from '../test/support/app';

const root = new URL('..', import.meta.url).pathname;
const dist = join(root, 'dist/web');
const jsLimitBytes = 150_000;
const coldLimitMs = 3_000;
const slow3g = { latency: 2_000, downloadThroughput: 50_000, uploadThroughput: 50_000 };
const chromiumPath = '/usr/bin/chromium';

const build = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) throw new Error('npm run build failed');

// 1. The first screen's JavaScript, of the console (index.html) and of the portal (me.html).
function firstScreenJs(page: string) {
  const html = readFileSync(join(dist, page), 'utf8');
  const scripts = [...html.matchAll(/<script\b[^>]*\bsrc="([^"]+\.js)"/g)].map((m) => m[1]!);
  const preloads = [
    ...html.matchAll(/<link\b[^>]*rel="modulepreload"[^>]*href="([^"]+\.js)"/g),
  ].map((m) => m[1]!);
  const files = [...new Set([...scripts, ...preloads])];
  let raw = 0;
  let gzip = 0;
  let brotli = 0;
  for (const file of files) {
    const path = join(dist, file.replace(/^\//, ''));
    const size = (p: string) => (existsSync(p) ? statSync(p).size : Number.NaN);
    const [r, g, b] = [size(path), size(`${path}.gz`), size(`${path}.br`)];
    raw += r;
    gzip += g;
    brotli += b;
    console.log(`  ${file}: ${r} bytes, gzip ${g}, brotli ${b}`);
  }
  console.log(`${page} first screen JavaScript: ${files.length} files, ${kb(raw)} raw`);
  console.log(
    `  gzip ${kb(gzip)}: ratio to the ${kb(jsLimitBytes)} limit ${(gzip / jsLimitBytes).toFixed(2)} ${gzip <= jsLimitBytes ? 'OK' : 'OVER LIMIT'}`,
  );
  console.log(
    `  brotli ${kb(brotli)}: ratio to the limit ${(brotli / jsLimitBytes).toFixed(2)} ${brotli <= jsLimitBytes ? 'OK' : 'OVER LIMIT'}`,
  );
  return { files: files.length, raw, gzip, brotli };
}
const kb = (n: number) => `${(n / 1000).toFixed(1)} KB`;
const consoleJs = firstScreenJs('index.html');
const portalJs = firstScreenJs('me.html');
const { raw, gzip, brotli } = consoleJs;

// 2. Time to a usable sign-in form on Slow 3G.
// (Not test/support/engines: it loads node:test, whose report would follow the JSON line.)
const dbDir = mkdtempSync(join(tmpdir(), 'tessera-web-budget-'));
const db = await openDatabase({ url: join(dbDir, 'bench.db') });
await migrateToLatest(db, migrations);
const app = testApp(db);
app.now = () => new Date();
wireDomains(app);
const server = await buildServer(app, {
  routes: allRoutes(),
  authenticator: authenticator(),
  errorTranslators: errorTranslators(),
});
await server.listen({ host: '127.0.0.1', port: 0 });
const address = server.server.address();
const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
const browser = await chromium.launch({
  executablePath: chromiumPath,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
});
let coldMs = Number.NaN;
let warmMs = Number.NaN;
let serviceWorker = false;
let portalColdMs = Number.NaN;
try {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const page = await context.newPage();
  page.setDefaultTimeout(120_000);
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', { offline: false, ...slow3g });
  // Milliseconds since navigation start (performance.timeOrigin) when the form is usable.
  const usable = async (): Promise<number> => {
    const handle = await page.waitForFunction(
      () => {
        const input = document.querySelector<HTMLInputElement>(
          '#sign-in-form input[name=username]',
        );
        return input && !input.disabled && input.checkVisibility() ? performance.now() : false;
      },
      undefined,
      { polling: 20 },
    );
    return (await handle.jsonValue()) as number;
  };
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  await cdp.send('Network.setBypassServiceWorker', { bypass: true });
  await page.goto(base + '/', { waitUntil: 'commit' });
  coldMs = await usable();
  console.log(
    `cold load to a usable sign-in form (Slow 3G, no cache): ${Math.round(coldMs)} ms; ratio to the ${coldLimitMs} ms limit ${(coldMs / coldLimitMs).toFixed(2)} ${coldMs <= coldLimitMs ? 'OK' : 'OVER LIMIT'}`,
  );
  // Warm: the cache and the service worker allowed; wait (up to 60 s) for the worker to
  // install from the cold load, then navigate again.
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: false });
  await cdp.send('Network.setBypassServiceWorker', { bypass: false });
  await page.goto(base + '/', { waitUntil: 'commit' });
  await usable();
  // The worker, if the page registered one, given up to 60 s to install over Slow 3G.
  serviceWorker = await page.evaluate(async () => {
    if (!('serviceWorker' in navigator)) return false;
    const registration = await navigator.serviceWorker.getRegistration();
    if (!registration) return false;
    return Promise.race([
      navigator.serviceWorker.ready.then(() => true),
      new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 60_000)),
    ]);
  });
  await page.goto(base + '/', { waitUntil: 'commit' });
  warmMs = await usable();
  console.log(
    `warm load (HTTP cache${serviceWorker ? ' and service worker' : ', no service worker registered by the page'}): ${Math.round(warmMs)} ms; ratio to the limit ${(warmMs / coldLimitMs).toFixed(2)}`,
  );
  await context.close();

  // The cardholder portal on the same phone and network, cold: until its sign-in form's
  // registry-number field is usable.
  const portal = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const portalPage = await portal.newPage();
  portalPage.setDefaultTimeout(120_000);
  const portalCdp = await portal.newCDPSession(portalPage);
  await portalCdp.send('Network.enable');
  await portalCdp.send('Network.emulateNetworkConditions', { offline: false, ...slow3g });
  await portalCdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  await portalCdp.send('Network.setBypassServiceWorker', { bypass: true });
  await portalPage.goto(base + '/me', { waitUntil: 'commit' });
  const handle = await portalPage.waitForFunction(
    () => {
      const input = document.querySelector<HTMLInputElement>(
        '#me-sign-in input[name=registryNumber]',
      );
      return input && !input.disabled && input.checkVisibility() ? performance.now() : false;
    },
    undefined,
    { polling: 20 },
  );
  portalColdMs = (await handle.jsonValue()) as number;
  console.log(
    `portal /me cold load to a usable sign-in form (Slow 3G, no cache): ${Math.round(portalColdMs)} ms; ratio to the ${coldLimitMs} ms limit ${(portalColdMs / coldLimitMs).toFixed(2)} ${portalColdMs <= coldLimitMs ? 'OK' : 'OVER LIMIT'}`,
  );
  await portal.close();
} finally {
  await browser.close();
  server.server.closeAllConnections();
  await server.close();
  await db.close();
  rmSync(dbDir, { recursive: true, force: true });
}

console.log(
  JSON.stringify({
    bench: 'web-budget',
    firstScreenJsFiles: consoleJs.files,
    firstScreenJsBytes: raw,
    firstScreenJsGzipBytes: gzip,
    firstScreenJsBrotliBytes: brotli,
    jsLimitBytes,
    gzipRatio: Number((gzip / jsLimitBytes).toFixed(3)),
    brotliRatio: Number((brotli / jsLimitBytes).toFixed(3)),
    network: 'Slow 3G (2000 ms, 50000 B/s)',
    coldMs: Math.round(coldMs),
    coldLimitMs,
    coldRatio: Number((coldMs / coldLimitMs).toFixed(3)),
    warmMs: Math.round(warmMs),
    warmServiceWorker: serviceWorker,
    portalJsGzipBytes: portalJs.gzip,
    portalJsBrotliBytes: portalJs.brotli,
    portalGzipRatio: Number((portalJs.gzip / jsLimitBytes).toFixed(3)),
    portalColdMs: Math.round(portalColdMs),
    portalColdRatio: Number((portalColdMs / coldLimitMs).toFixed(3)),
  }),
);
