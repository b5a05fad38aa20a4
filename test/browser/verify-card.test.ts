// The offline card check in a real browser: the verifier bundled for Chromium gives the same
// verdict as in Node — valid from the QR text and from a photo of the printed card, refused
// once the card is revoked and the device has the new revocation list.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { systemActor } from '../../src/auth/actor';
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
import { allRoutes } from '../../src/http/routes';
import { buildServer } from '../../src/http/server';
import { enrolPerson } from '../../src/registry';
import { personBody, staff, testApp } from '../support/app';
import { createTestDatabase } from '../support/engines';

const chromiumPath = '/usr/bin/chromium';
const shots = new URL('../../test-output/', import.meta.url).pathname;

describe(
  'offline card check in Chromium',
  {
    skip: existsSync(chromiumPath)
      ? false
      : `no browser at ${chromiumPath} (apt-get install chromium; .ci/run does)`,
  },
  () => {
    let browser: Browser;
    let page: Page;
    let base = '';
    let qrText = '';
    let pngPath = '';
    let serial = 0;
    let registryNumber = '';
    let stop: () => Promise<void> = async () => {};
    let app: ReturnType<typeof testApp>;
    const registrar = staff('registrar', '*', 'card_issuance');

    before(async () => {
      mkdirSync(shots, { recursive: true });
      const db = await createTestDatabase('sqlite');
      app = testApp(db.db);
      app.now = () => new Date();
      wireDomains(app);
      configureCredentials(app, { keyEncryptionKey: randomBytes(32), issuer: 'tessera.test' });
      const person = await enrolPerson(
        app,
        { actor: systemActor('test') },
        personBody({ givenNames: 'Yusmary', surname1: 'Chacón', surname2: 'Briceño' }),
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
      const png = await renderStoredCard(app, registrar, serial, { format: 'png' });
      pngPath = `${shots}card-front.png`;
      writeFileSync(pngPath, png.body);
      const server = await buildServer(app, { routes: allRoutes() });
      await server.listen({ host: '127.0.0.1', port: 0 });
      const address = server.server.address();
      base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
      browser = await chromium.launch({
        executablePath: chromiumPath,
        args: [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
        ],
      });
      page = await browser.newPage({
        viewport: { width: 390, height: 844 },
        deviceScaleFactor: 2,
        isMobile: true,
        hasTouch: true,
      });
      page.setDefaultTimeout(15_000);
      stop = async () => {
        await browser.close();
        await server.close();
        await db.dispose();
      };
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

    it('downloads the lists, then verifies the QR text in the browser as Node does', async () => {
      await page.goto(`${base}/verify`);
      await page.click('#refresh');
      await page.waitForFunction(
        () => document.getElementById('message')?.textContent === 'Lists downloaded.',
      );
      assert.equal(await checkText(qrText), 'Valid card');
      assert.match((await page.textContent('#verdict-claims')) ?? '', new RegExp(registryNumber));
      await page.screenshot({ path: `${shots}verify-valid.png`, fullPage: true });
      const trust = await readTrustList(await (await fetch(`${base}/api/v1/trust-list`)).json());
      const revocations = await readRevocationList(
        await (await fetch(`${base}/api/v1/revocations`)).json(),
        { keys: trust.keys },
      );
      const inNode = await verifyCard(qrText, { trustList: trust, revocations, now: new Date() });
      assert.equal(inNode.reason, 'VALID');
    });

    it('reads the QR from a photo of the printed card', async () => {
      await page.setInputFiles('#photo', pngPath);
      await page.click('#check');
      await page.waitForFunction(
        () => document.getElementById('verdict-title')?.textContent === 'Valid card',
      );
      await page.setInputFiles('#photo', []);
    });

    it('refuses a forged card and, with new lists, a revoked one — with the reason', async () => {
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
      await page.screenshot({ path: `${shots}verify-revoked.png`, fullPage: true });
    });
  },
);
