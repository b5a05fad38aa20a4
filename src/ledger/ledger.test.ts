// The ledger on both engines: every result code, idempotent retries, two-phase transfers,
// linked chains, limits, the database's own refusals, and the totals after every step.
import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { forEachEngine } from '../../test/support/engines';
import { staff, testApp } from '../../test/support/app';
import type { AppContext, Caller } from '../shared/context';
import { createAccounts, type AccountInput } from './create-accounts';
import { createTransfers } from './create-transfers';
import { expirePendingTransfers } from './expire-pending-transfers';
import { getAccount } from './get-account';
import { ledgerTotals } from './ledger-totals';
import { listAccountTransfers } from './list-account-transfers';
import type { TransferInput, TransferResult } from './types';

const admin = staff('programme_admin');

/** A fresh set of accounts for one test: ids prefixed so tests share a database safely. */
function accounts(prefix: string): Record<string, AccountInput> {
  return {
    equity: { id: `${prefix}-equity`, ledger: 'VES', code: 'operator_equity' },
    fund: {
      id: `${prefix}-fund`,
      ledger: 'VES',
      code: 'programme_fund',
      flags: { debitsMustNotExceedCredits: true },
    },
    wallet: {
      id: `${prefix}-wallet`,
      ledger: 'VES',
      code: 'wallet',
      flags: { debitsMustNotExceedCredits: true, history: true },
    },
    merchant: {
      id: `${prefix}-merchant`,
      ledger: 'VES',
      code: 'merchant',
      flags: { creditsMustNotExceedDebits: true },
    },
    usd: { id: `${prefix}-usd`, ledger: 'USD', code: 'wallet' },
  };
}

async function assertBalanced(app: AppContext): Promise<void> {
  for (const t of await ledgerTotals(app.db.kysely)) {
    assert.ok(
      t.isBalanced,
      `ledger ${t.ledger} is out of balance: ${JSON.stringify(t, (_, v) => (typeof v === 'bigint' ? `${v}` : v))}`,
    );
  }
}

async function apply(
  app: AppContext,
  transfers: TransferInput[],
  caller: Caller = admin,
): Promise<TransferResult[]> {
  const { results } = await createTransfers(app, caller, { transfers });
  await assertBalanced(app);
  return results.map((r) => r.result);
}

async function balances(app: AppContext, id: string) {
  const a = await getAccount(app, admin, id);
  return { dp: a.debitsPending, dP: a.debitsPosted, cp: a.creditsPending, cP: a.creditsPosted };
}

forEachEngine('ledger', ({ db }) => {
  let app: ReturnType<typeof testApp>;
  let n = 0;
  /** Opens a fresh account set, and funds the fund with 1000 from equity. */
  async function setUp() {
    const a = accounts(`t${++n}`);
    const made = await createAccounts(app, admin, { accounts: Object.values(a) });
    assert.ok(made.results.every((r) => r.result === 'created'));
    const id = (k: keyof typeof a) => a[k]!.id;
    assert.deepEqual(
      await apply(app, [
        {
          id: `${id('fund')}-seed`,
          debitAccountId: id('equity'),
          creditAccountId: id('fund'),
          amount: 1000n,
          ledger: 'VES',
          code: 'funding',
        },
      ]),
      ['created'],
    );
    return { id, tid: (s: string) => `${id('fund')}-${s}` };
  }

  before(() => {
    app = testApp(db());
  });

  it('opens accounts idempotently and refuses conflicting flags', async () => {
    const a = accounts('acc');
    const first = await createAccounts(app, admin, { accounts: [a.fund!, a.wallet!] });
    assert.deepEqual(
      first.results.map((r) => r.result),
      ['created', 'created'],
    );
    const again = await createAccounts(app, admin, {
      accounts: [
        a.fund!,
        { ...a.wallet!, code: 'merchant' },
        {
          id: 'acc-both',
          ledger: 'VES',
          code: 'wallet',
          flags: { debitsMustNotExceedCredits: true, creditsMustNotExceedDebits: true },
        },
        { id: 'acc-regional', ledger: 'VES', code: 'merchant', regionCode: 'VE-A' },
      ],
    });
    assert.deepEqual(
      again.results.map((r) => r.result),
      ['exists', 'exists_with_different_fields', 'flags_are_mutually_exclusive', 'created'],
    );
    const regional = await createAccounts(app, staff('programme_admin', ['VE-B']), {
      accounts: [
        { id: 'acc-national', ledger: 'VES', code: 'programme_fund' },
        { id: 'acc-b', ledger: 'VES', code: 'merchant', regionCode: 'VE-B' },
      ],
    });
    assert.deepEqual(
      regional.results.map((r) => r.result),
      ['region_not_in_scope', 'created'],
    );
    await assert.rejects(getAccount(app, staff('auditor', ['VE-B']), 'acc-regional'), /not found/);
    assert.equal(
      (await getAccount(app, staff('auditor', ['VE-A']), 'acc-regional')).id,
      'acc-regional',
    );
    await assert.rejects(getAccount(app, staff('analyst'), 'acc-regional'), /ledger:read/);
  });

  it('moves money, and a wallet never goes negative', async () => {
    const { id, tid } = await setUp();
    const pay = (s: string, amount: bigint): TransferInput => ({
      id: tid(s),
      debitAccountId: id('fund'),
      creditAccountId: id('wallet'),
      amount,
      ledger: 'VES',
      code: 'benefit',
    });
    assert.deepEqual(await apply(app, [pay('a', 300n), pay('b', 701n), pay('c', 700n)]), [
      'created',
      'exceeds_credits',
      'created',
    ]);
    const spend: TransferInput = {
      id: tid('d'),
      debitAccountId: id('wallet'),
      creditAccountId: id('equity'),
      amount: 1001n,
      ledger: 'VES',
      code: 'spend',
    };
    assert.deepEqual(await apply(app, [spend]), ['exceeds_credits']);
    assert.deepEqual(await balances(app, id('wallet')), { dp: 0n, dP: 0n, cp: 0n, cP: 1000n });
    assert.deepEqual(await balances(app, id('fund')), { dp: 0n, dP: 1000n, cp: 0n, cP: 1000n });
    const history = await app.db.kysely
      .selectFrom('ledger_account_history')
      .select('transfer_id')
      .where('account_id', '=', id('wallet'))
      .execute();
    assert.deepEqual(history.map((h) => h.transfer_id).sort(), [tid('a'), tid('c')]);
  });

  it('keeps an API refusal final by id, while a domain may pay a refused id later', async () => {
    const { id, tid } = await setUp();
    const pay = (s: string, amount: bigint): TransferInput => ({
      id: tid(s),
      debitAccountId: id('fund'),
      creditAccountId: id('wallet'),
      amount,
      ledger: 'VES',
      code: 'benefit',
    });
    const viaApi = async (transfers: TransferInput[]) =>
      (await createTransfers(app, admin, { transfers }, { storeRefusals: true })).results.map(
        (r) => r.result,
      );
    assert.deepEqual(await viaApi([pay('api', 1500n)]), ['exceeds_credits']);
    const topUp = {
      id: tid('top-up'),
      debitAccountId: id('equity'),
      creditAccountId: id('fund'),
      amount: 5000n,
      ledger: 'VES',
      code: 'funding',
    };
    assert.deepEqual(await apply(app, [topUp]), ['created']);
    // The API's refused id stays refused for every later try, by anyone.
    assert.deepEqual(await viaApi([pay('api', 1500n)]), ['id_already_failed']);
    assert.deepEqual(await apply(app, [pay('api', 1500n)]), ['id_already_failed']);
    // A domain's own refusal is not stored: a later try with the same id is applied.
    assert.deepEqual(
      (await createTransfers(app, admin, { transfers: [pay('x', 9_999n)] })).results[0]!.result,
      'exceeds_credits',
    );
    assert.deepEqual(await apply(app, [pay('x', 3_000n)]), ['created']);
  });

  it('returns every validation result code without writing', async () => {
    const { id, tid } = await setUp();
    const base = {
      debitAccountId: id('equity'),
      creditAccountId: id('wallet'),
      amount: 5n,
      ledger: 'VES',
      code: 'benefit',
    };
    const cases: Array<[TransferInput, TransferResult]> = [
      [
        { ...base, id: tid('v1'), flags: { pending: true, postPendingTransfer: true } },
        'flags_are_mutually_exclusive',
      ],
      [{ ...base, id: tid('v2'), debitAccountId: undefined }, 'debit_account_id_must_not_be_zero'],
      [
        { ...base, id: tid('v3'), creditAccountId: undefined },
        'credit_account_id_must_not_be_zero',
      ],
      [{ ...base, id: tid('v4'), creditAccountId: id('equity') }, 'accounts_must_be_different'],
      [{ ...base, id: tid('v5'), pendingId: tid('seed') }, 'pending_id_must_be_zero'],
      [{ ...base, id: tid('v6'), timeoutSeconds: 10 }, 'timeout_reserved_for_pending_transfer'],
      [{ ...base, id: tid('v7'), ledger: undefined }, 'ledger_must_not_be_zero'],
      [{ ...base, id: tid('v8'), code: undefined }, 'code_must_not_be_zero'],
      [{ ...base, id: tid('v9'), amount: 0n }, 'amount_must_not_be_zero'],
      [{ ...base, id: tid('v10'), debitAccountId: 'nobody' }, 'debit_account_not_found'],
      [{ ...base, id: tid('v11'), creditAccountId: 'nobody' }, 'credit_account_not_found'],
      [
        { ...base, id: tid('v12'), creditAccountId: id('usd') },
        'accounts_must_have_the_same_ledger',
      ],
      [
        { ...base, id: tid('v13'), ledger: 'USD' },
        'transfer_must_have_the_same_ledger_as_accounts',
      ],
      [{ ...base, id: tid('v14'), creditAccountId: id('merchant') }, 'exceeds_debits'],
      [{ id: tid('v15'), flags: { postPendingTransfer: true } }, 'pending_id_must_not_be_zero'],
      [
        { id: tid('v16'), pendingId: tid('v16'), flags: { voidPendingTransfer: true } },
        'pending_id_must_be_different',
      ],
      [
        { id: tid('v17'), pendingId: 'nothing', flags: { postPendingTransfer: true } },
        'pending_transfer_not_found',
      ],
      [
        { id: tid('v18'), pendingId: tid('seed'), flags: { postPendingTransfer: true } },
        'pending_transfer_not_pending',
      ],
      [
        { ...base, id: tid('v19'), amount: 2n ** 63n - 1n, creditAccountId: id('merchant') },
        'overflows_debits',
      ],
    ];
    const results = await apply(
      app,
      cases.map(([t]) => t),
    );
    assert.deepEqual(
      results,
      cases.map(([, r]) => r),
    );
    const written = await app.db.kysely
      .selectFrom('ledger_transfers')
      .select('id')
      .where('id', 'like', `${tid('v')}%`)
      .execute();
    assert.deepEqual(written, []);
  });

  it('reports overflow before a balance column would pass 2^63 − 1', async () => {
    const { id, tid } = await setUp();
    const max = 2n ** 63n - 1n;
    const big = (s: string, amount: bigint): TransferInput => ({
      id: tid(s),
      debitAccountId: id('equity'),
      creditAccountId: id('wallet'),
      amount,
      ledger: 'VES',
      code: 'funding',
    });
    assert.deepEqual(await apply(app, [big('o1', max - 1000n), big('o2', 1n)]), [
      'created',
      'overflows_debits',
    ]);
  });

  it('is idempotent: the same id again is `exists`, different fields are refused', async () => {
    const { id, tid } = await setUp();
    const t: TransferInput = {
      id: tid('i'),
      debitAccountId: id('fund'),
      creditAccountId: id('wallet'),
      amount: 10n,
      ledger: 'VES',
      code: 'benefit',
    };
    assert.deepEqual(await apply(app, [t, t]), ['created', 'exists']);
    assert.deepEqual(await apply(app, [t, { ...t, amount: 11n }, { ...t, code: 'other' }]), [
      'exists',
      'exists_with_different_fields',
      'exists_with_different_fields',
    ]);
    assert.deepEqual(await balances(app, id('wallet')), { dp: 0n, dP: 0n, cp: 0n, cP: 10n });
  });

  it('reserves, posts part, voids, and refuses to resolve twice', async () => {
    const { id, tid } = await setUp();
    const hold = (s: string, amount: bigint): TransferInput => ({
      id: tid(s),
      debitAccountId: id('fund'),
      creditAccountId: id('wallet'),
      amount,
      ledger: 'VES',
      code: 'copay',
      flags: { pending: true },
    });
    assert.deepEqual(await apply(app, [hold('p1', 600n), hold('p2', 400n), hold('p3', 1n)]), [
      'created',
      'created',
      'exceeds_credits',
    ]);
    assert.deepEqual(await balances(app, id('fund')), { dp: 1000n, dP: 0n, cp: 0n, cP: 1000n });
    const results = await apply(app, [
      { id: tid('x1'), pendingId: tid('p1'), amount: 601n, flags: { postPendingTransfer: true } },
      {
        id: tid('x2'),
        pendingId: tid('p1'),
        debitAccountId: id('equity'),
        flags: { postPendingTransfer: true },
      },
      { id: tid('x3'), pendingId: tid('p1'), code: 'other', flags: { postPendingTransfer: true } },
      { id: tid('x4'), pendingId: tid('p1'), amount: 500n, flags: { postPendingTransfer: true } },
      { id: tid('x5'), pendingId: tid('p1'), flags: { voidPendingTransfer: true } },
      { id: tid('x6'), pendingId: tid('p2'), amount: 1n, flags: { voidPendingTransfer: true } },
      { id: tid('x7'), pendingId: tid('p2'), flags: { voidPendingTransfer: true } },
      { id: tid('x8'), pendingId: tid('p2'), flags: { postPendingTransfer: true } },
      { id: tid('x4'), pendingId: tid('p1'), amount: 500n, flags: { postPendingTransfer: true } },
      {
        id: tid('x9'),
        pendingId: tid('p2'),
        creditAccountId: id('merchant'),
        flags: { voidPendingTransfer: true },
      },
      { id: tid('x10'), pendingId: tid('p2'), ledger: 'USD', flags: { voidPendingTransfer: true } },
    ]);
    assert.deepEqual(results, [
      'exceeds_pending_transfer_amount',
      'pending_transfer_has_different_debit_account_id',
      'pending_transfer_has_different_code',
      'created',
      'pending_transfer_already_posted',
      'pending_transfer_has_different_amount',
      'created',
      'pending_transfer_already_voided',
      'exists',
      'pending_transfer_has_different_credit_account_id',
      'pending_transfer_has_different_ledger',
    ]);
    // 500 of the 600 posted; the rest and the 400 released.
    assert.deepEqual(await balances(app, id('fund')), { dp: 0n, dP: 500n, cp: 0n, cP: 1000n });
    assert.deepEqual(await balances(app, id('wallet')), { dp: 0n, dP: 0n, cp: 0n, cP: 500n });
  });

  it('expires a reservation after its timeout, lazily and by the expiry operation', async () => {
    const { id, tid } = await setUp();
    const hold = (s: string, amount: bigint, timeoutSeconds: number): TransferInput => ({
      id: tid(s),
      debitAccountId: id('fund'),
      creditAccountId: id('wallet'),
      amount,
      ledger: 'VES',
      code: 'copay',
      timeoutSeconds,
      flags: { pending: true },
    });
    assert.deepEqual(await apply(app, [hold('e1', 1000n, 60)]), ['created']);
    // Reserved: nothing more can leave the fund.
    assert.deepEqual(await apply(app, [{ ...hold('e2', 1n, 0), flags: {} }]), ['exceeds_credits']);
    app.advance(60_000);
    // The next batch on the fund releases the expired hold before it checks the limit.
    assert.deepEqual(
      await apply(app, [
        { id: tid('e3'), pendingId: tid('e1'), flags: { postPendingTransfer: true } },
        { ...hold('e4', 700n, 30) },
      ]),
      ['pending_transfer_expired', 'created'],
    );
    assert.deepEqual(await balances(app, id('fund')), { dp: 700n, dP: 0n, cp: 0n, cP: 1000n });
    app.advance(30_000);
    assert.ok((await expirePendingTransfers(app, admin)) >= 1);
    await assertBalanced(app);
    assert.deepEqual(await balances(app, id('fund')), { dp: 0n, dP: 0n, cp: 0n, cP: 1000n });
    assert.deepEqual(
      await apply(app, [
        { id: tid('e5'), pendingId: tid('e4'), flags: { voidPendingTransfer: true } },
      ]),
      ['pending_transfer_expired'],
    );
  });

  it('applies a linked chain whole or not at all', async () => {
    const { id, tid } = await setUp();
    const move = (
      s: string,
      from: string,
      to: string,
      amount: bigint,
      linked: boolean,
    ): TransferInput => ({
      id: tid(s),
      debitAccountId: id(from as 'fund'),
      creditAccountId: id(to as 'fund'),
      amount,
      ledger: 'VES',
      code: 'benefit',
      flags: { linked },
    });
    const failed = await apply(app, [
      move('l1', 'fund', 'wallet', 400n, true),
      move('l2', 'wallet', 'equity', 300n, true),
      move('l3', 'wallet', 'equity', 200n, false),
      move('l4', 'fund', 'wallet', 100n, false),
    ]);
    assert.deepEqual(failed, [
      'linked_event_failed',
      'linked_event_failed',
      'exceeds_credits',
      'created',
    ]);
    assert.deepEqual(await balances(app, id('wallet')), { dp: 0n, dP: 0n, cp: 0n, cP: 100n });
    const ok = await apply(app, [
      move('l5', 'fund', 'wallet', 400n, true),
      move('l6', 'wallet', 'equity', 500n, false),
    ]);
    assert.deepEqual(ok, ['created', 'created']);
    // Retried, a chain reports `exists` for its first transfer and fails the rest: nothing twice.
    const retried = await apply(app, [
      move('l5', 'fund', 'wallet', 400n, true),
      move('l6', 'wallet', 'equity', 500n, false),
    ]);
    assert.deepEqual(retried, ['exists', 'linked_event_failed']);
    const open = await apply(app, [
      move('l7', 'fund', 'wallet', 1n, true),
      move('l8', 'fund', 'wallet', 1n, true),
    ]);
    assert.deepEqual(open, ['linked_event_failed', 'linked_event_chain_open']);
    assert.deepEqual(await balances(app, id('wallet')), { dp: 0n, dP: 500n, cp: 0n, cP: 500n });
  });

  it('lists an account’s transfers newest first, a page at a time', async () => {
    const { id, tid } = await setUp();
    for (const s of ['a', 'b', 'c']) {
      app.advance(1000);
      await apply(app, [
        {
          id: tid(`pg-${s}`),
          debitAccountId: id('fund'),
          creditAccountId: id('wallet'),
          amount: 1n,
          ledger: 'VES',
          code: 'benefit',
        },
      ]);
    }
    const first = await listAccountTransfers(app, admin, id('wallet'), { limit: 2 });
    assert.deepEqual(
      first.items.map((t) => t.id),
      [tid('pg-c'), tid('pg-b')],
    );
    const second = await listAccountTransfers(app, admin, id('wallet'), {
      limit: 2,
      after: first.next!,
    });
    assert.deepEqual(
      second.items.map((t) => t.id),
      [tid('pg-a')],
    );
    assert.equal(second.next, null);
  });

  it('has the database refuse a balance past its limit and a transfer of nothing', async () => {
    const { id } = await setUp();
    await assert.rejects(
      app.db.kysely
        .updateTable('ledger_accounts')
        .set({ debits_posted: 1n })
        .where('id', '=', id('wallet'))
        .execute(),
      /check|constraint/i,
    );
    await assert.rejects(
      app.db.kysely
        .updateTable('ledger_accounts')
        .set({ credits_posted: 1n })
        .where('id', '=', id('merchant'))
        .execute(),
      /check|constraint/i,
    );
    await assert.rejects(
      app.db.kysely
        .updateTable('ledger_accounts')
        .set({ debits_pending: -1n })
        .where('id', '=', id('equity'))
        .execute(),
      /check|constraint/i,
    );
    await assert.rejects(
      app.db.kysely
        .insertInto('ledger_transfers')
        .values({
          id: 'zero',
          debit_account_id: id('equity'),
          credit_account_id: id('fund'),
          amount: 0n,
          ledger: 'VES',
          code: 'x',
          flags: 0,
          pending_id: null,
          timeout_seconds: 0,
          created_at: 'now',
        })
        .execute(),
      /check|constraint/i,
    );
    await assertBalanced(app);
  });

  it('never overdraws under 20 concurrent batches', async () => {
    const { id, tid } = await setUp();
    // 1000 in the fund, 20 batches of 70 each: exactly 14 fit.
    const batches = Array.from({ length: 20 }, (_, i) =>
      createTransfers(app, admin, {
        transfers: [
          {
            id: tid(`cc${i}`),
            debitAccountId: id('fund'),
            creditAccountId: id('wallet'),
            amount: 70n,
            ledger: 'VES',
            code: 'benefit',
          },
        ],
      }),
    );
    const results = (await Promise.all(batches)).map((b) => b.results[0]!.result);
    assert.equal(results.filter((r) => r === 'created').length, 14, results.join(','));
    assert.equal(results.filter((r) => r === 'exceeds_credits').length, 6);
    assert.deepEqual(await balances(app, id('fund')), { dp: 0n, dP: 980n, cp: 0n, cP: 1000n });
    await assertBalanced(app);
  });

  it('counts a batch in the audit log without personal data', async () => {
    const rows = await app.db.kysely
      .selectFrom('audit_log')
      .select(['operation', 'subject_ids'])
      .where('operation', 'like', 'ledger.%')
      .execute();
    assert.ok(rows.some((r) => r.operation === 'ledger.transfer.create'));
    assert.ok(rows.every((r) => r.subject_ids === '[]'));
  });
});
