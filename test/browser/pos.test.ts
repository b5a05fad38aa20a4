// The point-of-service app in Debian's Chromium, with a fake camera that shows the printed
// card: the operator opens /pos, signs in and enrols the device, downloads the pack, goes
// offline (the browser context set offline), reloads the page — it still loads — scans the
// card, hands over its food box, hands over part of a second person's fuel quota by an attested
// identity document (with the cash co-payment), comes back online and syncs. The server then
// holds exactly those two redemptions, and a second device trying the first entitlement gets a
// conflict. Screenshots of each step in test-output/.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PNG } from 'pngjs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { insertGrant, insertStaff, totpCode } from '../../src/auth';
import { configureCredentials, issuePersonCard, renderStoredCard } from '../../src/credentials';
import { createPoint, registerDevice, setPointOperator } from '../../src/distribution';
import {
  approveCycle,
  createCycle,
  createProgramme,
  entitlementId,
  freezeCycle,
  generateEntitlements,
  type ProgrammeInput,
} from '../../src/programs';
import { enrolPerson } from '../../src/registry';
import { canonicalJson } from '../../src/shared/canonical-json';
import { systemActor } from '../../src/shared/access';
import type { Caller } from '../../src/shared/context';
import { chainStart, newDeviceKeyPair, nextEntry } from '../../web/pos/chain';
import { distinctPerson, staff } from '../support/app';
import { screenshots, skipWithoutChromium } from '../support/browser';
import { assertAccessible } from '../support/console-steps';
import { createTestDatabase } from '../support/engines';
import { signedInAgent, startTestServer, type TestServer } from '../support/http';

const chromiumPath = '/usr/bin/chromium';
const system: Caller = { actor: systemActor('pos-browser-test') };

/**
 * A Y4M video (YUV 4:2:0, full-range BT.601, as C420jpeg says) of the card's PNG on a white
 * background with a margin, for Chromium's fake camera. Every frame is the same picture.
 */
function y4mOfPng(png: Buffer, frames = 2): Buffer {
  const card = PNG.sync.read(png);
  const margin = 96;
  const width = (card.width + 2 * margin + 1) & ~1;
  const height = (card.height + 2 * margin + 1) & ~1;
  const rgb = new Uint8Array(width * height * 3).fill(255);
  for (let y = 0; y < card.height; y++)
    for (let x = 0; x < card.width; x++) {
      const from = (y * card.width + x) * 4;
      const to = ((y + margin) * width + (x + margin)) * 3;
      const alpha = card.data[from + 3]! / 255;
      for (let c = 0; c < 3; c++)
        rgb[to + c] = Math.round(card.data[from + c]! * alpha + 255 * (1 - alpha));
    }
  const yPlane = Buffer.alloc(width * height);
  const uPlane = Buffer.alloc((width / 2) * (height / 2));
  const vPlane = Buffer.alloc((width / 2) * (height / 2));
  const clamp = (v: number) => Math.max(0, Math.min(255, Math.round(v)));
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      yPlane[y * width + x] = clamp(0.299 * rgb[i]! + 0.587 * rgb[i + 1]! + 0.114 * rgb[i + 2]!);
    }
  for (let y = 0; y < height; y += 2)
    for (let x = 0; x < width; x += 2) {
      let r = 0;
      let g = 0;
      let b = 0;
      for (const [dx, dy] of [
        [0, 0],
        [1, 0],
        [0, 1],
        [1, 1],
      ] as const) {
        const i = ((y + dy) * width + (x + dx)) * 3;
        r += rgb[i]! / 4;
        g += rgb[i + 1]! / 4;
        b += rgb[i + 2]! / 4;
      }
      const at = (y / 2) * (width / 2) + x / 2;
      uPlane[at] = clamp(128 - 0.168736 * r - 0.331264 * g + 0.5 * b);
      vPlane[at] = clamp(128 + 0.5 * r - 0.418688 * g - 0.081312 * b);
    }
  const frame = Buffer.concat([Buffer.from('FRAME\n'), yPlane, uPlane, vPlane]);
  return Buffer.concat([
    Buffer.from(`YUV4MPEG2 W${width} H${height} F10:1 Ip A1:1 C420jpeg\n`),
    ...Array.from({ length: frames }, () => frame),
  ]);
}

function programme(code: string, overrides: Partial<ProgrammeInput>): ProgrammeInput {
  return {
    code,
    kind: 'basket',
    target: 'person',
    schedule: 'monthly',
    name: { es: 'Caja de alimentos', en: 'Food box' },
    rule: 'age >= 0',
    benefit: {
      kind: 'basket',
      items: [{ code: 'box', name: { es: 'Caja CLAP', en: 'Food box' }, quantity: 1, unit: 'box' }],
    },
    coPayment: 0n,
    currency: 'VES',
    serviceAreas: [{ regionCode: 'VE-A' }],
    retentionDays: 30,
    stagger: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    ...overrides,
  } as ProgrammeInput;
}

describe(
  'point-of-service app in Chromium, online and offline',
  { skip: skipWithoutChromium },
  () => {
    let t: TestServer;
    let dispose: () => Promise<void> = async () => {};
    let browser: Browser;
    let context: BrowserContext;
    let page: Page;
    let base = '';
    let enrolmentCode = '';
    let pointId = '';
    const operator = { username: 'operadora.pos', oneTimePassword: '', newPassword: '' };
    const people: { id: string; registryNumber: string; birthDate: string }[] = [];
    let foodA = '';
    let fuelB = '';
    let step = 0;
    let videoDir = '';
    const elsewhere: string[] = [];
    const shot = async (name: string) => {
      step++;
      await page.screenshot({
        path: `${screenshots}pos-${String(step).padStart(2, '0')}-${name}.png`,
        fullPage: true,
      });
    };

    before(async () => {
      mkdirSync(screenshots, { recursive: true });
      const db = await createTestDatabase('sqlite');
      t = await startTestServer(db.db);
      // The browser's clock is real (TOTP, card validity, the pack's expiry): so is the server's.
      t.app.now = () => new Date();
      configureCredentials(t.app, {
        keyEncryptionKey: randomBytes(32),
        issuer: 'https://tessera.test',
      });
      const today = new Date().toISOString().slice(0, 10);

      // Two people in the point's region: A with a printed card, B without one.
      for (const name of ['Yusmary', 'Eleazar']) {
        const p = distinctPerson(name);
        const made = await enrolPerson(t.app, system, p);
        people.push({ id: made.id, registryNumber: made.registryNumber, birthDate: p.birthDate });
      }
      const registrar = staff('registrar', '*', 'card_issuance');
      const card = await issuePersonCard(t.app, registrar, people[0]!.id);
      const png = await renderStoredCard(t.app, registrar, card.serial, { format: 'png' });
      writeFileSync(`${screenshots}pos-card.png`, png.body);
      // The fake camera's video: a throwaway file, not something for people to look at.
      videoDir = mkdtempSync(join(tmpdir(), 'tessera-pos-camera-'));
      const video = join(videoDir, 'card.y4m');
      writeFileSync(video, y4mOfPng(Buffer.from(png.body)));

      // Two programmes with an approved cycle open today, a point serving both.
      const admin: Caller = { actor: { ...systemActor('pos-admin'), kind: 'system' } };
      const approver: Caller = { actor: systemActor('pos-approver') };
      const food = await createProgramme(t.app, admin, programme('food_pos', {}));
      const fuel = await createProgramme(
        t.app,
        admin,
        programme('fuel_pos', {
          kind: 'quota',
          name: { es: 'Combustible', en: 'Fuel' },
          benefit: {
            kind: 'quota',
            item: {
              code: 'gasoline',
              name: { es: 'Gasolina', en: 'Gasoline' },
              quantity: 40,
              unit: 'l',
            },
          },
          coPayment: 50n,
        }),
      );
      const month = today.slice(0, 7);
      const [y, m] = month.split('-').map(Number);
      const lastDay = new Date(Date.UTC(y!, m!, 0)).toISOString().slice(0, 10);
      const cycles: string[] = [];
      for (const p of [food, fuel]) {
        const c = await createCycle(t.app, admin, {
          programmeId: p.id,
          label: month,
          opensOn: `${month}-01`,
          closesOn: lastDay,
        });
        await freezeCycle(t.app, admin, c.id);
        await generateEntitlements(t.app, admin, c.id);
        await approveCycle(t.app, approver, c.id);
        cycles.push(c.id);
      }
      foodA = entitlementId(cycles[0]!, people[0]!.id);
      fuelB = entitlementId(cycles[1]!, people[1]!.id);
      const point = await createPoint(t.app, system, {
        code: 'DEP-CAND',
        name: 'Depósito La Candelaria',
        kind: 'food_depot',
        regionCode: 'VE-A',
        programmeIds: [food.id, fuel.id],
      });
      pointId = point.id;

      // An operator assigned to the point (signing in for the first time on the device), and
      // the device registered, waiting for its enrolment code.
      const made = await t.app.db.transaction(async (trx) => {
        const s = await insertStaff(trx, t.app, system, {
          username: operator.username,
          displayName: 'Operadora del depósito',
        });
        await insertGrant(trx, t.app, system, s.account.id, 'operator', ['VE-A']);
        return s;
      });
      operator.oneTimePassword = made.oneTimePassword;
      operator.newPassword = 'mostrador de la candelaria';
      await setPointOperator(t.app, system, pointId, made.account.id, true);
      const device = await registerDevice(t.app, system, {
        pointId,
        name: 'Teléfono del mostrador',
        offlineDailyCap: 300,
      });
      enrolmentCode = device.enrolmentCode;

      await t.server.listen({ host: '127.0.0.1', port: 0 });
      const address = t.server.server.address();
      base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;

      // A browser of its own: the fake camera is a launch flag.
      browser = await chromium.launch({
        executablePath: chromiumPath,
        args: [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
          '--use-fake-device-for-media-stream',
          '--use-fake-ui-for-media-stream',
          `--use-file-for-fake-video-capture=${video}`,
        ],
      });
      context = await browser.newContext({
        viewport: { width: 360, height: 640 },
        deviceScaleFactor: 2,
        isMobile: true,
        hasTouch: true,
      });
      await context.grantPermissions(['camera'], { origin: base });
      page = await context.newPage();
      page.setDefaultTimeout(20_000);
      page.on('pageerror', (e) => console.log(`page error: ${e.message}`));
      // Everything the app needs — the ZXing wasm included — comes from our server, never a CDN.
      context.on('request', (r) => {
        if (
          !r.url().startsWith(base) &&
          !r.url().startsWith('data:') &&
          !r.url().startsWith('blob:')
        )
          elsewhere.push(r.url());
      });
      dispose = async () => {
        await browser.close();
        await t.server.close();
        await db.dispose();
        rmSync(videoDir, { recursive: true, force: true });
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
        await page.evaluate(() =>
          document.querySelector('link[rel=manifest]')?.getAttribute('href'),
        ),
        '/pos.webmanifest',
      );

      // The console's own first sign-in, on the device: TOTP enrolment, then a new password.
      await page.fill('#sign-in-form input[name=username]', operator.username);
      await page.fill('#sign-in-form input[name=password]', operator.oneTimePassword);
      await page.click('#sign-in-form button[type=submit]');
      await page.waitForSelector('#enrol-secret');
      const secret = ((await page.textContent('#enrol-secret')) ?? '').trim();
      await page.fill('#enrol-form input[name=code]', totpCode(secret, Date.now()));
      await page.click('#enrol-form button[type=submit]');
      await page.click('#recovery-done');
      await page.fill('#password-form input[name=currentPassword]', operator.oneTimePassword);
      await page.fill('#password-form input[name=newPassword]', operator.newPassword);
      await page.fill('#password-form input[name=repeatPassword]', operator.newPassword);
      await page.click('#password-form button[type=submit]');
      await page.waitForSelector('#enrol-device-form');
      await shot('signed-in');

      // Enrol with the one-time code: the device's key is made in the browser.
      await page.fill('#enrol-device-form input[name=code]', enrolmentCode.toLowerCase());
      await page.click('#enrol-device-form button[type=submit]');
      await page.waitForSelector('#home');
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
      assert.equal(await page.textContent('#person-rn'), people[0]!.registryNumber);
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
      await page.fill('#proof-form input[name=registryNumber]', people[1]!.registryNumber);
      await page.fill('#proof-form input[name=birthDate]', people[1]!.birthDate);
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
      await setPointOperator(t.app, system, pointId, second.staffId, true);
      const other = await registerDevice(t.app, system, {
        pointId,
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
        .where('person_id', '=', people[0]!.id)
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
      assert.ok(canonicalJson(signed.entry).length > 0);
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
  },
);
