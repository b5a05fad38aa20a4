// The staff console in a real browser (Debian's Chromium driven by playwright-core), at a
// phone's size: first sign-in with TOTP enrolment, password change, search with a purpose,
// reading a record. Screenshots land in test-output/ for people to look at.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { insertGrant, insertStaff } from '../../src/auth';
import { systemActor } from '../../src/shared/access';
import { totpCode } from '../../src/auth';
import { wireDomains } from '../../src/app';
import { loadDemoRegistry } from '../../src/registry';
import { testApp } from '../support/app';
import { openBrowserSession, screenshots, skipWithoutChromium } from '../support/browser';
import { createTestDatabase } from '../support/engines';

describe('staff console in Chromium', { skip: skipWithoutChromium }, () => {
  let page: Page;
  let base = '';
  let stop: () => Promise<void> = async () => {};
  let credentials = { username: 'registradora.caracas', password: '' };

  before(async () => {
    const db = await createTestDatabase('sqlite');
    const app = testApp(db.db);
    app.now = () => new Date();
    wireDomains(app);
    const caller = { actor: systemActor('browser-test') };
    await loadDemoRegistry(app, caller, { people: 300, seed: 3 });
    const made = await app.db.transaction(async (trx) => {
      const m = await insertStaff(trx, app, caller, {
        username: credentials.username,
        displayName: 'Registradora',
      });
      await insertGrant(trx, app, caller, m.account.id, 'registrar', '*');
      return m;
    });
    credentials = { ...credentials, password: made.oneTimePassword };
    const session = await openBrowserSession(app);
    base = session.base;
    page = session.page;
    stop = async () => {
      await session.stop();
      await db.dispose();
    };
  });

  after(async () => {
    await stop();
  });

  // The first sign-in can happen once per account; the page keeps its session afterwards.
  // A test that needs a signed-in page signs in this way unless an earlier test already has.
  let signedIn = false;
  async function signInForTheFirstTime(): Promise<void> {
    await page.goto(base + '/');
    await page.fill('#sign-in-form input[name=username]', credentials.username);
    await page.fill('#sign-in-form input[name=password]', credentials.password);
    await page.click('#sign-in-form button');
    await page.waitForSelector('#enrol:not([hidden])').catch(async (e: unknown) => {
      throw new Error(`no enrolment step; the page says: ${await page.textContent('#message')}`, {
        cause: e,
      });
    });
    assert.ok(await page.locator('#enrol-qr svg').count(), 'a QR code to scan');
    await page.screenshot({ path: `${screenshots}console-enrol.png`, fullPage: true });
    const secret = (await page.textContent('#enrol-secret')) ?? '';
    await page.fill('#enrol-form input[name=code]', totpCode(secret, Date.now()));
    await page.click('#enrol-form button');
    await page.waitForSelector('#recovery:not([hidden])');
    assert.equal(await page.locator('#recovery-codes li').count(), 10);
    await page.click('#recovery-done');
    await page.waitForSelector('#password:not([hidden])');
    await page.fill('#password-form input[name=currentPassword]', credentials.password);
    await page.fill('#password-form input[name=newPassword]', 'password1234'); // long enough, but on the breached list
    await page.click('#password-form button');
    await page.waitForSelector('#message.error');
    await page.fill('#password-form input[name=newPassword]', 'cielo nublado sobre el ávila');
    await page.click('#password-form button');
    await page.waitForSelector('#search:not([hidden])');
    signedIn = true;
  }

  it('signs in for the first time: second factor, recovery codes, new password', async () => {
    await signInForTheFirstTime();
  });

  it('refuses a search without a purpose, then finds and opens a person', async () => {
    if (!signedIn) await signInForTheFirstTime();
    await page.fill('#search-form input[name=q]', 'maria');
    await page.evaluate(() =>
      document.querySelector('#search-form select')?.removeAttribute('required'),
    );
    await page.click('#search-form button');
    await page.waitForSelector('#message.error');
    assert.match((await page.textContent('#message')) ?? '', /purpose/);
    await page.selectOption('#search-form select[name=purpose]', 'service_delivery');
    await page.click('#search-form button');
    await page.waitForSelector('#results li');
    await page.screenshot({ path: `${screenshots}console-search.png`, fullPage: true });
    const found = await page.locator('#results li').count();
    assert.ok(found > 0, 'the demo registry has people called María');
    await page.click('#results li button');
    await page.waitForSelector('#person:not([hidden])');
    const card = (await page.textContent('#person-card')) ?? '';
    assert.match(card, /\d{4}-\d{4}-\d{4}/, 'the registry number is shown');
    assert.ok((await page.locator('#history li').count()) >= 1);
    await page.screenshot({ path: `${screenshots}console-person.png`, fullPage: true });
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 390, `no sideways scrolling on a phone (page is ${width}px wide)`);
  });
});
