// The point-of-service app online, in Chromium with the fake camera showing the printed card:
// the card scanned and the server's verdict and entitlements shown; part of a quota handed over
// with the co-payment in cash; a redemption whose answer the network loses, retried with the
// same Idempotency-Key and delivered once; a person without a card proven by a one-time SMS
// code; and a tampered offline record refused at sync as a broken chain, said plainly, with
// nothing cleared from the queue. Screenshots in test-output/.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { queuedNotices } from '../../src/notices';
import { screenshots, skipWithoutChromium } from '../support/browser';
import { assertAccessible } from '../support/console-steps';
import { createTestDatabase } from '../support/engines';
import { startTestServer, type TestServer } from '../support/http';
import {
  enrolOnPos,
  phoneWithCamera,
  posFixture,
  signInOnPos,
  type PosFixture,
} from '../support/pos-steps';

describe('point-of-service app in Chromium, online', { skip: skipWithoutChromium }, () => {
  let t: TestServer;
  let f: PosFixture;
  let dispose: () => Promise<void> = async () => {};
  let browser: Browser;
  let page: Page;
  let base = '';
  let step = 0;
  const shot = async (name: string) => {
    step++;
    await page.screenshot({
      path: `${screenshots}pos-online-${String(step).padStart(2, '0')}-${name}.png`,
      fullPage: true,
    });
  };
  const redemptionsOf = async (entitlement: string) => {
    const [cycleId, personId] = entitlement.split('.');
    return t.app.db.kysely
      .selectFrom('redemptions')
      .selectAll()
      .where('cycle_id', '=', cycleId!)
      .where('person_id', '=', personId!)
      .orderBy('recorded_at')
      .execute();
  };
  const line = (entitlement: string) => `#entitlements li[data-entitlement="${entitlement}"]`;

  before(async () => {
    const db = await createTestDatabase('sqlite');
    t = await startTestServer(db.db);
    f = await posFixture(t, 'posonline');
    await t.server.listen({ host: '127.0.0.1', port: 0 });
    const address = t.server.server.address();
    base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    ({ browser, page } = await phoneWithCamera(base, f.video));
    dispose = async () => {
      await browser.close();
      await t.server.close();
      await db.dispose();
      f.cleanUp();
    };
    await page.goto(`${base}/pos`);
    await signInOnPos(page, f);
    await enrolOnPos(page, f);
  });

  after(async () => {
    await dispose();
  });

  it('scans the card, shows the server’s verdict and hands over part of a quota', async () => {
    await page.click('#scan');
    await page.waitForSelector('#counter[data-mode="online"]');
    await page.waitForSelector('#verdict[data-verdict="valid"]', { timeout: 60_000 });
    const fuel = line(f.fuel(f.a));
    await page.waitForSelector(`${fuel}[data-state="redeemable"]`);
    await page.fill(`${fuel} input[name=quantity]`, '5');
    assert.match((await page.textContent(`${fuel} .copay legend`)) ?? '', /2,50/);
    await assertAccessible(page, '/pos counter online');
    await shot('card-online');
    await page.click(`${fuel} button.redeem`);
    await page.waitForSelector('#receipt[data-mode="online"]');
    const code = ((await page.textContent('#receipt-code')) ?? '').trim();
    const rows = await redemptionsOf(f.fuel(f.a));
    assert.equal(rows.length, 1);
    assert.equal(code, rows[0]!.receipt_code, 'the receipt shows the server’s code');
    assert.deepEqual(
      [rows[0]!.channel, rows[0]!.proof_kind, rows[0]!.quantity, rows[0]!.co_payment_method],
      ['online', 'card', 5, 'cash'],
    );
    assert.equal(String(rows[0]!.co_payment_minor), '250');
    await shot('receipt-online');
  });

  it('retries a redemption whose answer was lost with the same key, delivering once', async () => {
    await page.click('#same-person');
    const fuel = line(f.fuel(f.a));
    await page.waitForSelector(`${fuel}[data-state="redeemable"]`);
    assert.match((await page.textContent(fuel)) ?? '', /quedan 35 de 40/);
    await page.fill(`${fuel} input[name=quantity]`, '5');
    const keys: string[] = [];
    page.on('request', (r) => {
      if (r.url().endsWith('/api/v1/redemptions')) keys.push(r.headers()['idempotency-key'] ?? '');
    });
    // The request reaches the server, which hands over; the answer never reaches the device.
    await page.route('**/api/v1/redemptions', async (route) => {
      await route.fetch();
      await route.abort('failed');
    });
    await page.click(`${fuel} button.redeem`);
    await page.waitForSelector('#unanswered');
    assert.ok(await page.isDisabled(`${fuel} button.redeem`), 'no second hand-over meanwhile');
    await shot('unanswered');
    await page.unroute('**/api/v1/redemptions');
    assert.equal((await redemptionsOf(f.fuel(f.a))).length, 2, 'the server did hand over');
    await page.click('#resend');
    await page.waitForSelector('#receipt[data-mode="online"]');
    assert.equal(keys.length, 2);
    assert.ok(keys[0] && keys[0] === keys[1], 'the retry carried the same Idempotency-Key');
    const rows = await redemptionsOf(f.fuel(f.a));
    assert.equal(rows.length, 2, 'delivered once');
    assert.equal(((await page.textContent('#receipt-code')) ?? '').trim(), rows[1]!.receipt_code);
    await page.click('#next-person');
    await page.waitForSelector('#home');
    assert.equal(await page.$('#pending'), null, 'nothing left awaiting an answer');
  });

  it('proves a person without a card by a one-time SMS code', async () => {
    await page.click('#no-card');
    await page.fill('#proof-form input[name=registryNumber]', f.b.registryNumber);
    await page.fill('#proof-form input[name=birthDate]', f.b.birthDate);
    await page.click('#proof-form button[type=submit]');
    await page.waitForSelector('#proof-choice');
    assert.match((await page.textContent('#proof-choice')) ?? '', /•••• 4567/);
    await page.check('#proof-sms');
    await page.click('#send-code');
    await page.waitForSelector('#proof-choice input[name=smsCode]');
    const sms = (await queuedNotices(t.app.db.kysely, f.b.id)).find(
      (n) => n.template === 'proof_code',
    );
    assert.ok(sms, 'the code was sent to the phone on record');
    await page.fill('#proof-choice input[name=smsCode]', sms.params.code!);
    await assertAccessible(page, '/pos counter, SMS code');
    await shot('sms-code');
    await page.click(`${line(f.food(f.b))} button.redeem`);
    await page.waitForSelector('#receipt[data-mode="online"]');
    const rows = await redemptionsOf(f.food(f.b));
    assert.deepEqual(
      rows.map((r) => [r.channel, r.proof_kind]),
      [['online', 'sms_code']],
    );
    await page.click('#next-person');
  });

  it('says plainly that an altered offline record broke the chain, and clears nothing', async () => {
    await page.click('#download-pack');
    await page.waitForSelector('#pack-status:not([data-leases="0"])');
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
    await page.context().setOffline(true);
    await page.waitForSelector('#network[data-online="false"]');
    await page.click('#no-card');
    await page.fill('#proof-form input[name=registryNumber]', f.b.registryNumber);
    await page.fill('#proof-form input[name=birthDate]', f.b.birthDate);
    await page.click('#proof-form button[type=submit]');
    await page.waitForSelector('#proof-choice');
    await page.selectOption('#proof-choice select[name=documentType]', 'passport');
    await page.fill('#proof-choice input[name=documentNumber]', 'P-0099123');
    await page.fill('#proof-choice input[name=reason]', 'Dejó la tarjeta en casa');
    const fuel = line(f.fuel(f.b));
    await page.fill(`${fuel} input[name=quantity]`, '5');
    await page.check(`${fuel} input[name=cash]`);
    await page.click(`${fuel} button.redeem`);
    await page.waitForSelector('#receipt[data-mode="offline"]');
    await page.click('#next-person');
    await page.waitForSelector('#queued[data-count="1"]');
    // Someone alters the recorded quantity on the device, without the device key.
    await page.evaluate(async () => {
      const open = indexedDB.open('tessera-pos');
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        open.onsuccess = () => resolve(open.result);
        open.onerror = () => reject(open.error ?? new Error('no db'));
      });
      const tx = db.transaction('outbox', 'readwrite');
      const store = tx.objectStore('outbox');
      const got = store.get(1);
      await new Promise((resolve) => (got.onsuccess = resolve));
      const signed = got.result as { entry: { quantity: number } };
      signed.entry.quantity = 6;
      store.put(signed, 1);
      await new Promise((resolve) => (tx.oncomplete = resolve));
      db.close();
    });
    await page.context().setOffline(false);
    await page.waitForSelector('#network[data-online="true"]');
    await page.click('#sync');
    await page.waitForSelector('#last-sync [data-refused="CHAIN_BROKEN"]');
    const said = (await page.textContent('#last-sync')) ?? '';
    assert.match(said, /cadena de registros está rota en el n\.º 1/);
    assert.match(said, /fue alterado/);
    assert.equal(await page.getAttribute('#queued', 'data-count'), '1', 'nothing was cleared');
    const offline = await t.app.db.kysely
      .selectFrom('redemptions')
      .select('id')
      .where('channel', '=', 'offline')
      .execute();
    assert.deepEqual(offline, [], 'nothing of the upload was applied');
    await shot('chain-broken');
  });
});
