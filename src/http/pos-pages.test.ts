// The point-of-service app as the server sends it: /pos revalidated on each load and allowed
// to compile WebAssembly (the ZXing QR reader) — and only /pos: every other page keeps the
// strict policy; its manifest, its icons and the reader's wasm served from our own assets
// (the right types, precompressed); and the service worker keeping all of them for offline.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { forEachEngine } from '../../test/support/engines';
import { startTestServer, type TestServer } from '../../test/support/http';

const scriptSrc = (policy: unknown) =>
  /(?:^|;)\s*script-src ([^;]*)/.exec(String(policy))?.[1]?.trim().split(/\s+/) ?? [];

forEachEngine('the point-of-service pages', ({ db }) => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer(db());
  });
  after(async () => {
    await t.server.close();
  });

  it('lets /pos alone compile WebAssembly, and nothing else besides', async () => {
    const pos = await t.server.inject({ method: 'GET', url: '/pos' });
    assert.equal(pos.statusCode, 200);
    assert.match(String(pos.headers['content-type']), /^text\/html/);
    assert.equal(pos.headers['cache-control'], 'no-cache');
    assert.match(pos.body, /rel="manifest" href="\/pos.webmanifest"/);
    assert.deepEqual(scriptSrc(pos.headers['content-security-policy']), [
      "'self'",
      "'wasm-unsafe-eval'",
    ]);
    for (const url of ['/', '/verify']) {
      const other = await t.server.inject({ method: 'GET', url });
      assert.deepEqual(scriptSrc(other.headers['content-security-policy']), ["'self'"], url);
    }
    const strict = String(
      (await t.server.inject({ method: 'GET', url: '/verify' })).headers['content-security-policy'],
    );
    const relaxed = String(pos.headers['content-security-policy']);
    assert.equal(relaxed.replace(" 'wasm-unsafe-eval'", ''), strict, 'only script-src differs');
  });

  it('serves the manifest, the icons and the wasm, and keeps them for offline use', async () => {
    const manifest = await t.server.inject({ method: 'GET', url: '/pos.webmanifest' });
    assert.equal(manifest.statusCode, 200);
    assert.match(String(manifest.headers['content-type']), /^application\/manifest\+json/);
    const m = manifest.json<{ start_url: string; display: string; icons: { src: string }[] }>();
    assert.equal(m.start_url, '/pos');
    assert.equal(m.display, 'standalone');
    const sw = (await t.server.inject({ method: 'GET', url: '/sw.js' })).body;
    const precache = JSON.parse(/const precache = (\[[^\]]*\]);/.exec(sw)?.[1] ?? '[]') as string[];
    for (const path of ['/pos', '/pos.webmanifest', ...m.icons.map((i) => i.src)])
      assert.ok(precache.includes(path), `${path} is kept offline`);
    const wasm = precache.find((p) => /^\/assets\/zxing_reader-[\w-]+\.wasm$/.test(p));
    assert.ok(wasm, 'the QR reader’s wasm is one of our assets, kept offline');
    const got = await t.server.inject({
      method: 'GET',
      url: wasm,
      headers: { 'accept-encoding': 'br' },
    });
    assert.equal(got.statusCode, 200);
    assert.equal(got.headers['content-type'], 'application/wasm');
    assert.equal(got.headers['content-encoding'], 'br');
    for (const icon of m.icons) {
      const png = await t.server.inject({ method: 'GET', url: icon.src });
      assert.equal(png.headers['content-type'], 'image/png', icon.src);
    }
  });
});
