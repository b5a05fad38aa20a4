// The Money screens in a real browser (Debian's Chromium via playwright-core), on the demo,
// with the demo finance officer `finanzas` and a second finance officer: the accounts with
// their balances and one account's transfers; a payout batch prepared by `finanzas` whose
// approval the console refuses to her and gives to the second officer, then exported and
// settled by a pain.002, its life shown step by step with the counts; the reconciliation of its
// origin, balanced; the depot's settlement of the day computed by `finanzas`, refused to her
// for approval and approved by the second officer; a dispute opened on its line and upheld by
// the second officer with a correcting transfer. axe-core finds no serious or critical
// violation; every screen fits a 360-pixel phone. Screenshots in test-output/money-*.png.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { loadDemo, wireDomains } from '../../src/app';
import { insertGrant, insertStaff } from '../../src/auth';
import { redeem } from '../../src/distribution';
import {
  approvePayoutBatch,
  configureProvider,
  createAccounts,
  createPayoutBatch,
  importStatusReport,
  listPayoutItems,
  setPayoutDestination,
  setSettlementRate,
} from '../../src/ledger';
import { permissionMatrix } from '../../src/modules';
import { loadAuditSealKey, pinAuditKeysInMemory } from '../../src/privacy';
import { approveCycle } from '../../src/programs';
import { loadDemoRegistry } from '../../src/registry';
import { resolveGrants, systemActor, type Actor } from '../../src/shared/access';
import type { AppContext, Caller } from '../../src/shared/context';
import { testApp } from '../support/app';
import { openBrowserSession, screenshots, skipWithoutChromium } from '../support/browser';
import { assertAccessible, newPersonPage, signInFirstTime } from '../support/console-steps';
import { createTestDatabase } from '../support/engines';
import { iban, pain002 } from '../support/iso20022';

const newPassword = 'cielo nublado sobre el ávila';
const phone = { width: 360, height: 740 };
const system: Caller = { actor: systemActor('browser-test') };

describe('money console screens in Chromium', { skip: skipWithoutChromium }, () => {
  let page: Page;
  let second: Page;
  let context: BrowserContext;
  let secondContext: BrowserContext;
  let base = '';
  let app: AppContext & { payoutFolder?: string };
  let stop: () => Promise<void> = async () => {};
  const oneTime: Record<string, string> = {};
  let depotId = '';
  let financeId = '';
  let secondOneTime = '';
  const batchId = 'demo-bono-navidad';
  const origin = 'bono:2026-navidad';
  let today = '';

  before(async () => {
    const db = await createTestDatabase('sqlite');
    app = testApp(db.db);
    app.now = () => new Date();
    app.payoutFolder = mkdtempSync(join(tmpdir(), 'tessera-money-payouts-'));
    wireDomains(app);
    pinAuditKeysInMemory(
      app,
      loadAuditSealKey(join(mkdtempSync(join(tmpdir(), 'tessera-audit-key-')), 'seal.pem'), {
        create: true,
      }),
    );
    await loadDemoRegistry(app, system, { people: 400, seed: 13 });
    for (const line of await loadDemo(app)) {
      const found = /^\s+(\S+)\s+(\S{12,})\s+(admin|finance) \(/.exec(line);
      if (found) oneTime[found[1]!] = found[2]!;
    }
    assert.ok(oneTime.finanzas, JSON.stringify(oneTime));
    financeId = (
      await app.db.kysely
        .selectFrom('staff')
        .select('id')
        .where('username', '=', 'finanzas')
        .executeTakeFirstOrThrow()
    ).id;
    // A second finance officer: the one who approves what finanzas prepares.
    await app.db.transaction(async (trx) => {
      const made = await insertStaff(trx, app, system, {
        username: 'finanzas.dos',
        displayName: 'Segunda oficial de finanzas',
      });
      await insertGrant(trx, app, system, made.account.id, 'finance', '*');
      secondOneTime = made.oneTimePassword;
    });
    const finance: Caller = {
      actor: {
        kind: 'staff',
        id: financeId,
        grants: resolveGrants(permissionMatrix, [{ role: 'finance', regions: '*' }]),
      } satisfies Actor,
    };

    // Three boxes handed over at the depot today; the food box reimbursed 250.00 a box.
    const cycle = await app.db.kysely
      .selectFrom('cycles')
      .select(['id', 'programme_id'])
      .where('status', '=', 'generated')
      .executeTakeFirstOrThrow();
    await approveCycle(app, { actor: systemActor('second-approver') }, cycle.id);
    depotId = (
      await app.db.kysely
        .selectFrom('points')
        .select('id')
        .where('code', '=', 'DEP-CCS-0001')
        .executeTakeFirstOrThrow()
    ).id;
    await createAccounts(app, system, {
      accounts: [
        { id: 'merchant-dep-ccs-0001', ledger: 'VES', code: 'merchant', regionCode: 'VE-A' },
      ],
    });
    await app.db.kysely
      .updateTable('points')
      .set({ merchant_account_id: 'merchant-dep-ccs-0001' })
      .where('id', '=', depotId)
      .execute();
    today = new Intl.DateTimeFormat('en-CA', {
      timeZone: 'America/Caracas',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    }).format(new Date());
    await setSettlementRate(app, system, {
      programmeId: cycle.programme_id,
      currency: 'VES',
      perUnit: 25_000n,
      fundAccountId: 'demo-fund-ves',
      effectiveFrom: '2026-01-01',
      reason: 'Costo de manejo por caja',
    });
    const open = await app.db.kysely
      .selectFrom('entitlements as e')
      .innerJoin('persons as p', 'p.id', 'e.person_id')
      .select(['e.person_id', 'p.registry_number', 'p.birth_date'])
      .where('e.cycle_id', '=', cycle.id)
      .where('p.region_code', '=', 'VE-A')
      .where('e.opens_on', '<=', new Date().toISOString().slice(0, 10))
      .where('p.birth_date', 'is not', null)
      .orderBy('p.registry_number')
      .limit(3)
      .execute();
    assert.equal(open.length, 3);
    for (const [i, e] of open.entries())
      await redeem(
        app,
        { actor: systemActor('browser-counter'), purpose: 'service_delivery' },
        {
          entitlementId: `${cycle.id}.${e.person_id}`,
          quantity: 1,
          pointId: depotId,
          proof: {
            kind: 'document',
            registryNumber: e.registry_number,
            birthDate: e.birth_date!,
            documentType: 'national_id',
            documentNumber: `V-${16000000 + i}`,
            reason: 'Cédula vista en el mostrador',
          },
        },
        `money-red-${i}`,
      );

    // A payout batch of two people, prepared by finanzas.
    await configureProvider(app, system, 'banco-demo', {
      name: 'Banco Demo',
      kind: 'bank',
      agentId: 'BDEMVECA',
      adapter: 'folder',
      endpoint: 'banco-demo',
      currency: 'VES',
      debtorName: 'Fondo demo',
      debtorAccount: iban('VE', '01020000000000000001'),
      senderId: 'tessera',
    });
    const registrar: Caller = { actor: systemActor('browser-registrar'), purpose: 'enrolment' };
    for (const [i, e] of open.slice(0, 2).entries())
      await setPayoutDestination(app, registrar, e.person_id, {
        providerId: 'banco-demo',
        scheme: 'iban',
        account: iban('VE', `0102000000000000${String(500 + i).padStart(4, '0')}`),
        holderName: `Persona ${i}`,
        identityDocument: 'national_id_card',
      });
    await createPayoutBatch(app, finance, {
      id: batchId,
      origin,
      label: 'Bono de Navidad',
      fundAccountId: 'demo-fund-ves',
      currency: 'VES',
      executionDate: today,
      items: open.slice(0, 2).map((e) => ({ personId: e.person_id, amount: 30_000n })),
    });

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
    ({ page: second, context: secondContext } = await newPersonPage(page));
    stop = async () => {
      await secondContext.close();
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
    await on.screenshot({ path: `${screenshots}money-${name}-360.png`, fullPage: true });
    await on.setViewportSize({ width: 1366, height: 768 });
    await on.screenshot({ path: `${screenshots}money-${name}-1366.png`, fullPage: true });
    await on.setViewportSize(phone);
  }

  async function fitsThePhone(on: Page, where: string): Promise<void> {
    await on.setViewportSize(phone);
    const width = await on.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= phone.width, `${where} is ${width}px wide on a 360px screen`);
  }

  it('shows the accounts with their balances, and one account’s transfers', async () => {
    await signInFirstTime(page, base, {
      username: 'finanzas',
      oneTimePassword: oneTime.finanzas!,
      newPassword,
    });
    await signInFirstTime(second, base, {
      username: 'finanzas.dos',
      oneTimePassword: secondOneTime,
      newPassword,
    });
    await page.goto(base + '/#/money');
    await waitFor(page, '#accounts-table tr[data-account=demo-fund-ves]');
    const row = (await page.textContent('#accounts-table tr[data-account=demo-fund-ves]')) ?? '';
    assert.match(row, /Fondo de programa/);
    assert.doesNotMatch((await page.textContent('#accounts-table')) ?? '', /wallet-/);
    await assertAccessible(page, 'accounts');
    await fitsThePhone(page, 'the accounts');
    await shoot(page, 'accounts');
    await page.click('#accounts-table tr[data-account=demo-fund-ves] a');
    await waitFor(page, '#account-summary');
    await waitFor(page, '#transfers-table tr[data-transfer=demo-fund-opening]');
    await assertAccessible(page, 'an account');
    await fitsThePhone(page, 'an account');
    await shoot(page, 'account');
  });

  it('walks a payout batch from prepared to settled, approved only by the second officer', async () => {
    await page.goto(base + '/#/payouts');
    await waitFor(page, `#batches-table tr[data-batch=${batchId}]`);
    await shoot(page, 'batches');
    await page.click(`#batches-table tr[data-batch=${batchId}] a`);
    await waitFor(page, '#batch-life li[data-step=created][data-done=yes]');
    await page.click('#batch-approve');
    await waitFor(page, '[data-code=FORBIDDEN]');
    await shoot(page, 'batch-refused');

    await second.goto(base + `/#/payouts/${batchId}`);
    await waitFor(second, '#batch-approve');
    await second.click('#batch-approve');
    await waitFor(second, '#batch-life li[data-step=approved][data-done=yes]');
    await second.click('#batch-export');
    await waitFor(second, '#batch-life li[data-step=exported][data-done=yes]');
    await waitFor(second, '#batch-counts tr[data-status=exported]');
    assert.match(
      (await second.textContent('#batch-counts')) ?? '',
      /Enviado, esperando al proveedor\s*2/,
    );

    const finance: Caller = { actor: systemActor('browser-bank') };
    const items = (
      await listPayoutItems(app, { ...finance, purpose: 'audit' }, batchId, { limit: 10 })
    ).items;
    const exportId = (
      await app.db.kysely
        .selectFrom('payout_exports')
        .select('id')
        .where('batch_id', '=', batchId)
        .executeTakeFirstOrThrow()
    ).id;
    await importStatusReport(
      app,
      finance,
      Buffer.from(
        pain002(
          'BANCO-DEMO-1',
          exportId,
          items.map((i) => ({ endToEndId: i.endToEndId, status: 'ACSC', amount: '300.00' })),
        ),
      ),
    );
    await second.reload();
    await waitFor(second, '#batch-life li[data-step=settled][data-done=yes]');
    await waitFor(second, '#batch-counts tr[data-status=settled]');
    const life = (await second.textContent('#batch-life')) ?? '';
    assert.match(life, /Aprobado\s*por/);
    await assertAccessible(second, 'a payout batch');
    await fitsThePhone(second, 'a payout batch');
    await shoot(second, 'batch-settled');
    assert.ok(approvePayoutBatch, 'approval in the console only');
  });

  it('reconciles the batch’s origin: balanced, the ledger beside the statement', async () => {
    await page.goto(base + '/#/reconciliation');
    await waitFor(page, '#reconcile-form');
    await page.click('#reconcile-form button[type=submit]');
    await waitFor(page, '#reconcile-form [data-code=VALIDATION_FAILED]');
    await page.fill('#reconcile-form input[name=origin]', origin);
    await page.click('#reconcile-form button[type=submit]');
    await waitFor(page, '#reconcile-balanced[data-balanced=yes]');
    const totals = (await page.textContent('#reconcile-totals')) ?? '';
    assert.match(totals, /Pagado\s*2/);
    await assertAccessible(page, 'reconciliation');
    await fitsThePhone(page, 'reconciliation');
    await shoot(page, 'reconciliation');
  });

  it('settles the depot’s day: computed by finanzas, approved by the second officer', async () => {
    await page.goto(base + `/#/settlements?day=${today}`);
    await waitFor(page, '#settlement-points tr[data-point=DEP-CCS-0001]');
    await shoot(page, 'settlement-day');
    await page.click('button[data-compute=DEP-CCS-0001]');
    await waitFor(page, '#settlement-state[data-status=computed]');
    assert.match((await page.textContent('#settlement-lines')) ?? '', /3 unidades en 3 entregas/);
    assert.match((await page.textContent('#settlement-total')) ?? '', /750,00/);
    await page.click('#settlement-approve');
    await waitFor(page, '[data-code=FORBIDDEN]');
    await assertAccessible(page, 'a computed settlement');
    await fitsThePhone(page, 'a computed settlement');
    await shoot(page, 'settlement-refused');

    await second.goto(base + `/#/settlements?day=${today}`);
    await waitFor(second, '#settlement-points tr[data-point=DEP-CCS-0001] a');
    await second.click('#settlement-points tr[data-point=DEP-CCS-0001] a');
    await waitFor(second, '#settlement-approve');
    await second.click('#settlement-approve');
    await waitFor(second, '#settlement-state[data-status=approved]');
    const merchant = await app.db.kysely
      .selectFrom('ledger_accounts')
      .select('credits_posted')
      .where('id', '=', 'merchant-dep-ccs-0001')
      .executeTakeFirstOrThrow();
    assert.equal(Number(merchant.credits_posted), 75_000);
    await shoot(second, 'settlement-approved');
  });

  it('opens a dispute on the line, upheld by the second officer with one correction', async () => {
    await page.reload();
    await waitFor(page, '#dispute-form');
    await page.fill('#dispute-form input[name=claimed]', '250');
    await page.fill('#dispute-form input[name=reason]', 'Una caja entregada sin registrar');
    await page.click('#dispute-form button[type=submit]');
    await waitFor(page, '#dispute-form .notice.ok');
    await assertAccessible(page, 'the dispute form');
    await shoot(page, 'dispute-opened');

    await second.goto(base + '/#/disputes');
    await waitFor(second, '#disputes-list li[data-status=open] form[data-decide]');
    await fitsThePhone(second, 'the disputes');
    await shoot(second, 'disputes');
    await second.selectOption('#disputes-list form[data-decide] select[name=decision]', 'upheld');
    await second.fill(
      '#disputes-list form[data-decide] input[name=note]',
      'Comprobado con el inventario',
    );
    await second.click('#disputes-list form[data-decide] button[type=submit]');
    await waitFor(second, '#disputes-list li[data-status=upheld]');
    assert.match(
      (await second.textContent('#disputes-list li[data-status=upheld]')) ?? '',
      /corregida con/,
    );
    await assertAccessible(second, 'an upheld dispute');
    await shoot(second, 'dispute-upheld');
    const corrections = await app.db.kysely
      .selectFrom('ledger_transfers')
      .select('amount')
      .where('code', '=', 'settlement_adjustment')
      .execute();
    assert.deepEqual(
      corrections.map((c) => Number(c.amount)),
      [25_000],
    );
  });
});
