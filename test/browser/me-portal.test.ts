// The cardholder portal in Debian's Chromium at a phone's size, in Spanish: a registrar reads
// the person through the API first; the person signs in with registry number, date of birth
// and the SMS code, sees their benefits and their access report (the registrar's read among
// them, under a pseudonym), files a complaint about a wrong quantity on one benefit, and
// authorises a nominee. Screenshots of each step in test-output/.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { mkdirSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { screenshots, skipWithoutChromium } from '../support/browser';
import { assertAccessible } from '../support/console-steps';
import { createTestDatabase } from '../support/engines';
import { distinctPerson } from '../support/app';
import { signedInAgent, startTestServer, type TestServer } from '../support/http';
import { readLatestCode } from '../support/portal-code';
import { benefitFixture, type BenefitFixture } from '../support/benefit-fixture';

describe('cardholder portal /me in Chromium', { skip: skipWithoutChromium }, () => {
  let t: TestServer;
  let f: BenefitFixture;
  let b: { base: string; page: Page };
  let browser: Browser;
  let dispose: () => Promise<void> = async () => {};
  let step = 0;
  const shot = async (name: string) => {
    step++;
    await b.page.screenshot({
      path: `${screenshots}me-${String(step).padStart(2, '0')}-${name}.png`,
      fullPage: true,
    });
  };

  before(async () => {
    const db = await createTestDatabase('sqlite');
    t = await startTestServer(db.db);
    f = await benefitFixture(
      t.app,
      [
        { ...distinctPerson('Carmen Portal'), phone: '+584126660001' },
        { ...distinctPerson('Luis Autorizado'), phone: '+584126660002' },
      ],
      '2026-11-29',
    );
    const registrar = await signedInAgent(t, [{ role: 'registrar', regions: ['VE-A'] }]);
    const read = await registrar.request({
      method: 'GET',
      url: `/api/v1/persons/${f.people[0]!.id}`,
      purpose: 'service_delivery',
    });
    assert.equal(read.statusCode, 200, read.body);
    await t.server.listen({ host: '127.0.0.1', port: 0 });
    const address = t.server.server.address();
    const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    mkdirSync(screenshots, { recursive: true });
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    // A context of its own (the accessibility check needs one), at a phone's size, in Spanish.
    const context = await browser.newContext({
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 2,
      isMobile: true,
      hasTouch: true,
      locale: 'es-VE',
    });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    page.on('pageerror', (e) => console.log(`page error: ${e.message}`));
    b = { base, page };
    dispose = async () => {
      await browser.close();
      await t.server.close();
      await db.dispose();
    };
  });
  after(async () => {
    await dispose();
  });

  it('signs in with the code sent to the phone on record', async () => {
    const { page, base } = b;
    const person = f.people[0]!;
    await page.goto(`${base}/me`);
    await page.waitForSelector('form#me-sign-in');
    assert.match((await page.textContent('h1')) ?? '', /Entrar a Mi Tessera/);
    await page.fill('#me-sign-in input[name=registryNumber]', person.registryNumber);
    await page.fill('#me-sign-in input[name=birthDate]', person.birthDate);
    await assertAccessible(page, '/me sign-in');
    await shot('sign-in');
    await page.click('#me-sign-in button[type=submit]');
    await page.waitForSelector('form#me-code');
    const code = await readLatestCode(t.app, person.id, 'portal_code');
    assert.ok(code, 'a code was sent');
    await page.fill('#me-code input[name=code]', code);
    await shot('code');
    await page.click('#me-code button[type=submit]');
    await page.waitForSelector('#me-nav');
    assert.match((await page.textContent('h1')) ?? '', /Hola, Carmen Portal/);
  });

  it('shows the entitlements: what, where and which days', async () => {
    const { page } = b;
    const food = `#entitlements li[data-entitlement="${f.food(0)}"]`;
    await page.waitForSelector(food);
    const text = (await page.textContent(food)) ?? '';
    assert.match(text, /Quedan 1 de 1/);
    assert.match(text, /Depósito La Candelaria/);
    assert.match(text, /Del 2026-11-\d\d al 2026-11-30/);
    await assertAccessible(page, '/me entitlements');
    await shot('entitlements');
  });

  it('shows who read the record and why, staff as pseudonyms', async () => {
    const { page } = b;
    await page.click('#me-nav button[data-section=access]');
    const read = '#access-report li[data-operation="person.read"]';
    await page.waitForSelector(read);
    assert.match((await page.getAttribute(read, 'data-staff')) ?? '', /^staff-[0-9a-f]{10}$/);
    assert.match((await page.textContent(read)) ?? '', /Para qué: Entregar un beneficio/);
    await page.waitForSelector(
      '#access-report li[data-operation="portal.signin"][data-staff="you"]',
    );
    await assertAccessible(page, '/me access report');
    await shot('access-report');
  });

  it('files a complaint about a wrong quantity on a benefit', async () => {
    const { page } = b;
    await page.click('#me-nav button[data-section=entitlements]');
    await page.click(`#entitlements li[data-entitlement="${f.food(0)}"] button.complain`);
    await page.waitForSelector('form#grievance-form');
    assert.equal(await page.inputValue('#grievance-form select[name=category]'), 'wrong_quantity');
    await page.fill(
      '#grievance-form textarea[name=description]',
      'Me entregaron la caja sin el arroz.',
    );
    await assertAccessible(page, '/me grievance form');
    await page.click('#grievance-form button[type=submit]');
    await page.waitForSelector('#grievance-said');
    const row = await t.app.db.kysely
      .selectFrom('grievances')
      .selectAll()
      .where('person_id', '=', f.people[0]!.id)
      .executeTakeFirstOrThrow();
    assert.deepEqual(
      [row.category, row.channel, row.link_kind, row.link_id],
      ['wrong_quantity', 'portal', 'entitlement', f.food(0)],
    );
    assert.match((await page.textContent('#grievance-said')) ?? '', new RegExp(row.reference));
    await page.waitForSelector(`#grievances li[data-reference="${row.reference}"]`);
    await shot('grievance');
  });

  it('authorises a nominee', async () => {
    const { page } = b;
    const nominee = f.people[1]!;
    await page.click('#me-nav button[data-section=nominee]');
    await page.waitForSelector('form#nominee-form');
    await page.fill('#nominee-form input[name=registryNumber]', nominee.registryNumber);
    await page.fill('#nominee-form input[name=birthDate]', nominee.birthDate);
    await page.click('#nominee-form button[type=submit]');
    await page.waitForSelector('#nominee-said');
    assert.match(
      (await page.textContent('#nominee-said')) ?? '',
      /Luis Autorizado .*puede retirar por usted/,
    );
    await page.waitForSelector(`#nominees li[data-nominee="${nominee.registryNumber}"]`);
    const row = await t.app.db.kysely
      .selectFrom('nominees')
      .selectAll()
      .where('beneficiary_id', '=', f.people[0]!.id)
      .executeTakeFirstOrThrow();
    assert.deepEqual([row.nominee_id, row.consent], [nominee.id, 'portal_self']);
    await assertAccessible(page, '/me nominee');
    await shot('nominee');
  });
});
