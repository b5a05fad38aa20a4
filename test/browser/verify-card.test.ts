// The offline card check in a real browser: the verifier bundled for Chromium gives the same
// verdict as in Node — valid from the QR text and from a photo of the printed card, refused
// once the card is revoked and the device has the new revocation list.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { systemActor } from '../../src/shared/access';
import { wireDomains } from '../../src/app';
import {
  configureCredentials,
  issuePersonCard,
  readRevocationList,
  readTrustList,
  renderStoredCard,
  revokeCard,
  verifyCard,
} from '../../src/credentials';
import { enrolPerson } from '../../src/registry';
import { validPerson, staff, testApp } from '../support/app';
import { openBrowserSession, screenshots, skipWithoutChromium } from '../support/browser';
import { createTestDatabase } from '../support/engines';

describe('offline card check in Chromium', { skip: skipWithoutChromium }, () => {
  let page: Page;
  let base = '';
  let qrText = '';
  let pngPath = '';
  let serial = 0;
  let registryNumber = '';
  let stop: () => Promise<void> = async () => {};
  let stopServer: () => Promise<void> = async () => {};
  let app: ReturnType<typeof testApp>;
  const registrar = staff('registrar', '*', 'card_issuance');

  before(async () => {
    const db = await createTestDatabase('sqlite');
    app = testApp(db.db);
    app.now = () => new Date();
    wireDomains(app);
    configureCredentials(app, {
      keyEncryptionKey: randomBytes(32),
      issuer: 'https://tessera.test',
    });
    const person = await enrolPerson(
      app,
      { actor: systemActor('test') },
      validPerson({ givenNames: 'Yusmary', surname1: 'Chacón', surname2: 'Briceño' }),
    );
    registryNumber = person.registryNumber;
    const card = await issuePersonCard(app, registrar, person.id);
    serial = card.serial;
    const row = await app.db.kysely
      .selectFrom('cards')
      .select('qr_text')
      .where('serial', '=', serial)
      .executeTakeFirstOrThrow();
    qrText = row.qr_text;
    const session = await openBrowserSession(app);
    base = session.base;
    page = session.page;
    stopServer = session.stopServer;
    stop = async () => {
      await session.stop();
      await db.dispose();
    };
    const png = await renderStoredCard(app, registrar, serial, { format: 'png' });
    pngPath = `${screenshots}card-front.png`;
    writeFileSync(pngPath, png.body);
  });

  after(async () => {
    await stop();
  });

  const checkText = async (text: string) => {
    await page.fill('#qr', text);
    await page.click('#check');
    await page.waitForSelector('#verdict:not([hidden])');
    return (await page.textContent('#verdict-title')) ?? '';
  };

  // The verifier page in English with the lists of the moment on the device.
  const openVerifierWithLists = async () => {
    await page.goto(`${base}/verify`);
    await page.selectOption('#language', 'en');
    await page.click('#refresh');
    await page.waitForFunction(
      () => document.getElementById('message')?.textContent === 'Lists downloaded.',
    );
  };

  it('speaks Spanish by default and English when chosen, and remembers the choice', async () => {
    await page.goto(`${base}/verify`);
    await page.evaluate(() => localStorage.removeItem('tessera.language'));
    await page.reload();
    assert.equal(await page.getAttribute('html', 'lang'), 'es');
    assert.equal(await page.textContent('#check'), 'Comprobar');
    await page.click('#refresh');
    await page.waitForFunction(
      () => document.getElementById('message')?.textContent === 'Listas descargadas.',
    );
    assert.equal(await checkText(qrText), 'Tarjeta válida');
    await page.screenshot({ path: `${screenshots}verify-valid-es.png`, fullPage: true });
    await page.selectOption('#language', 'en');
    assert.equal(await page.getAttribute('html', 'lang'), 'en');
    assert.equal(await page.textContent('#verdict-title'), 'Valid card', 'the verdict follows');
    await page.reload();
    assert.equal(await page.textContent('#check'), 'Check', 'remembered on this device');
  });

  it('keeps the lists in IndexedDB, and clears a valid verdict when a later check fails', async () => {
    await openVerifierWithLists();
    assert.equal(await page.evaluate(() => localStorage.getItem('tessera.lists')), null);
    assert.equal(await checkText(qrText), 'Valid card');
    await page.fill('#qr', 'HC1:not a card');
    await page.click('#check');
    await page.waitForFunction(
      () => document.getElementById('verdict-title')?.textContent !== 'Valid card',
    );
    const shown = await page.evaluate(() => ({
      hidden: document.getElementById('verdict')?.hidden,
      title: document.getElementById('verdict-title')?.textContent,
    }));
    assert.notEqual(shown.title, 'Valid card');
    assert.ok(shown.hidden === true || /^Refused/.test(shown.title ?? ''), JSON.stringify(shown));
  });

  it('downloads the lists, then verifies the QR text in the browser as Node does', async () => {
    await openVerifierWithLists();
    assert.equal(await checkText(qrText), 'Valid card');
    assert.match((await page.textContent('#verdict-claims')) ?? '', new RegExp(registryNumber));
    await page.screenshot({ path: `${screenshots}verify-valid.png`, fullPage: true });
    const trust = await readTrustList(await (await fetch(`${base}/api/v1/trust-list`)).json());
    const revocations = await readRevocationList(
      await (await fetch(`${base}/api/v1/revocations`)).json(),
      { keys: trust.keys },
    );
    const inNode = await verifyCard(qrText, { trustList: trust, revocations, now: new Date() });
    assert.equal(inNode.reason, 'VALID');
  });

  it('reads the QR from a photo of the printed card', async () => {
    await openVerifierWithLists();
    await page.setInputFiles('#photo', pngPath);
    await page.click('#check');
    await page.waitForFunction(
      () => document.getElementById('verdict-title')?.textContent === 'Valid card',
    );
    await page.setInputFiles('#photo', []);
  });

  it('refuses a forged card and, with new lists, a revoked one — with the reason', async () => {
    await openVerifierWithLists();
    const middle = Math.floor(qrText.length / 2);
    const forged =
      qrText.slice(0, middle) + (qrText[middle] === 'A' ? 'B' : 'A') + qrText.slice(middle + 1);
    assert.match(await checkText(forged), /^Refused: [A-Z_]+$/);
    await revokeCard(app, registrar, serial, { reason: 'reported stolen' });
    assert.equal(
      await checkText(qrText),
      'Valid card',
      'the old list on the device does not know yet',
    );
    await page.click('#refresh');
    await page.waitForFunction(
      () => document.getElementById('message')?.textContent === 'Lists downloaded.',
    );
    assert.equal(await checkText(qrText), 'Refused: REVOKED');
    await page.screenshot({ path: `${screenshots}verify-revoked.png`, fullPage: true });
  });

  it('loads and checks with no network after one visit (service worker, IndexedDB)', async () => {
    await openVerifierWithLists();
    await page.waitForFunction(
      () =>
        navigator.serviceWorker.controller !== null ||
        document.getElementById('offline')?.textContent !== '',
    );
    await page.reload(); // the page is now controlled by the service worker
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
    await stopServer();
    await page.reload();
    assert.equal(await page.textContent('#check'), 'Check');
    assert.equal(await checkText(qrText), 'Refused: REVOKED', 'the lists on the device still hold');
    await page.screenshot({ path: `${screenshots}verify-offline.png`, fullPage: true });
  });
});
