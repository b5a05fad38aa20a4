// A property-based model test: random batches of transfers, reservations, posts, voids,
// linked chains, retries and the passing of time, applied to the ledger and to a small
// in-memory model written apart from it. Results and balances must always agree, and the
// books must balance after every batch.
import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import fc from 'fast-check';
import { forEachEngine } from '../../test/support/engines';
import { staff, testApp } from '../../test/support/app';
import { createAccounts } from './create-accounts';
import { createTransfers } from './create-transfers';
import { expirePendingTransfers } from './expire-pending-transfers';
import { getAccount } from './get-account';
import { ledgerTotals } from './ledger-totals';
import type { TransferInput } from './types';

const admin = staff('programme_admin');
const names = ['equity', 'fund', 'wallet', 'merchant'] as const;
type Name = (typeof names)[number];
const limits: Record<Name, 'none' | 'debits' | 'credits'> = {
  equity: 'none',
  fund: 'debits',
  wallet: 'debits',
  merchant: 'credits',
};

interface Op {
  kind: 'move' | 'pending' | 'post' | 'void';
  id: number;
  from: Name;
  to: Name;
  amount: number;
  target: number;
  hasAmount: boolean;
  timeout: number;
  linked: boolean;
}

const op: fc.Arbitrary<Op> = fc.record({
  kind: fc.constantFrom('move', 'move', 'pending', 'post', 'void'),
  id: fc.integer({ min: 0, max: 11 }),
  from: fc.constantFrom(...names),
  to: fc.constantFrom(...names),
  amount: fc.integer({ min: 1, max: 60 }),
  target: fc.integer({ min: 0, max: 11 }),
  hasAmount: fc.boolean(),
  timeout: fc.constantFrom(0, 0, 1, 2),
  linked: fc.boolean(),
});
const step = fc.record({
  advanceMs: fc.constantFrom(0, 0, 1000, 2500),
  batch: fc.array(op, { minLength: 1, maxLength: 5 }),
});

// ——— the model ———
interface MAccount {
  dp: bigint;
  dP: bigint;
  cp: bigint;
  cP: bigint;
}
interface MTransfer {
  from: Name;
  to: Name;
  amount: bigint;
  kind: Op['kind'];
  target: number | null;
  timeout: number;
  linked: boolean;
}
interface MPending {
  from: Name;
  to: Name;
  amount: bigint;
  status: string;
  expiresMs: number | null;
}
interface Model {
  accounts: Record<Name, MAccount>;
  transfers: Map<number, MTransfer>;
  pendings: Map<number, MPending>;
}

function modelExpire(m: Model, nowMs: number): void {
  for (const p of m.pendings.values()) {
    if (p.status === 'pending' && p.expiresMs !== null && p.expiresMs <= nowMs) {
      p.status = 'expired';
      m.accounts[p.from].dp -= p.amount;
      m.accounts[p.to].cp -= p.amount;
    }
  }
}

function same(a: MTransfer, b: MTransfer): boolean {
  return (
    a.from === b.from &&
    a.to === b.to &&
    a.amount === b.amount &&
    a.kind === b.kind &&
    a.target === b.target &&
    a.timeout === b.timeout &&
    a.linked === b.linked
  );
}

function modelOne(m: Model, o: Op, nowMs: number): string {
  const amount = BigInt(o.amount);
  if (o.kind === 'post' || o.kind === 'void') {
    if (o.target === o.id) return 'pending_id_must_be_different';
    const target = m.transfers.get(o.target);
    if (!target) return 'pending_transfer_not_found';
    if (target.kind !== 'pending') return 'pending_transfer_not_pending';
    const p = m.pendings.get(o.target)!;
    const posted = o.hasAmount ? amount : p.amount;
    if (o.kind === 'post' && posted > p.amount) return 'exceeds_pending_transfer_amount';
    if (o.kind === 'void' && o.hasAmount && amount !== p.amount)
      return 'pending_transfer_has_different_amount';
    const t: MTransfer = {
      from: p.from,
      to: p.to,
      amount: o.kind === 'post' ? posted : p.amount,
      kind: o.kind,
      target: o.target,
      timeout: 0,
      linked: o.linked,
    };
    const old = m.transfers.get(o.id);
    if (old) return same(old, t) ? 'exists' : 'exists_with_different_fields';
    if (p.status !== 'pending')
      return {
        posted: 'pending_transfer_already_posted',
        voided: 'pending_transfer_already_voided',
        expired: 'pending_transfer_expired',
      }[p.status]!;
    p.status = o.kind === 'post' ? 'posted' : 'voided';
    m.accounts[p.from].dp -= p.amount;
    m.accounts[p.to].cp -= p.amount;
    if (o.kind === 'post') {
      m.accounts[p.from].dP += posted;
      m.accounts[p.to].cP += posted;
    }
    m.transfers.set(o.id, t);
    return 'created';
  }
  if (o.from === o.to) return 'accounts_must_be_different';
  if (o.kind === 'move' && o.timeout > 0) return 'timeout_reserved_for_pending_transfer';
  const t: MTransfer = {
    from: o.from,
    to: o.to,
    amount,
    kind: o.kind,
    target: null,
    timeout: o.kind === 'pending' ? o.timeout : 0,
    linked: o.linked,
  };
  const old = m.transfers.get(o.id);
  if (old) return same(old, t) ? 'exists' : 'exists_with_different_fields';
  const d = m.accounts[o.from];
  const c = m.accounts[o.to];
  if (limits[o.from] === 'debits' && d.dp + d.dP + amount > d.cP) return 'exceeds_credits';
  if (limits[o.to] === 'credits' && c.cp + c.cP + amount > c.dP) return 'exceeds_debits';
  if (o.kind === 'pending') {
    d.dp += amount;
    c.cp += amount;
    m.pendings.set(o.id, {
      from: o.from,
      to: o.to,
      amount,
      status: 'pending',
      expiresMs: o.timeout > 0 ? nowMs + o.timeout * 1000 : null,
    });
  } else {
    d.dP += amount;
    c.cP += amount;
  }
  m.transfers.set(o.id, t);
  return 'created';
}

function clone(m: Model): Model {
  return {
    accounts: structuredClone(m.accounts),
    transfers: new Map(m.transfers),
    pendings: new Map([...m.pendings].map(([k, p]) => [k, { ...p }])),
  };
}

function modelBatch(
  m: Model,
  ops: readonly Op[],
  nowMs: number,
): { model: Model; results: string[] } {
  modelExpire(m, nowMs);
  const results: string[] = [];
  let i = 0;
  while (i < ops.length) {
    let end = i;
    while (end < ops.length && ops[end]!.linked) end += 1;
    if (end === ops.length) {
      for (let k = i; k < end; k += 1)
        results[k] = k === end - 1 ? 'linked_event_chain_open' : 'linked_event_failed';
      break;
    }
    const trial = clone(m);
    let failedAt = -1;
    for (let k = i; k <= end; k += 1) {
      results[k] = modelOne(trial, ops[k]!, nowMs);
      if (end > i && results[k] !== 'created') {
        failedAt = k;
        break;
      }
    }
    if (failedAt >= 0)
      for (let k = i; k <= end; k += 1) if (k !== failedAt) results[k] = 'linked_event_failed';
    if (failedAt < 0) m = trial;
    i = end + 1;
  }
  return { model: m, results };
}

// ——— the ledger, driven the same way ———
forEachEngine('ledger model', ({ db }) => {
  let app: ReturnType<typeof testApp>;
  let run = 0;
  before(() => {
    app = testApp(db());
  });

  it('agrees with the model on every result and balance', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 6 }), async (steps) => {
        const p = `m${++run}`;
        const account = (n: Name) => `${p}-${n}`;
        const tid = (n: number) => `${p}-t${n}`;
        await createAccounts(app, admin, {
          accounts: names.map((n) => ({
            id: account(n),
            ledger: 'VES',
            code:
              n === 'equity'
                ? 'operator_equity'
                : n === 'fund'
                  ? 'programme_fund'
                  : n === 'wallet'
                    ? 'wallet'
                    : 'merchant',
            flags: {
              debitsMustNotExceedCredits: limits[n] === 'debits',
              creditsMustNotExceedDebits: limits[n] === 'credits',
            },
          })),
        });
        let model: Model = {
          accounts: Object.fromEntries(
            names.map((n) => [n, { dp: 0n, dP: 0n, cp: 0n, cP: 0n }]),
          ) as Record<Name, MAccount>,
          transfers: new Map(),
          pendings: new Map(),
        };
        // Seed: 100 into the fund and into the merchant's debits, so that limits bite both ways.
        const seed: Op[] = [
          {
            kind: 'move',
            id: 100,
            from: 'equity',
            to: 'fund',
            amount: 100,
            target: 0,
            hasAmount: true,
            timeout: 0,
            linked: false,
          },
          {
            kind: 'move',
            id: 101,
            from: 'merchant',
            to: 'equity',
            amount: 100,
            target: 0,
            hasAmount: true,
            timeout: 0,
            linked: false,
          },
        ];
        for (const { advanceMs, batch } of [{ advanceMs: 0, batch: seed }, ...steps]) {
          app.advance(advanceMs);
          const nowMs = app.now().getTime();
          const expected = modelBatch(model, batch, nowMs);
          model = expected.model;
          const transfers = batch.map((o) => toInput(o, account, tid));
          const { results } = await createTransfers(app, admin, { transfers });
          assert.deepEqual(
            results.map((r) => r.result),
            expected.results,
            JSON.stringify(batch),
          );
          await expirePendingTransfers(app, admin);
          modelExpire(model, nowMs);
          for (const n of names) {
            const a = await getAccount(app, admin, account(n));
            const m = model.accounts[n];
            assert.deepEqual(
              [a.debitsPending, a.debitsPosted, a.creditsPending, a.creditsPosted],
              [m.dp, m.dP, m.cp, m.cP],
              n,
            );
          }
          for (const t of await ledgerTotals(app.db.kysely)) assert.ok(t.isBalanced, t.ledger);
        }
      }),
      { numRuns: 25, seed: 20261202 },
    );
  });
});

function toInput(o: Op, account: (n: Name) => string, tid: (n: number) => string): TransferInput {
  const flags = {
    linked: o.linked,
    pending: o.kind === 'pending',
    postPendingTransfer: o.kind === 'post',
    voidPendingTransfer: o.kind === 'void',
  };
  if (o.kind === 'post' || o.kind === 'void') {
    return {
      id: tid(o.id),
      pendingId: tid(o.target),
      ...(o.hasAmount ? { amount: BigInt(o.amount) } : {}),
      flags,
    };
  }
  return {
    id: tid(o.id),
    debitAccountId: account(o.from),
    creditAccountId: account(o.to),
    amount: BigInt(o.amount),
    ledger: 'VES',
    code: 'benefit',
    ...(o.timeout > 0 ? { timeoutSeconds: o.timeout } : {}),
    flags,
  };
}
