// Settlement and disputes on both engines: a point's local day with cash and wallet
// co-payments settles to exactly the sum of its redemptions; one finance officer computes and
// another approves (never the same person, however signed in); computing or approving again
// pays nothing twice; a day whose redemptions changed since it was computed is not approved;
// a dispute is opened by the point's operator and resolved by someone else, and an upheld one
// makes one correcting transfer while the books stay balanced; bad input names its field.
import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { staff, testApp } from '../../test/support/app';
import { forEachEngine } from '../../test/support/engines';
import { refused } from '../../test/support/refusals';
import { systemActor, type Actor } from '../shared/access';
import type { Caller } from '../shared/context';
import { parseInput } from '../shared/validate';
import { createAccounts } from './create-accounts';
import { createTransfers } from './create-transfers';
import { decideDispute, disputeInput, listDisputes, openDispute } from './disputes';
import { getAccount } from './get-account';
import { ledgerTotals } from './ledger-totals';
import {
  approveSettlement,
  computeSettlement,
  getSettlement,
  settlementDay,
  settlementInput,
  settlementRateInput,
  setSettlementRate,
} from './settlement';

const system: Caller = { actor: systemActor('test') };

interface Redemption {
  programme: 'food' | 'fuel';
  quantity: number;
  method: 'none' | 'cash' | 'wallet';
  minor: bigint;
  at: string;
}

forEachEngine('settlement and disputes', ({ db }) => {
  let app: ReturnType<typeof testApp>;
  const finance = staff('finance');
  const second = staff('finance');
  const third = staff('finance');
  const admin = staff('programme_admin');
  const operator = staff('operator', ['VE-A']);
  const stranger = staff('operator', ['VE-A']);
  let counter = 0;

  const redeem = async (point: string, r: Redemption) => {
    counter += 1;
    await app.db.kysely
      .insertInto('redemptions')
      .values({
        id: `r-${counter}`,
        cycle_id: `cy-${r.programme}`,
        person_id: `p-${counter}`,
        programme_id: `prog-${r.programme}`,
        point_id: point,
        device_id: null,
        operator_id: operator.actor.id,
        quantity: r.quantity,
        proof_kind: 'card',
        proof_details: '{}',
        collected_by_person_id: null,
        collected_as: 'holder',
        channel: 'online',
        co_payment_method: r.method,
        co_payment_minor: r.minor,
        co_payment_id: r.method === 'wallet' ? `cop-r-${counter}` : null,
        receipt_code: `RC${counter}`,
        redeemed_at: r.at,
        recorded_at: r.at,
        offline_counter: null,
      })
      .execute();
  };

  before(async () => {
    app = testApp(db(), new Date('2026-12-03T15:00:00Z'));
    await createAccounts(app, system, {
      accounts: [
        { id: 'st-equity', ledger: 'VES', code: 'operator_equity' },
        {
          id: 'st-fund',
          ledger: 'VES',
          code: 'programme_fund',
          flags: { debitsMustNotExceedCredits: true },
        },
        { id: 'st-merchant', ledger: 'VES', code: 'merchant', regionCode: 'VE-A' },
      ],
    });
    await createTransfers(app, system, {
      transfers: [
        {
          id: 'st-funding',
          debitAccountId: 'st-equity',
          creditAccountId: 'st-fund',
          amount: 1_000_000n,
          ledger: 'VES',
          code: 'funding',
        },
      ],
    });
    const at = '2026-11-01T00:00:00.000Z';
    for (const code of ['food', 'fuel'])
      await app.db.kysely
        .insertInto('programmes')
        .values({
          id: `prog-${code}`,
          code,
          kind: code === 'food' ? 'basket' : 'quota',
          target: 'person',
          schedule: 'monthly',
          current_version: 1,
          status: 'active',
          created_at: at,
          created_by: 'test',
        })
        .execute();
    for (const [id, region] of [
      ['pt-1', 'VE-A'],
      ['pt-2', 'VE-M'],
    ] as const)
      await app.db.kysely
        .insertInto('points')
        .values({
          id,
          code: `DEP-${id.toUpperCase()}`,
          name: `Depósito ${id}`,
          kind: 'food_depot',
          region_code: region,
          locality: null,
          programmes: '["prog-food","prog-fuel"]',
          merchant_account_id: id === 'pt-1' ? 'st-merchant' : null,
          status: 'active',
          created_at: at,
          created_by: 'test',
          closed_at: null,
          closed_by: null,
        })
        .execute();
    await app.db.kysely
      .insertInto('point_operators')
      .values({
        point_id: 'pt-1',
        staff_id: operator.actor.id,
        assigned_at: at,
        assigned_by: 'test',
        removed_at: null,
        removed_by: null,
      })
      .execute();
    // Fuel is reimbursed 120 per litre from 1 December (10 before); food not at all.
    for (const [perUnit, from] of [
      [10n, '2026-11-01'],
      [120n, '2026-12-01'],
    ] as const)
      await setSettlementRate(app, admin, {
        programmeId: 'prog-fuel',
        currency: 'VES',
        perUnit,
        fundAccountId: 'st-fund',
        effectiveFrom: from,
        reason: 'Precio de referencia menos precio subsidiado',
      });
  });

  // Caracas is UTC−4: 1 December runs from 04:00 UTC on the 1st to 04:00 UTC on the 2nd.
  const day: Redemption[] = [
    {
      programme: 'fuel',
      quantity: 15,
      method: 'cash',
      minor: 750n,
      at: '2026-12-01T04:00:00.000Z',
    },
    {
      programme: 'fuel',
      quantity: 40,
      method: 'wallet',
      minor: 2000n,
      at: '2026-12-01T13:10:00.000Z',
    },
    {
      programme: 'fuel',
      quantity: 5,
      method: 'wallet',
      minor: 250n,
      at: '2026-12-02T03:59:59.999Z',
    },
    { programme: 'food', quantity: 1, method: 'none', minor: 0n, at: '2026-12-01T15:00:00.000Z' },
    { programme: 'food', quantity: 1, method: 'cash', minor: 300n, at: '2026-12-01T16:00:00.000Z' },
  ];
  const outside: Redemption[] = [
    { programme: 'fuel', quantity: 7, method: 'cash', minor: 350n, at: '2026-12-01T03:59:59.999Z' },
    {
      programme: 'fuel',
      quantity: 9,
      method: 'wallet',
      minor: 450n,
      at: '2026-12-02T04:00:00.000Z',
    },
  ];

  it('settles a day with cash and wallet co-payments to the sum of its redemptions', async () => {
    for (const r of [...day, ...outside]) await redeem('pt-1', r);
    const s = await computeSettlement(app, finance, { pointId: 'pt-1', day: '2026-12-01' });
    assert.equal(s.status, 'computed');
    for (const programme of ['food', 'fuel'] as const) {
      const mine = day.filter((r) => r.programme === programme);
      const line = s.lines.find((l) => l.programmeId === `prog-${programme}`)!;
      const sum = (m: Redemption['method']) =>
        mine.filter((r) => r.method === m).reduce((t, r) => t + r.minor, 0n);
      assert.deepEqual(
        {
          redemptions: line.redemptions,
          quantity: line.quantity,
          cash: line.cash,
          wallet: line.wallet,
        },
        {
          redemptions: mine.length,
          quantity: mine.reduce((t, r) => t + r.quantity, 0),
          cash: String(sum('cash')),
          wallet: String(sum('wallet')),
        },
        programme,
      );
    }
    const fuel = s.lines.find((l) => l.programmeId === 'prog-fuel')!;
    assert.equal(fuel.perUnit, '120', 'the rate in force that day');
    assert.equal(fuel.reimbursement, String(60n * 120n));
    assert.equal(s.lines.find((l) => l.programmeId === 'prog-food')!.reimbursement, '0');
    assert.deepEqual(s.totals.VES, {
      redemptions: 5,
      quantity: 62,
      cash: '1050',
      wallet: '2250',
      reimbursement: '7200',
    });
    const listed = await settlementDay(app, finance, '2026-12-01');
    assert.deepEqual(
      listed.map((e) => [e.pointId, e.status, e.redemptions]),
      [['pt-1', 'computed', 5]],
    );
  });

  it('is approved only by someone other than who computed it, and then pays once', async () => {
    const sid = (await computeSettlement(app, finance, { pointId: 'pt-1', day: '2026-12-01' })).id;
    await refused(approveSettlement(app, finance, sid), 'FORBIDDEN', /someone other/);
    const token: Actor = {
      kind: 'token',
      id: 'token-of-the-computer',
      staffId: finance.actor.id,
      grants: finance.actor.grants,
    };
    await refused(approveSettlement(app, { actor: token }, sid), 'FORBIDDEN');
    await refused(approveSettlement(app, staff('finance', ['VE-M']), sid), 'NOT_FOUND');
    const approved = await approveSettlement(app, second, sid);
    assert.equal(approved.status, 'approved');
    assert.equal(approved.approvedBy, second.actor.id);
    const merchant = await getAccount(app, system, 'st-merchant');
    assert.equal(merchant.creditsPosted, 7200n);

    // Run again: computing returns the approved settlement, approving is refused, nothing moves.
    const again = await computeSettlement(app, third, { pointId: 'pt-1', day: '2026-12-01' });
    assert.equal(again.repeated, true);
    assert.equal(again.computedBy, finance.actor.id);
    await refused(approveSettlement(app, third, sid), 'INVALID_STATE', /approved/);
    const paid = await app.db.kysely
      .selectFrom('ledger_transfers')
      .select(['id', 'amount'])
      .where('code', '=', 'settlement')
      .execute();
    assert.equal(paid.length, 1, 'one reimbursement transfer, food owes nothing');
    assert.equal((await getAccount(app, system, 'st-merchant')).creditsPosted, 7200n);
    for (const t of await ledgerTotals(app.db.kysely)) assert.ok(t.isBalanced);
  });

  it('refuses to approve a day whose redemptions changed since it was computed', async () => {
    await redeem('pt-1', {
      programme: 'fuel',
      quantity: 2,
      method: 'cash',
      minor: 100n,
      at: '2026-12-02T12:00:00.000Z',
    });
    const s = await computeSettlement(app, finance, { pointId: 'pt-1', day: '2026-12-02' });
    assert.equal(s.totals.VES!.quantity, 11);
    await redeem('pt-1', {
      programme: 'food',
      quantity: 1,
      method: 'none',
      minor: 0n,
      at: '2026-12-02T13:00:00.000Z',
    });
    await refused(approveSettlement(app, second, s.id), 'INVALID_STATE', /compute it again/);
    const recomputed = await computeSettlement(app, third, { pointId: 'pt-1', day: '2026-12-02' });
    assert.equal(recomputed.lines.length, 2);
    assert.equal(recomputed.computedBy, third.actor.id);
    // The one who computed it first may now approve what someone else computed.
    const ok = await approveSettlement(app, finance, s.id);
    assert.equal(ok.status, 'approved');
    assert.equal((await getAccount(app, system, 'st-merchant')).creditsPosted, 7200n + 11n * 120n);
  });

  it('upholds a dispute with one correcting transfer, by someone other than who opened it', async () => {
    const sid = (
      await getSettlement(
        app,
        finance,
        (await settlementDay(app, finance, '2026-12-01'))[0]!.settlementId,
      )
    ).id;
    await refused(
      openDispute(app, stranger, {
        settlementId: sid,
        programmeId: 'prog-fuel',
        direction: 'underpaid',
        claimed: 500n,
        reason: 'Faltan litros entregados',
      }),
      'NOT_FOUND',
    );
    const opened = await openDispute(app, operator, {
      settlementId: sid,
      programmeId: 'prog-fuel',
      direction: 'underpaid',
      claimed: 600n,
      reason: 'Cinco litros entregados sin registrar',
    });
    assert.equal(opened.status, 'open');
    const mine = await listDisputes(app, operator);
    assert.deepEqual(
      mine.map((d) => d.id),
      [opened.id],
    );
    assert.deepEqual(await listDisputes(app, stranger), [], 'not their point');
    const before = (await getAccount(app, system, 'st-merchant')).creditsPosted;
    const review = await decideDispute(app, finance, opened.id, {
      decision: 'under_review',
      note: 'Revisando el registro del día',
    });
    assert.equal(review.status, 'under_review');
    const upheld = await decideDispute(app, second, opened.id, {
      decision: 'upheld',
      note: 'Comprobado con el inventario',
      amount: 500n,
    });
    assert.equal(upheld.status, 'upheld');
    assert.equal(upheld.adjustment, '500');
    assert.equal(upheld.resolvedBy, second.actor.id);
    await refused(
      decideDispute(app, third, opened.id, { decision: 'rejected', note: 'tarde' }),
      'INVALID_STATE',
      /already upheld/,
    );
    const corrections = await app.db.kysely
      .selectFrom('ledger_transfers')
      .selectAll()
      .where('code', '=', 'settlement_adjustment')
      .execute();
    assert.equal(corrections.length, 1);
    assert.equal(corrections[0]!.id, upheld.transferId);
    assert.equal((await getAccount(app, system, 'st-merchant')).creditsPosted, before + 500n);
    for (const t of await ledgerTotals(app.db.kysely)) assert.ok(t.isBalanced, t.ledger);

    // Opened by finance: its opener cannot resolve it; rejected by another, nothing moves.
    const own = await openDispute(app, finance, {
      settlementId: sid,
      programmeId: 'prog-fuel',
      direction: 'overpaid',
      claimed: 120n,
      reason: 'Un litro contado dos veces',
    });
    await refused(
      decideDispute(app, finance, own.id, { decision: 'upheld', note: 'mío' }),
      'FORBIDDEN',
      /someone other/,
    );
    const rejected = await decideDispute(app, second, own.id, {
      decision: 'rejected',
      note: 'El registro está bien',
    });
    assert.equal(rejected.transferId, null);
    const all = await app.db.kysely
      .selectFrom('ledger_transfers')
      .select('id')
      .where('code', '=', 'settlement_adjustment')
      .execute();
    assert.equal(all.length, 1);
    const audit = await app.db.kysely
      .selectFrom('audit_log')
      .select('operation')
      .where('operation', 'like', 'dispute.%')
      .execute();
    assert.deepEqual(audit.map((a) => a.operation).sort(), [
      'dispute.open',
      'dispute.open',
      'dispute.resolve',
      'dispute.resolve',
      'dispute.review',
    ]);
  });

  it('refuses bad input, naming where, and disputes on what is not approved', async () => {
    const cases: [unknown, string, string][] = [
      [{ pointId: 'pt-1', day: '2026-13-01' }, 'VALIDATION_FAILED', 'day'],
      [{ pointId: 'pt-1', day: '2026-12-01', extra: 1 }, 'UNKNOWN_FIELD', 'extra'],
      [{ pointId: 42, day: '2026-12-01' }, 'VALIDATION_FAILED', 'pointId'],
    ];
    for (const [body, code, field] of cases)
      assert.throws(
        () => parseInput(settlementInput, body),
        (e: { code: string; field: string }) => e.code === code && e.field === field,
      );
    assert.throws(
      () =>
        parseInput(disputeInput, {
          settlementId: 's',
          programmeId: 'p',
          direction: 'underpaid',
          claimed: 500,
          reason: 'porque sí',
        }),
      (e: { field: string }) => e.field === 'claimed',
    );
    assert.throws(
      () =>
        parseInput(settlementRateInput, {
          programmeId: 'prog-fuel',
          perUnit: '1.5',
          fundAccountId: 'st-fund',
          effectiveFrom: '2026-12-01',
          reason: 'x y z',
        }),
      (e: { field: string }) => e.field === 'perUnit',
    );
    await refused(
      computeSettlement(app, finance, { pointId: 'pt-1', day: '2026-12-09' }),
      'VALIDATION_FAILED',
      { field: 'day' },
    );
    await refused(
      computeSettlement(app, finance, { pointId: 'nope', day: '2026-12-01' }),
      'NOT_FOUND',
    );
    await refused(
      setSettlementRate(app, admin, {
        programmeId: 'prog-fuel',
        currency: 'VES',
        perUnit: 5n,
        fundAccountId: 'st-merchant',
        effectiveFrom: '2026-12-01',
        reason: 'cuenta equivocada',
      }),
      'VALIDATION_FAILED',
      { field: 'fundAccountId' },
    );
    await redeem('pt-1', {
      programme: 'fuel',
      quantity: 1,
      method: 'cash',
      minor: 50n,
      at: '2026-11-30T15:00:00.000Z',
    });
    const open = await computeSettlement(app, finance, { pointId: 'pt-1', day: '2026-11-30' });
    await refused(
      openDispute(app, operator, {
        settlementId: open.id,
        programmeId: 'prog-fuel',
        direction: 'underpaid',
        claimed: 10n,
        reason: 'Todavía no aprobada',
      }),
      'INVALID_STATE',
    );
    // A point without a merchant account cannot be paid: approval refused, nothing written.
    await redeem('pt-2', {
      programme: 'fuel',
      quantity: 3,
      method: 'cash',
      minor: 150n,
      at: '2026-12-01T15:00:00.000Z',
    });
    const noAccount = await computeSettlement(app, finance, { pointId: 'pt-2', day: '2026-12-01' });
    await refused(approveSettlement(app, second, noAccount.id), 'INVALID_STATE', /merchant/);
    assert.equal((await getSettlement(app, second, noAccount.id)).status, 'computed');
  });
});
