// The programme screens in a real browser (Debian's Chromium via playwright-core), on the
// demo: a programme administrator opens the food box in words, tries rules in the rule editor
// (a misspelt name with its line, column and suggestion; a card-gate refusal; live suppressed
// counts of a valid rule), defines a programme, opens a cycle of it, freezes and generates it
// and is refused the approval of her own cycle; the second administrator approves it; the
// exclusion dashboard shows the eight measures by region and both charts. axe-core finds no
// serious or critical violation on any screen, in Spanish and in English. Screenshots at phone
// (360×740) and laptop (1366×768) size land in test-output/programmes-*.png.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { loadDemo, wireDomains } from '../../src/app';
import { loadAuditSealKey, pinAuditKeysInMemory } from '../../src/privacy';
import { loadDemoRegistry } from '../../src/registry';
import { systemActor } from '../../src/shared/access';
import type { AppContext } from '../../src/shared/context';
import { testApp } from '../support/app';
import { openBrowserSession, screenshots, skipWithoutChromium } from '../support/browser';
import { assertAccessible, newPersonPage, signInFirstTime } from '../support/console-steps';
import { createTestDatabase } from '../support/engines';

const newPassword = 'cielo nublado sobre el ávila';
const phone = { width: 360, height: 740 };

describe('programme console screens in Chromium', { skip: skipWithoutChromium }, () => {
  let page: Page;
  let context: BrowserContext;
  let base = '';
  let app: AppContext;
  let stop: () => Promise<void> = async () => {};
  // The demo's two programme administrators and their one-time passwords, as it prints them.
  const oneTime: Record<'programas' | 'aprobadora', string> = { programas: '', aprobadora: '' };
  let cycleUrl = '';

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
    // A smaller registry than `serve --demo`'s, then the rest of the demo as it serves it:
    // staff (with both programme administrators) and the demo programmes.
    await loadDemoRegistry(app, { actor: systemActor('browser-test') }, { people: 800, seed: 7 });
    for (const line of await loadDemo(app)) {
      const found = /^\s+(programas|aprobadora)\s+(\S+)\s+programme_admin/.exec(line);
      if (found?.[1] === 'programas' || found?.[1] === 'aprobadora') oneTime[found[1]] = found[2]!;
    }
    assert.ok(oneTime.programas && oneTime.aprobadora, 'the demo made both administrators');
    const session = await openBrowserSession(app);
    base = session.base;
    const browser = session.page.context().browser();
    if (!browser) throw new Error('no browser behind the session page');
    context = await browser.newContext({
      viewport: phone,
      deviceScaleFactor: 2,
      isMobile: true,
      hasTouch: true,
    });
    page = await context.newPage();
    page.setDefaultTimeout(20_000);
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

  // Waits for `selector`; on a timeout, says what the page shows instead.
  async function waitFor(on: Page, selector: string): Promise<void> {
    await on.waitForSelector(selector).catch(async (e: unknown) => {
      throw new Error(`no ${selector}; the page says: ${await on.textContent('main')}`, {
        cause: e,
      });
    });
  }

  async function shoot(on: Page, name: string): Promise<void> {
    await on.setViewportSize(phone);
    await on.screenshot({ path: `${screenshots}programmes-${name}-360.png`, fullPage: true });
    await on.setViewportSize({ width: 1366, height: 768 });
    await on.screenshot({ path: `${screenshots}programmes-${name}-1366.png`, fullPage: true });
    await on.setViewportSize(phone);
  }

  // Nothing on the phone-sized page is wider than the screen (tables scroll in their box).
  async function fitsThePhone(on: Page, where: string): Promise<void> {
    await on.setViewportSize(phone);
    const width = await on.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= phone.width, `${where} is ${width}px wide on a 360px screen`);
  }

  async function typeRule(rule: string): Promise<void> {
    await page.fill('textarea[name=rule]', rule);
  }

  it('lists the demo programmes and shows the food box in words', async () => {
    await signInFirstTime(page, base, {
      username: 'programas',
      oneTimePassword: oneTime.programas,
      newPassword,
    });
    await page.goto(base + '/#/programmes');
    await waitFor(page, '#programme-list li[data-code=food_box]');
    const list = (await page.textContent('#programme-list')) ?? '';
    assert.match(list, /Caja de alimentos/);
    assert.match(list, /Pensión de vejez/);
    assert.match(list, /Bono del Día de la Madre/);
    assert.match(list, /Por hogar/);
    assert.doesNotMatch(list, /household|one_time|basket/);
    await assertAccessible(page, 'programme list');
    await fitsThePhone(page, 'the programme list');
    await shoot(page, 'list');

    await page.click('#programme-list li[data-code=food_box] a.programme-link');
    await waitFor(page, '#programme-current');
    const current = (await page.textContent('#programme-current')) ?? '';
    assert.match(current, /Arroz: 2 kg/);
    assert.match(current, /Caraotas: 1 kg/);
    assert.match(current, /Sin copago/);
    assert.match(current, /dígitos 0–1: día 1/);
    assert.match(current, /365 días/);
    assert.doesNotMatch(current, /VE-[A-Z]/, 'regions by name');
    await waitFor(page, '#cycle-list li[data-status=generated]');
    await assertAccessible(page, 'programme page');
    await fitsThePhone(page, 'the programme page');
    await shoot(page, 'food-box');

    // The demo cycle was frozen and generated by the system: this administrator may approve
    // it, and the page does not warn her that it is hers.
    await page.click('#cycle-list li[data-status=generated] a.cycle-link');
    await waitFor(page, '#cycle-timeline li[data-step=generated][data-done=true]');
    await waitFor(page, '#approve-cycle');
    assert.doesNotMatch((await page.textContent('#approve-hint')) ?? '', /Usted congeló/);
    assert.match((await page.textContent('#cycle-timeline')) ?? '', /el sistema|demo/);
    await assertAccessible(page, 'demo cycle');
    await shoot(page, 'food-box-cycle');
  });

  it('checks a rule as it is typed: line, column, suggestion, card gate, live counts', async () => {
    await page.goto(base + '/#/rules');
    await waitFor(page, '#rules-form textarea[name=rule]');
    await typeRule('houshold_size >= 1');
    await waitFor(page, '#rule-problems li[data-code=RULE_UNKNOWN_NAME]');
    const problem = (await page.textContent('#rule-problems li')) ?? '';
    assert.match(problem, /Línea 1, columna 1/);
    assert.match(problem, /no es un dato del registro/);
    assert.match(
      (await page.textContent('#rule-problems .rule-suggestion code')) ?? '',
      /^household_size$/,
    );
    assert.match((await page.textContent('#rule-problems .rule-caret')) ?? '', /^\^~+$/);
    await assertAccessible(page, 'rule editor with a problem');
    await fitsThePhone(page, 'the rule editor');
    await shoot(page, 'rule-problem');

    await typeRule('age >= 18 and\n  has_card = true');
    await waitFor(page, '#rule-problems li[data-code=RULE_CARD_GATE]');
    const gate = (await page.textContent('#rule-problems li[data-code=RULE_CARD_GATE]')) ?? '';
    assert.match(gate, /Línea 2, columna 3/);
    assert.match(gate, /carnet/);
    await shoot(page, 'rule-card-gate');

    await page.selectOption('#rules-form select[name=target]', 'person');
    await typeRule('age >= 60');
    await waitFor(page, '#rule-counts #rule-total');
    await waitFor(page, '#rule-by-region tbody tr');
    assert.equal(await page.locator('#rule-problems').count(), 0);
    const counts = (await page.textContent('#rule-counts')) ?? '';
    assert.match(counts, /personas cumplen la regla/);
    assert.match(counts, /Calculado en \d+ ms/);
    assert.doesNotMatch(counts, /VE-[A-Z]/);
    for (const text of await page.locator('#rule-counts td.suppressed').allTextContents())
      assert.match(text, /^< 10/);
    assert.equal(await page.locator('#rule-by-age tbody tr').count(), 7);
    await assertAccessible(page, 'rule editor with counts');
    await fitsThePhone(page, 'the rule counts');
    await shoot(page, 'rule-counts');

    // The same in English.
    await page.selectOption('#language', 'en');
    await typeRule('age >= 65');
    await waitFor(page, '.rule-status[data-state=counted]');
    assert.match((await page.textContent('#rule-counts')) ?? '', /persons meet the rule/);
    assert.match((await page.textContent('#rule-counts')) ?? '', /By age band/);
    await assertAccessible(page, 'rule editor in English');
    await shoot(page, 'rule-counts-en');
    await page.selectOption('#language', 'es');
  });

  it('creates a programme, opens and prepares a cycle, and is refused its approval', async () => {
    await page.goto(base + '/#/programmes/new');
    await waitFor(page, '#programme-form');
    await page.fill('#programme-form input[name=code]', 'canasta_escolar');
    await page.fill('#programme-form input[name="name.es"]', 'Canasta escolar');
    await page.fill('#programme-form input[name="name.en"]', 'School basket');
    await page.fill('#programme-form input[name="benefit.items.0.code"]', 'rice');
    await page.fill('#programme-form input[name="benefit.items.0.name.es"]', 'Arroz');
    await page.fill('#programme-form input[name="benefit.items.0.name.en"]', 'Rice');
    await page.fill('#programme-form input[name="benefit.items.0.quantity"]', '3');
    await page.click('#add-item');
    await page.fill('#programme-form input[name="benefit.items.1.code"]', 'pasta');
    await page.fill('#programme-form input[name="benefit.items.1.name.es"]', 'Pasta');
    await page.fill('#programme-form input[name="benefit.items.1.name.en"]', 'Pasta');
    await page.click('#add-item');
    assert.equal(await page.locator('#benefit-items fieldset.item').count(), 3);
    await page.click('#benefit-items fieldset.item[data-item="2"] button.remove-item');
    assert.equal(await page.locator('#benefit-items fieldset.item').count(), 2);
    await typeRule('household_size >= 2');
    await waitFor(page, '.rule-status[data-state=counted]');
    await assertAccessible(page, 'programme editor');
    await fitsThePhone(page, 'the programme editor');
    await shoot(page, 'editor');
    await page.click('#programme-form button[type=submit]');
    await waitFor(page, '#programme-current');
    const made = (await page.textContent('#programme-current')) ?? '';
    assert.match(made, /Arroz: 3 kg/);
    assert.match(made, /Pasta: 1 kg/);

    await page.click('#new-cycle-form button[type=submit]');
    await waitFor(page, '#freeze-cycle');
    cycleUrl = page.url();
    await assertAccessible(page, 'draft cycle');
    await page.click('#freeze-cycle');
    await waitFor(page, '#generate-cycle');
    assert.match((await page.textContent('#cycle-timeline')) ?? '', /programas/);
    await page.click('#generate-cycle');
    await waitFor(page, '#approve-cycle');
    assert.match((await page.textContent('#approve-hint')) ?? '', /debe aprobarlo otra persona/);
    await page.click('#approve-cycle');
    await waitFor(page, '#cycle-outcome [data-code=FORBIDDEN]');
    assert.match(
      (await page.textContent('#cycle-outcome')) ?? '',
      /Aprobación rechazada: usted congeló o generó este ciclo/,
    );
    assert.equal(await page.getAttribute('#cycle-status', 'data-status'), 'generated');
    await waitFor(page, '#cycle-changes');
    await assertAccessible(page, 'cycle refused');
    await fitsThePhone(page, 'the cycle page');
    await shoot(page, 'cycle-refused');
  });

  it('lets the second administrator approve, and shows who was left out', async () => {
    const second = await newPersonPage(page);
    const other = second.page;
    try {
      await other.setViewportSize(phone);
      await signInFirstTime(other, base, {
        username: 'aprobadora',
        oneTimePassword: oneTime.aprobadora,
        newPassword,
      });
      await other.goto(cycleUrl);
      await waitFor(other, '#approve-cycle');
      await other.click('#approve-cycle');
      await waitFor(other, '#cycle-status[data-status=approved]');
      const approved = (await other.textContent('#cycle-timeline li[data-step=approved]')) ?? '';
      assert.match(approved, /aprobadora/);
      await assertAccessible(other, 'approved cycle');
      await shoot(other, 'cycle-approved');

      await other.click('#open-exclusion');
      await waitFor(other, '#exclusion-table tbody tr');
      await waitFor(other, '#exclusion-chart canvas');
      await waitFor(other, '#exclusion-trend canvas');
      // The region, the eight delivery measures and the complaints of exclusion.
      assert.equal(await other.locator('#exclusion-table thead th').count(), 10);
      assert.equal(await other.locator('#exclusion-headline [data-measure]').count(), 5);
      assert.match(
        (await other.textContent('#exclusion-headline [data-measure=exclusionComplaints]')) ?? '',
        /Reclamos por exclusión/,
      );
      const table = (await other.textContent('#exclusion-table')) ?? '';
      assert.doesNotMatch(table, /VE-[A-Z]/);
      for (const text of await other.locator('#exclusion-table td.suppressed').allTextContents())
        assert.match(text, /^< 10/);
      assert.match((await other.textContent('main')) ?? '', /a quién dejó fuera el programa/);
      assert.ok(await other.getAttribute('#exclusion-chart [role=img]', 'aria-label'));
      await assertAccessible(other, 'exclusion dashboard');
      await fitsThePhone(other, 'the exclusion dashboard');
      await shoot(other, 'exclusion');

      await other.selectOption('#language', 'en');
      await waitFor(other, '#exclusion-headline');
      assert.match(
        (await other.textContent('#exclusion-headline')) ?? '',
        /Eligible without a card/,
      );
      assert.match((await other.textContent('main')) ?? '', /whom the programme left out/);
      await assertAccessible(other, 'exclusion dashboard in English');
      await shoot(other, 'exclusion-en');
    } finally {
      await second.context.close();
    }
  });
});
