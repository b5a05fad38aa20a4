// The auditor's and the analyst's screens in a real browser (Debian's Chromium via
// playwright-core): an access report found by registry number lists a registrar's read with
// its purpose in words and the registrar's username, the audit log filtered by operation shows
// words and not codes, the chain check says its result, and statistics show hidden cells as
// "suprimido", never 0. axe-core finds no serious or critical violation on any of them.
// Screenshots at phone (390×844) and laptop (1366×768) size land in test-output/.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { insertGrant, insertStaff } from '../../src/auth';
import { wireDomains } from '../../src/app';
import { permissionMatrix } from '../../src/modules';
import { getPerson, loadDemoRegistry } from '../../src/registry';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadAuditSealKey, pinAuditKeysInMemory, sealPendingAudit } from '../../src/privacy';
import { resolveGrants, systemActor, type Actor } from '../../src/shared/access';
import type { AppContext } from '../../src/shared/context';
import { testApp } from '../support/app';
import { openBrowserSession, screenshots, skipWithoutChromium } from '../support/browser';
import { assertAccessible, signInFirstTime } from '../support/console-steps';
import { createTestDatabase } from '../support/engines';

const newPassword = 'cielo nublado sobre el ávila';

describe('auditor and analyst console screens in Chromium', { skip: skipWithoutChromium }, () => {
  let page: Page;
  let base = '';
  let app: AppContext;
  let stop: () => Promise<void> = async () => {};
  const accounts: Record<'auditor' | 'analyst', { username: string; password: string }> = {
    auditor: { username: 'auditora.nacional', password: '' },
    analyst: { username: 'analista.nacional', password: '' },
  };
  let registrarUsername = 'registrador.lectura';
  let registryNumber = '';

  before(async () => {
    const db = await createTestDatabase('sqlite');
    app = testApp(db.db);
    app.now = () => new Date();
    wireDomains(app);
    pinAuditKeysInMemory(
      app,
      loadAuditSealKey(join(mkdtempSync(join(tmpdir(), 'tessera-audit-key-')), 'seal.pem'), {
        create: true,
      }),
    );
    const caller = { actor: systemActor('browser-test') };
    await loadDemoRegistry(app, caller, { people: 300, seed: 3 });
    for (const role of ['auditor', 'analyst'] as const) {
      const made = await app.db.transaction(async (trx) => {
        const m = await insertStaff(trx, app, caller, {
          username: accounts[role].username,
          displayName: role,
        });
        await insertGrant(trx, app, caller, m.account.id, role, '*');
        return m;
      });
      accounts[role].password = made.oneTimePassword;
    }
    // A registrar reads one record, so that its access report has something to show.
    const registrar = await app.db.transaction(async (trx) => {
      const m = await insertStaff(trx, app, caller, {
        username: registrarUsername,
        displayName: 'Registrador',
      });
      await insertGrant(trx, app, caller, m.account.id, 'registrar', '*');
      return m;
    });
    registrarUsername = registrar.account.username;
    const person = await app.db.kysely
      .selectFrom('persons')
      .select(['id', 'registry_number'])
      .orderBy('registry_number')
      .limit(1)
      .executeTakeFirstOrThrow();
    registryNumber = person.registry_number;
    const actor: Actor = {
      kind: 'staff',
      id: registrar.account.id,
      grants: resolveGrants(permissionMatrix, [{ role: 'registrar', regions: '*' }]),
    };
    await getPerson(app, { actor, purpose: 'service_delivery', origin: 'test' }, person.id);
    const session = await openBrowserSession(app);
    base = session.base;
    // axe-core needs a page of a context made with browser.newContext().
    const browser = session.page.context().browser();
    if (!browser) throw new Error('no browser behind the session page');
    const context = await browser.newContext({
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 2,
      isMobile: true,
      hasTouch: true,
    });
    page = await context.newPage();
    page.setDefaultTimeout(15_000);
    page.on('pageerror', (e) => console.log(`page error: ${e.message}`));
    stop = async () => {
      await context.close();
      await session.stop();
      await db.dispose();
    };
  });

  after(async () => {
    await stop();
  });

  async function signInForTheFirstTime(role: 'auditor' | 'analyst'): Promise<void> {
    const account = accounts[role];
    await page.goto(base + '/');
    // Wait for the shell to decide: the session check may still be running, and an early
    // look would find neither and then meet the previous account's home page.
    await page.waitForSelector('#sign-out, #sign-in-form');
    if (await page.locator('#sign-out').count()) {
      await page.click('#sign-out');
      await page.waitForSelector('#sign-in-form');
    }
    await signInFirstTime(page, base, {
      username: account.username,
      oneTimePassword: account.password,
      newPassword,
    });
  }

  // Waits for `selector`; on a timeout, says what the page shows instead.
  async function waitFor(selector: string): Promise<void> {
    await page.waitForSelector(selector).catch(async (e: unknown) => {
      throw new Error(`no ${selector}; the page says: ${await page.textContent('main')}`, {
        cause: e,
      });
    });
  }

  async function noSeriousViolations(screen: string): Promise<void> {
    await assertAccessible(page, screen);
  }

  async function shoot(name: string): Promise<void> {
    await page.screenshot({ path: `${screenshots}console-${name}-390.png`, fullPage: true });
    await page.setViewportSize({ width: 1366, height: 768 });
    await page.screenshot({ path: `${screenshots}console-${name}-1366.png`, fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
  }

  it('finds an access report by registry number, with purposes in words', async () => {
    await signInForTheFirstTime('auditor');
    await page.goto(base + '/#/access-report');
    await page.waitForSelector('#access-report-form');
    // A malformed number is refused next to its field.
    await page.fill('#access-report-form input[name=registryNumber]', '12-34');
    await page.click('#access-report-form button[type=submit]');
    await page.waitForSelector('#access-report-form .field-error');
    await page.fill('#access-report-form input[name=registryNumber]', registryNumber);
    await page.selectOption('#access-report-form select[name=purpose]', 'grievance');
    await page.click('#access-report-form button[type=submit]');
    await waitFor('#access-report tbody tr[data-operation="person.read"]');
    assert.equal(await page.locator('#access-report-form .field-error').count(), 0);
    const row = (await page.textContent('#access-report tr[data-operation="person.read"]')) ?? '';
    assert.match(row, /Entrega de un beneficio/);
    assert.match(row, new RegExp(registrarUsername.replace('.', '\\.')));
    assert.doesNotMatch(row, /service_delivery/);
    await noSeriousViolations('access report');
    await shoot('access-report');
  });

  it('filters the audit log by operation, shown in words, and verifies the chain', async () => {
    await page.goto(base + '/#/audit');
    await page.waitForSelector(
      '#audit-filter-form select[name=operation] option[value="person.read"]',
      {
        state: 'attached',
      },
    );
    await page.selectOption('#audit-filter-form select[name=operation]', 'person.read');
    await page.click('#audit-filter-form button[type=submit]');
    await waitFor('#audit-entries tbody tr');
    const operations = await page
      .locator('#audit-entries tbody tr')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-operation')));
    assert.ok(operations.length > 0 && operations.every((o) => o === 'person.read'));
    const table = (await page.textContent('#audit-entries')) ?? '';
    assert.doesNotMatch(table, /person\.read|service_delivery/);
    assert.match(table, new RegExp(registrarUsername.replace('.', '\\.')));
    await sealPendingAudit(app);
    await page.click('#verify-chain');
    await waitFor('#chain-result[data-ok]');
    assert.match((await page.textContent('#chain-result')) ?? '', /cadena/);
    await noSeriousViolations('audit log');
    await shoot('audit');
    // One check in English: the same table, in English words.
    await page.selectOption('#language', 'en');
    await page.click('#audit-filter-form button[type=submit]');
    await waitFor('#audit-entries tbody tr');
    assert.match((await page.textContent('#audit-filter-form')) ?? '', /Operation/);
    await page.screenshot({ path: `${screenshots}console-audit-en-390.png`, fullPage: true });
    await page.selectOption('#language', 'es');
  });

  it('shows statistics with suppressed cells as suppressed, never 0, and a chart', async () => {
    await signInForTheFirstTime('analyst');
    await page.goto(base + '/#/statistics');
    await waitFor('#statistics-table');
    const suppressed = page.locator('#statistics-table td.suppressed');
    assert.ok((await suppressed.count()) > 0, 'some cells are suppressed with 300 people');
    for (const text of await suppressed.allTextContents()) assert.equal(text.trim(), 'suprimido');
    assert.doesNotMatch((await page.textContent('#statistics-table thead')) ?? '', /VE-/);
    await page.waitForSelector('#statistics-chart canvas');
    assert.ok(await page.getAttribute('#statistics-chart [role=img]', 'aria-label'));
    await noSeriousViolations('statistics');
    await shoot('statistics');
  });
});
