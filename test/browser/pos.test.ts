// The point-of-service app in Debian's Chromium, with a fake camera that shows the printed
// card: the operator opens /pos, signs in and enrols the device, downloads the pack, goes
// offline (the browser context set offline), reloads the page — it still loads — scans the
// card, hands over its food box, hands over part of a second person's fuel quota by an attested
// identity document (with the cash co-payment), comes back online and syncs. The server then
// holds exactly those two redemptions, and a second device trying the first entitlement gets a
// conflict. Screenshots of each step in test-output/.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { registerDevice, setPointOperator } from '../../src/distribution';
import { systemActor } from '../../src/shared/access';
import type { Caller } from '../../src/shared/context';
import { chainStart, newDeviceKeyPair, nextEntry } from '../../web/pos/chain';
import { screenshots, skipWithoutChromium } from '../support/browser';
import { assertAccessible } from '../support/console-steps';
import { createTestDatabase } from '../support/engines';
import { signedInAgent, startTestServer, type TestServer } from '../support/http';
import {
  enrolOnPos,
  phoneWithCamera,
  posFixture,
  signInOnPos,
  type PosFixture,
} from '../support/pos-steps';

const system: Caller = { actor: systemActor('pos-browser-test') };

describe('point-of-service app in Chromium, offline', { skip: skipWithoutChromium }, () => {
  let t: TestServer;
  let f: PosFixture;
  let dispose: () => Promise<void> = async () => {};
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let base = '';
  let foodA = '';
  let fuelB = '';
  let step = 0;
  const elsewhere: string[] = [];
  const shot = async (name: string) => {
    step++;
    await page.screenshot({
      path: `${screenshots}pos-${String(step).padStart(2, '0')}-${name}.png`,
      fullPage: true,
    });
  };

  before(async () => {
    const db = await createTestDatabase('sqlite');
    t = await startTestServer(db.db);
    f = await posFixture(t, 'pos');
    foodA = f.food(f.a);
    fuelB = f.fuel(f.b);
    await t.server.listen({ host: '127.0.0.1', port: 0 });
    const address = t.server.server.address();
    base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    ({ browser, context, page } = await phoneWithCamera(base, f.video));
    // Everything the app needs — the ZXing wasm included — comes from our server, never a CDN.
    context.on('request', (r) => {
      const url = r.url();
      if (!url.startsWith(base) && !url.startsWith('data:') && !url.startsWith('blob:'))
        elsewhere.push(url);
    });
    dispose = async () => {
      await browser.close();
      await t.server.close();
      await db.dispose();
      f.cleanUp();
    };
  });

  after(async () => {
    await dispose();
  });

  it('enrols, downloads the pack, hands over twice offline, syncs; a second device conflicts', async () => {
    // Open /pos: no device yet, so it asks an operator to sign in.
    await page.goto(`${base}/pos`);
    await page.waitForSelector('#enrol #sign-in-form');
    assert.equal(await page.getAttribute('html', 'lang'), 'es', 'Spanish by default');
    await assertAccessible(page, '/pos enrolment');
    await shot('open');

    // Installable: a manifest with its own window, starting at /pos, and PNG icons we serve.
    const manifest = (await (await fetch(`${base}/pos.webmanifest`)).json()) as {
      display: string;
      start_url: string;
      icons: { src: string; sizes: string; type: string }[];
    };
    assert.equal(manifest.display, 'standalone');
    assert.equal(manifest.start_url, '/pos');
    assert.deepEqual([...new Set(manifest.icons.map((i) => i.sizes))], ['192x192', '512x512']);
    for (const icon of manifest.icons) {
      const got = await fetch(`${base}${icon.src}`);
      assert.equal(got.headers.get('content-type'), 'image/png', icon.src);
    }
    assert.equal(
      await page.evaluate(() => document.querySelector('link[rel=manifest]')?.getAttribute('href')),
      '/pos.webmanifest',
    );

    // The console's own first sign-in, on the device: TOTP enrolment, then a new password.
    await signInOnPos(page, f);
    await shot('signed-in');

    // Enrol with the one-time code: the device's key is made in the browser.
    await enrolOnPos(page, f);
    assert.equal(await page.textContent('#point-name'), 'Depósito La Candelaria');
    const stored = await page.evaluate(async () => {
      const open = indexedDB.open('tessera-pos');
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        open.onsuccess = () => resolve(open.result);
        open.onerror = () => reject(open.error ?? new Error('no db'));
      });
      const got = db.transaction('device').objectStore('device').get('current');
      const device = await new Promise<{
        deviceId: string;
        token: string;
        keyPair: CryptoKeyPair;
      }>((resolve) => (got.onsuccess = () => resolve(got.result)));
      db.close();
      return {
        deviceId: device.deviceId,
        token: device.token.slice(0, 4),
        extractable: device.keyPair.privateKey.extractable,
        type: device.keyPair.privateKey.algorithm.name,
      };
    });
    assert.deepEqual(
      { ...stored, deviceId: undefined },
      { deviceId: undefined, token: 'tsk_', extractable: false, type: 'Ed25519' },
    );
    const deviceRow = await t.app.db.kysely
      .selectFrom('devices')
      .select(['status', 'public_key'])
      .where('id', '=', stored.deviceId)
      .executeTakeFirstOrThrow();
    assert.equal(deviceRow.status, 'active');
    await assertAccessible(page, '/pos home');
    await shot('enrolled');

    // Download the pack (signature checked in the browser with the pack key).
    await page.click('#download-pack');
    await page.waitForSelector('#pack-status[data-leases="4"]');
    await page.waitForSelector('#offline-ready');
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
    await shot('pack');

    // No network. The page still loads (the service worker's kept copy).
    await context.setOffline(true);
    await page.reload();
    await page.waitForSelector('#home');
    await page.waitForSelector('#network[data-online="false"]');
    assert.equal(await page.textContent('#point-name'), 'Depósito La Candelaria');
    await page.waitForSelector('#pack-status[data-leases="4"]');
    await shot('offline-reloaded');

    // Scan the card from the (fake) camera: verified with the pack's lists, in the browser.
    await page.click('#scan');
    await page.waitForSelector('#counter[data-mode="offline"]');
    await page.waitForSelector('#verdict[data-verdict="valid"]', { timeout: 60_000 });
    assert.equal(await page.textContent('#verdict-title'), 'Tarjeta válida');
    assert.equal(
      await page.evaluate(() => 'BarcodeDetector' in globalThis),
      false,
      'Chromium on Linux has no BarcodeDetector: ZXing’s wasm read the card',
    );
    assert.equal(await page.textContent('#person-rn'), f.a.registryNumber);
    const lineA = `#entitlements li[data-entitlement="${foodA}"]`;
    await page.waitForSelector(`${lineA}[data-state="redeemable"]`);
    assert.match((await page.textContent(lineA)) ?? '', /Del .+ al .+/, 'the window is shown');
    await assertAccessible(page, '/pos counter, card verified offline');
    await shot('card-scanned');

    // Hand over A's food box, offline: a signed, chained entry in the outbox.
    await page.click(`${lineA} button.redeem`);
    await page.waitForSelector('#receipt[data-mode="offline"]');
    assert.match((await page.textContent('#receipt-code')) ?? '', /n\.º 1/);
    await shot('redeemed-by-card');

    // B has no card: registry number and date of birth, then an attested document; part of
    // the fuel quota, with the co-payment taken in cash.
    await page.click('#next-person');
    await page.waitForSelector('#queued[data-count="1"]');
    await page.click('#no-card');
    await page.fill('#proof-form input[name=registryNumber]', f.b.registryNumber);
    await page.fill('#proof-form input[name=birthDate]', f.b.birthDate);
    await page.click('#proof-form button[type=submit]');
    await page.waitForSelector('#proof-choice');
    await page.selectOption('#proof-choice select[name=documentType]', 'national_id');
    await page.fill('#proof-choice input[name=documentNumber]', 'V-14.222.333');
    await page.fill('#proof-choice input[name=reason]', 'No trajo la tarjeta; cédula revisada');
    const lineB = `#entitlements li[data-entitlement="${fuelB}"]`;
    await page.fill(`${lineB} input[name=quantity]`, '10');
    await page.check(`${lineB} input[name=cash]`);
    await assertAccessible(page, '/pos counter, another proof offline');
    await shot('document-proof');
    await page.click(`${lineB} button.redeem`);
    await page.waitForSelector('#receipt[data-mode="offline"]');
    assert.match((await page.textContent('#receipt')) ?? '', /10 l/);
    await shot('redeemed-by-document');
    await page.click('#next-person');
    await page.waitForSelector('#queued[data-count="2"]');
    await shot('queued');

    // Nothing reached the server while offline.
    const before = await t.app.db.kysely.selectFrom('redemptions').selectAll().execute();
    assert.equal(before.length, 0);

    // Back online: sync.
    await context.setOffline(false);
    await page.waitForSelector('#network[data-online="true"]');
    await page.click('#sync');
    await page.waitForSelector('#queued[data-count="0"]');
    await page.waitForSelector('#sync-results li[data-outcome="redeemed"][data-counter="2"]');
    assert.equal(await page.locator('#sync-results li[data-outcome="redeemed"]').count(), 2);
    assert.equal(await page.getAttribute('#conflicts', 'data-count'), '0');
    await shot('synced');
    assert.deepEqual(elsewhere, [], 'nothing was fetched from another origin');

    // English when chosen, remembered on this device (the console's choice).
    await page.selectOption('#language', 'en');
    await page.reload();
    assert.equal(await page.getAttribute('html', 'lang'), 'en');
    assert.equal(await page.textContent('#scan'), 'Scan card');
    await shot('english');

    // The server holds exactly those two redemptions, both recorded offline.
    const rows = await t.app.db.kysely
      .selectFrom('redemptions')
      .selectAll()
      .orderBy('offline_counter')
      .execute();
    assert.deepEqual(
      rows.map((r) => ({
        entitlement: `${r.cycle_id}.${r.person_id}`,
        quantity: r.quantity,
        channel: r.channel,
        proof: r.proof_kind,
        counter: r.offline_counter,
        coPayment: [r.co_payment_method, String(r.co_payment_minor)],
      })),
      [
        {
          entitlement: foodA,
          quantity: 1,
          channel: 'offline',
          proof: 'card',
          counter: 1,
          coPayment: ['none', '0'],
        },
        {
          entitlement: fuelB,
          quantity: 10,
          channel: 'offline',
          proof: 'document',
          counter: 2,
          coPayment: ['cash', '500'],
        },
      ],
    );

    // A second device of the point tries the first entitlement: a conflict, never a delivery.
    const second = await signedInAgent(t, [{ role: 'operator', regions: ['VE-A'] }]);
    await setPointOperator(t.app, system, f.pointId, second.staffId, true);
    const other = await registerDevice(t.app, system, {
      pointId: f.pointId,
      name: 'Segundo teléfono',
      offlineDailyCap: 300,
    });
    const keys = await newDeviceKeyPair();
    const enrolled = await second.request({
      method: 'POST',
      url: '/api/v1/devices/enrol',
      payload: { code: other.enrolmentCode, publicKey: keys.publicKey },
    });
    assert.equal(enrolled.statusCode, 201, enrolled.body);
    const token = enrolled.json<{ token: string }>().token;
    const asDevice = { authorization: `Bearer ${token}` };
    const pack = await t.server.inject({
      method: 'GET',
      url: '/api/v1/device/pack',
      headers: asDevice,
    });
    assert.equal(pack.statusCode, 200, pack.body);
    const leases = pack.json<{ pack: { leases: { entitlementId: string }[] } }>().pack.leases;
    assert.ok(!leases.some((l) => l.entitlementId === foodA), 'not leased to the second device');
    const firstLease = await t.app.db.kysely
      .selectFrom('leases')
      .select('id')
      .where('cycle_id', '=', foodA.split('.')[0]!)
      .where('person_id', '=', f.a.id)
      .executeTakeFirstOrThrow();
    const { signed } = await nextEntry(
      other.device.id,
      { counter: 0, hash: chainStart },
      {
        entitlementId: foodA,
        leaseId: firstLease.id,
        quantity: 1,
        proof: {
          kind: 'document',
          documentType: 'national_id',
          documentNumber: 'V-1',
          reason: 'Dice que no ha retirado',
        },
        coPayment: { method: 'none', amount: '0' },
        redeemedAt: new Date().toISOString(),
      },
      keys.keyPair.privateKey,
    );
    const synced = await t.server.inject({
      method: 'POST',
      url: '/api/v1/device/sync',
      headers: asDevice,
      payload: { entries: [signed] },
    });
    assert.equal(synced.statusCode, 200, synced.body);
    const answer = synced.json<{
      redeemed: unknown[];
      conflicts: { counter: number; reason: string }[];
    }>();
    assert.deepEqual(answer.redeemed, []);
    assert.equal(answer.conflicts.length, 1, synced.body);
    assert.equal(answer.conflicts[0]!.counter, 1);
    const after = await t.app.db.kysely.selectFrom('redemptions').selectAll().execute();
    assert.equal(after.length, 2, 'still exactly the two redemptions');
    const conflicts = await t.app.db.kysely
      .selectFrom('conflicts')
      .selectAll()
      .where('device_id', '=', other.device.id)
      .execute();
    assert.equal(conflicts.length, 1);
  });
});
