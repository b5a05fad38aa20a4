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
    assert.equal(
      await page.locator('#sign-in-form input[name=code]').count(),
      0,
      'no code field yet',
    );
    await page.click('#sign-in-form button[type=submit]');
    await page.waitForSelector('#enrol-form').catch(async (e: unknown) => {
      throw new Error(`no enrolment step; the page says: ${await page.textContent('main')}`, {
        cause: e,
      });
    });
    await page.waitForSelector('#enrol-secret');
    assert.ok(await page.locator('.totp-qr img').count(), 'a QR code to scan');
    await page.screenshot({ path: `${screenshots}console-enrol.png`, fullPage: true });
    const secret = (await page.textContent('#enrol-secret')) ?? '';
    await page.fill('#enrol-form input[name=code]', totpCode(secret, Date.now()));
    await page.click('#enrol-form button[type=submit]');
    await page.waitForSelector('#recovery');
    assert.equal(await page.locator('#recovery-codes li').count(), 10);
    await page.click('#recovery-done');
    await page.waitForSelector('#password-form');
    await page.fill('#password-form input[name=currentPassword]', credentials.password);
    await page.fill('#password-form input[name=newPassword]', 'password1234'); // long enough, but on the breached list
    await page.fill('#password-form input[name=repeatPassword]', 'password1234');
    await page.click('#password-form button[type=submit]');
    await page.waitForSelector('#password-form .field-error, #password-form .notice.error');
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'es');
    await page.fill('#password-form input[name=newPassword]', 'cielo nublado sobre el ávila');
    await page.fill('#password-form input[name=repeatPassword]', 'cielo nublado sobre el ávila');
    await page.click('#password-form button[type=submit]');
    await page.waitForSelector('#sign-out');
    await page.waitForSelector('nav.menu');
    await page.screenshot({ path: `${screenshots}console-home.png`, fullPage: true });
    signedIn = true;
  }

  it('signs in for the first time: second factor, recovery codes, new password', async () => {
    await signInForTheFirstTime();
  });

  it('asks for the code only once the account has a second factor, and switches language', async () => {
    if (!signedIn) await signInForTheFirstTime();
    await page.click('#sign-out');
    await page.waitForSelector('#sign-in-form');
    await page.fill('#sign-in-form input[name=username]', credentials.username);
    await page.fill('#sign-in-form input[name=password]', 'cielo nublado sobre el ávila');
    await page.click('#sign-in-form button[type=submit]');
    await page.waitForSelector('#sign-in-form input[name=code]');
    await page.selectOption('#language', 'en');
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
    assert.match((await page.textContent('#sign-in-form')) ?? '', /authenticator app/);
    await page.selectOption('#language', 'es');
    assert.match((await page.textContent('#sign-in-form')) ?? '', /aplicación de autenticación/);
  });
});
