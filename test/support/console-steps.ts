// Steps browser tests of the staff console share: a first sign-in with TOTP enrolment and the
// required password change, a later sign-in with the code, and an accessibility check that
// fails on any serious or critical axe-core finding.
import assert from 'node:assert/strict';
import AxeBuilder from '@axe-core/playwright';
import type { BrowserContext, Page } from 'playwright-core';
import { totpCode } from '../../src/auth';

/**
 * A phone-sized page in a context of its own (its own cookies: a second person signed in
 * beside the first), on the browser `page` runs in. axe-core needs pages made this way.
 */
export async function newPersonPage(page: Page): Promise<{ page: Page; context: BrowserContext }> {
  const browser = page.context().browser();
  if (!browser) throw new Error('the page has no browser to open another context in');
  const context = await browser.newContext({
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
  });
  const made = await context.newPage();
  made.setDefaultTimeout(15_000);
  made.on('pageerror', (e) => console.log(`page error: ${e.message}`));
  return { page: made, context };
}

/** What a first sign-in leaves: the account's TOTP secret and its chosen password. */
export interface SignedIn {
  username: string;
  password: string;
  totpSecret: string;
}

/**
 * Signs in for the first time with a one-time password: enrols TOTP, saves the recovery
 * codes, chooses `newPassword`. Ends on the signed-in home page.
 */
export async function signInFirstTime(
  page: Page,
  base: string,
  account: { username: string; oneTimePassword: string; newPassword: string },
): Promise<SignedIn> {
  await page.goto(base + '/');
  await page.fill('#sign-in-form input[name=username]', account.username);
  await page.fill('#sign-in-form input[name=password]', account.oneTimePassword);
  await page.click('#sign-in-form button[type=submit]');
  await page.waitForSelector('#enrol-secret');
  const secret = ((await page.textContent('#enrol-secret')) ?? '').trim();
  await page.fill('#enrol-form input[name=code]', totpCode(secret, Date.now()));
  await page.click('#enrol-form button[type=submit]');
  await page.waitForSelector('#recovery-done');
  await page.click('#recovery-done');
  await page.waitForSelector('#password-form');
  await page.fill('#password-form input[name=currentPassword]', account.oneTimePassword);
  await page.fill('#password-form input[name=newPassword]', account.newPassword);
  await page.fill('#password-form input[name=repeatPassword]', account.newPassword);
  await page.click('#password-form button[type=submit]');
  await page.waitForSelector('nav.menu');
  return { username: account.username, password: account.newPassword, totpSecret: secret };
}

/**
 * Signs in again with password and the current TOTP code. The server refuses a code step
 * already used, so call it at least 30 seconds after that account's last code.
 */
export async function signIn(page: Page, base: string, account: SignedIn): Promise<void> {
  await page.goto(base + '/');
  await page.fill('#sign-in-form input[name=username]', account.username);
  await page.fill('#sign-in-form input[name=password]', account.password);
  await page.click('#sign-in-form button[type=submit]');
  await page.waitForSelector('#sign-in-form input[name=code]');
  await page.fill('#sign-in-form input[name=code]', totpCode(account.totpSecret, Date.now()));
  await page.click('#sign-in-form button[type=submit]');
  await page.waitForSelector('nav.menu');
}

/** Runs axe-core on the page; fails naming every serious or critical violation. */
export async function assertAccessible(page: Page, where: string): Promise<void> {
  const result = await new AxeBuilder({ page }).analyze();
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(
    bad.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`),
    [],
    `accessibility problems on ${where}`,
  );
}
