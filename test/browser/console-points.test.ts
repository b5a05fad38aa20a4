// The points-of-service screens in a real browser (Debian's Chromium via playwright-core), on
// the demo: a programme administrator filters the points by region, opens the Caracas depot,
// assigns and removes an operator, records a loss that leaves the depot overdrawn (shown in red
// and in words, and in the list of overdrawn points), reads the day's redemption log after
// declaring a purpose, and resolves a conflict in the review queue; the administrator
// registers a device (its one-time code shown once) and revokes the demo's device with a
// reason; the demo operator sees the points of Caracas and the depot's stock, but not the conflict
// queue. axe-core finds no
// serious or critical violation on any screen. Screenshots at phone (360×740) and laptop
// (1366×768) size land in test-output/points-*.png.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { loadDemo, wireDomains } from '../../src/app';
import { insertGrant, insertStaff } from '../../src/auth';
import { loadAuditSealKey, pinAuditKeysInMemory } from '../../src/privacy';
import { approveCycle } from '../../src/programs';
import { loadDemoRegistry } from '../../src/registry';
import { systemActor } from '../../src/shared/access';
import type { AppContext } from '../../src/shared/context';
import { redeem } from '../../src/distribution';
import { testApp } from '../support/app';
import { openBrowserSession, screenshots, skipWithoutChromium } from '../support/browser';
import { assertAccessible, newPersonPage, signInFirstTime } from '../support/console-steps';
import { createTestDatabase } from '../support/engines';

const newPassword = 'cielo nublado sobre el ávila';
const phone = { width: 360, height: 740 };

describe('points-of-service console screens in Chromium', { skip: skipWithoutChromium }, () => {
  let page: Page;
  let context: BrowserContext;
  let base = '';
  let app: AppContext;
  let stop: () => Promise<void> = async () => {};
  const oneTime: Record<string, string> = {};
  let depotId = '';
  let pharmacyId = '';
  let conflictId = '';
  let secondOperatorId = '';
  const delivered: string[] = [];

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
    await loadDemoRegistry(app, { actor: systemActor('browser-test') }, { people: 400, seed: 11 });
    for (const line of await loadDemo(app)) {
      const found = /^\s+(\S+)\s+(\S{12,})\s+(admin|programme_admin|operator) \(/.exec(line);
      if (found) oneTime[found[1]!] = found[2]!;
    }
    assert.ok(oneTime.programas && oneTime.admin && oneTime.operador, JSON.stringify(oneTime));
    const points = await app.db.kysely.selectFrom('points').select(['id', 'code']).execute();
    depotId = points.find((p) => p.code === 'DEP-CCS-0001')!.id;
    pharmacyId = points.find((p) => p.code === 'FAR-MIR-0001')!.id;
    // A second operator in Caracas, to be assigned in the console.
    await app.db.transaction(async (trx) => {
      const made = await insertStaff(
        trx,
        app,
        { actor: systemActor('browser-test') },
        {
          username: 'operadora.dos',
          displayName: 'Segunda operadora',
        },
      );
      await insertGrant(
        trx,
        app,
        { actor: systemActor('browser-test') },
        made.account.id,
        'operator',
        ['VE-A'],
      );
      secondOperatorId = made.account.id;
    });
    // The demo cycle approved by a second administrator, and three boxes handed over at the
    // depot, so that the log has lines and the stock a delivery.
    const cycle = await app.db.kysely
      .selectFrom('cycles')
      .select('id')
      .where('status', '=', 'generated')
      .executeTakeFirstOrThrow();
    await approveCycle(app, { actor: systemActor('second-approver') }, cycle.id);
    const today = new Date().toISOString().slice(0, 10);
    const open = await app.db.kysely
      .selectFrom('entitlements as e')
      .innerJoin('persons as p', 'p.id', 'e.person_id')
      .select(['e.person_id', 'p.registry_number', 'p.birth_date'])
      .where('e.cycle_id', '=', cycle.id)
      .where('p.region_code', '=', 'VE-A')
      .where('e.opens_on', '<=', today)
      .where('p.birth_date', 'is not', null)
      .orderBy('p.registry_number')
      .limit(3)
      .execute();
    assert.equal(open.length, 3, 'three Caracas households can collect today');
    const counter = { actor: systemActor('browser-counter'), purpose: 'service_delivery' as const };
    for (const [i, e] of open.entries()) {
      const made = await redeem(
        app,
        counter,
        {
          entitlementId: `${cycle.id}.${e.person_id}`,
          quantity: 1,
          pointId: depotId,
          proof: {
            kind: 'document',
            registryNumber: e.registry_number,
            birthDate: e.birth_date!,
            documentType: 'national_id',
            documentNumber: `V-${15000000 + i}`,
            reason: 'Cédula vista en el mostrador',
          },
        },
        `browser-red-${i}`,
      );
      delivered.push(made.redemption.receiptCode);
    }
    // A conflict as sync records one: the same box recorded offline by the depot's device.
    const device = await app.db.kysely
      .selectFrom('devices')
      .select('id')
      .where('point_id', '=', depotId)
      .executeTakeFirstOrThrow();
    conflictId = 'browser-conflict-1';
    await app.db.kysely
      .insertInto('conflicts')
      .values({
        id: conflictId,
        cycle_id: cycle.id,
        person_id: open[0]!.person_id,
        point_id: depotId,
        device_id: device.id,
        reason: 'already_redeemed',
        redemption_id: 'browser-red-0',
        quantity: 1,
        offline_counter: 4,
        details: '{}',
        status: 'open',
        resolution: null,
        resolution_note: null,
        created_at: new Date().toISOString(),
        resolved_at: null,
        resolved_by: null,
      })
      .execute();

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

  async function waitFor(on: Page, selector: string): Promise<void> {
    await on.waitForSelector(selector).catch(async (e: unknown) => {
      throw new Error(`no ${selector}; the page says: ${await on.textContent('main')}`, {
        cause: e,
      });
    });
  }

  async function shoot(on: Page, name: string): Promise<void> {
    await on.setViewportSize(phone);
    await on.screenshot({ path: `${screenshots}points-${name}-360.png`, fullPage: true });
    await on.setViewportSize({ width: 1366, height: 768 });
    await on.screenshot({ path: `${screenshots}points-${name}-1366.png`, fullPage: true });
    await on.setViewportSize(phone);
  }

  async function fitsThePhone(on: Page, where: string): Promise<void> {
    await on.setViewportSize(phone);
    const width = await on.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= phone.width, `${where} is ${width}px wide on a 360px screen`);
  }

  it('lists the points by region and shows the depot with its operators and stock', async () => {
    await signInFirstTime(page, base, {
      username: 'programas',
      oneTimePassword: oneTime.programas!,
      newPassword,
    });
    await page.goto(base + '/#/points');
    await waitFor(page, '#point-list li[data-code=DEP-CCS-0001]');
    await waitFor(page, '#overdrawn-none');
    assert.equal(await page.locator('#point-list li').count(), 2);
    const list = (await page.textContent('#point-list')) ?? '';
    assert.match(list, /Depósito de alimentos/);
    assert.match(list, /Farmacia/);
    assert.doesNotMatch(list, /food_depot|VE-A/);
    await assertAccessible(page, 'point list');
    await fitsThePhone(page, 'the point list');
    await shoot(page, 'list');

    await page.selectOption('#points-filter select[name=region]', 'VE-M');
    await page.click('#points-filter button[type=submit]');
    await waitFor(page, '#point-list li[data-code=FAR-MIR-0001]');
    await page.waitForFunction(() => document.querySelectorAll('#point-list li').length === 1);
    assert.match(page.url(), /region=VE-M/);

    await page.goto(base + `/#/points/${depotId}`);
    await waitFor(page, '#point-facts');
    assert.match((await page.textContent('#point-facts')) ?? '', /Caja de alimentos/);
    await waitFor(page, '#operator-list li[data-username=operador]');
    await waitFor(page, `#stock-list li[data-overdrawn=false]`);
    const stock = (await page.textContent('#stock-list')) ?? '';
    assert.match(stock, /Recibido\s*400 cajas/);
    assert.match(stock, /Entregado\s*3 cajas/);
    assert.match(stock, /Queda\s*397 cajas/);
    assert.match(stock, /Al día/);

    await page.selectOption('#assign-operator select[name=staffId]', secondOperatorId);
    await page.click('#assign-operator button[type=submit]');
    await waitFor(page, '#operator-list li[data-username="operadora.dos"]');
    assert.match((await page.textContent('#operators')) ?? '', /opera ahora este punto/);
    await page.click('#operator-list li[data-username="operadora.dos"] button.remove-operator');
    await page.waitForFunction(
      () => !document.querySelector('#operator-list li[data-username="operadora.dos"]'),
    );
    assert.equal(await page.locator('#register-device').count(), 0, 'no device:manage here');
    await assertAccessible(page, 'point page');
    await fitsThePhone(page, 'the point page');
    await shoot(page, 'depot');
  });

  it('records a loss that leaves the depot overdrawn, in red and in words', async () => {
    await page.selectOption('#stock-form select[name=kind]', 'adjustment');
    await page.fill('#stock-form input[name=quantity]', '-399');
    await page.click('#stock-form button[type=submit]');
    await waitFor(page, '#stock-form [data-code=VALIDATION_FAILED]');
    await page.fill('#stock-form input[name=reason]', 'Inventario: solo quedaba una caja');
    await page.click('#stock-form button[type=submit]');
    await waitFor(page, '#stock-list li[data-overdrawn=true]');
    const line = (await page.textContent('#stock-list li[data-overdrawn=true]')) ?? '';
    assert.match(line, /Sobregirado: entregó 2 cajas más de lo que tenía/);
    assert.match(line, /Queda\s*-2 cajas/);
    const colour = await page.$eval(
      '#stock-list li[data-overdrawn=true] .stock-state',
      (el) => getComputedStyle(el).color,
    );
    assert.equal(colour, 'rgb(164, 22, 26)', 'overdrawn is said in red');
    await assertAccessible(page, 'overdrawn stock');
    await fitsThePhone(page, 'the overdrawn stock');
    await shoot(page, 'overdrawn');

    await page.goto(base + '/#/points');
    await waitFor(page, `#overdrawn-list li[data-point="${depotId}"]`);
    assert.match((await page.textContent('#overdrawn-list')) ?? '', /2 de más/);
    assert.equal(await page.locator(`#overdrawn-list li[data-point="${pharmacyId}"]`).count(), 0);
    await shoot(page, 'list-overdrawn');
  });

  it('reads the day’s log only after a purpose is declared', async () => {
    await page.goto(base + `/#/points/${depotId}`);
    await page.click('#open-log');
    await waitFor(page, '#log-form');
    await page.click('#log-form button[type=submit]');
    await waitFor(page, '#log-form [data-code=VALIDATION_FAILED]');
    assert.equal(await page.locator('#log-table').count(), 0);
    await page.selectOption('#log-form select[name=purpose]', 'audit');
    await page.click('#log-form button[type=submit]');
    await waitFor(page, '#log-table tbody tr');
    assert.equal(await page.locator('#log-table tbody tr').count(), 3);
    const table = (await page.textContent('#log-table')) ?? '';
    for (const code of delivered) assert.ok(table.includes(code), `receipt ${code} shown`);
    assert.match(table, /Documento verificado/);
    assert.match(table, /La persona titular/);
    assert.match(table, /En línea/);
    assert.match(page.url(), /purpose=audit/);
    const reads = await app.db.kysely
      .selectFrom('audit_log')
      .select(['purpose', 'subject_ids'])
      .where('operation', '=', 'redemption.read')
      .execute();
    assert.equal(reads.length, 1);
    assert.equal(reads[0]!.purpose, 'audit');
    assert.equal((JSON.parse(reads[0]!.subject_ids) as string[]).length, 3);
    await assertAccessible(page, 'redemption log');
    await fitsThePhone(page, 'the redemption log');
    await shoot(page, 'log');
  });

  it('resolves a conflict in the review queue with a note', async () => {
    await page.goto(base + '/#/conflicts');
    await waitFor(page, `#conflict-list li[data-conflict="${conflictId}"]`);
    const card = `#conflict-list li[data-conflict="${conflictId}"]`;
    assert.match((await page.textContent(card)) ?? '', /El beneficio ya se había retirado/);
    assert.match((await page.textContent(card)) ?? '', /Depósito de alimentos La Candelaria/);
    await assertAccessible(page, 'conflict queue');
    await fitsThePhone(page, 'the conflict queue');
    await shoot(page, 'conflicts');
    await page.selectOption(`${card} select[name=resolution]`, 'confirmed_loss');
    await page.fill(`${card} input[name=note]`, 'Se entregó dos veces; la operadora lo confirmó');
    await page.click(`${card} button[type=submit]`);
    await waitFor(page, `${card}[data-status=resolved]`);
    assert.match((await page.textContent(card)) ?? '', /Resuelto por programas/);
    assert.match((await page.textContent(card)) ?? '', /Pérdida confirmada/);
    const redemptions = await app.db.kysely
      .selectFrom('redemptions')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    assert.equal(Number(redemptions.n), 3, 'resolving made no delivery');
    await shoot(page, 'conflict-resolved');

    await page.selectOption('#language', 'en');
    await page.goto(base + '/#/conflicts?status=resolved');
    await waitFor(page, `${card}[data-status=resolved]`);
    assert.match((await page.textContent(card)) ?? '', /Confirmed loss/);
    await page.goto(base + `/#/points/${depotId}`);
    await waitFor(page, '#stock-list li[data-overdrawn=true]');
    assert.match(
      (await page.textContent('#stock-list')) ?? '',
      /Overdrawn: delivered 2 boxes more than it had/,
    );
    await assertAccessible(page, 'point page in English');
    await shoot(page, 'depot-en');
    await page.selectOption('#language', 'es');
  });

  it('lets the administrator register a device (code shown once) and revoke one', async () => {
    const second = await newPersonPage(page);
    const other = second.page;
    try {
      await other.setViewportSize(phone);
      await signInFirstTime(other, base, {
        username: 'admin',
        oneTimePassword: oneTime.admin!,
        newPassword,
      });
      await other.goto(base + `/#/points/${depotId}`);
      await waitFor(other, '#device-list li[data-status=awaiting_enrolment]');
      await other.fill('#register-device input[name=name]', 'Tableta de la bodega');
      await other.click('#register-device button[type=submit]');
      await waitFor(other, '#device-code');
      const code = ((await other.textContent('#device-code')) ?? '').trim();
      assert.match(code, /^[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}$/);
      await waitFor(other, '#device-list li:nth-child(2)');
      await assertAccessible(other, 'device registered');
      await fitsThePhone(other, 'the device code');
      await shoot(other, 'device-code');

      await other.click('#device-list li:first-child button.revoke-device');
      await waitFor(other, '#revoke-device');
      await other.fill('#revoke-device input[name=reason]', 'Teléfono robado en el depósito');
      await other.click('#revoke-device button[type=submit]');
      await waitFor(other, '#device-list li[data-status=revoked]');
      assert.match(
        (await other.textContent('#device-list li[data-status=revoked]')) ?? '',
        /Teléfono robado en el depósito/,
      );
      await other.reload();
      await waitFor(other, '#device-list li[data-status=revoked]');
      assert.equal(await other.locator('#device-code').count(), 0, 'the code is shown only once');
      await assertAccessible(other, 'device revoked');
      await shoot(other, 'device-revoked');
    } finally {
      await second.context.close();
    }
  });

  it('shows the demo operator the points, and no conflict queue', async () => {
    const third = await newPersonPage(page);
    const other = third.page;
    try {
      await other.setViewportSize(phone);
      await signInFirstTime(other, base, {
        username: 'operador',
        oneTimePassword: oneTime.operador!,
        newPassword,
      });
      const menu = (await other.textContent('nav.menu')) ?? '';
      assert.match(menu, /Puntos de entrega/);
      assert.doesNotMatch(menu, /Conflictos/);
      await other.goto(base + `/#/points/${depotId}`);
      await waitFor(other, '#stock-list li');
      assert.equal(await other.locator('#assign-operator').count(), 0);
      await other.goto(base + '/#/points');
      await waitFor(other, '#point-list li[data-code=DEP-CCS-0001]');
      assert.equal(await other.locator('#point-list li').count(), 1, 'only Caracas’s points');
      await waitFor(other, `#overdrawn-list li[data-point="${depotId}"]`);
      await shoot(other, 'operator');
    } finally {
      await third.context.close();
    }
  });
});
