// Paying a cash or one-time cycle: ledger transfers from the programme's fund to each
// entitled person's wallet, a batch at a time. Idempotent twice over: the caller names the
// batch, and a batch already run returns its report without paying again; and each transfer's
// id is derived from the cycle and the person, so that even a different batch, or a rerun
// after a crash between the ledger and this table, finds the transfer already made ('exists')
// rather than paying twice. Nothing is paid before the cycle was approved by a second person.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { createAccounts, createTransfers, transferBatchMax, walletAccountId } from '../ledger';

export { walletAccountId };
import { appendAudit } from '../privacy';
import { humanOf, requirePermission } from '../shared/access';
import type { AppContext, Caller } from '../shared/context';
import { DomainError } from '../shared/errors';
import { loadCycle, recordCycleEvent, requireCycleRegions, requireStatus } from './cycle-store';

/** A payment run, named by the caller. */
export const paymentBatchInput = z
  .object({
    batchId: z
      .string()
      .regex(/^[A-Za-z0-9._:-]{8,64}$/, 'must be 8 to 64 letters, digits or . _ : -'),
  })
  .strict();

/** One item of a payment report. */
export interface PaymentItem {
  personId: string;
  outcome: 'paid' | 'skipped';
  reason: string | null;
  amount: string;
  transferId: string;
}

/** What a payment batch did. */
export interface PaymentReport {
  batchId: string;
  cycleId: string;
  paid: number;
  skipped: number;
  /** True when this batch had already run: nothing was paid by this call. */
  repeated: boolean;
  items: PaymentItem[];
}

/** The ledger transfer that pays one entitlement: the same id however often it is tried. */
export function paymentTransferId(cycleId: string, personId: string): string {
  return `pay-${createHash('sha256').update(`${cycleId}\n${personId}`).digest('hex').slice(0, 40)}`;
}

const sliceRows = Math.min(2000, transferBatchMax);

async function report(
  app: AppContext,
  batchId: string,
  cycleId: string,
  repeated: boolean,
): Promise<PaymentReport> {
  const rows = await app.db.kysely
    .selectFrom('payment_results')
    .selectAll()
    .where('batch_id', '=', batchId)
    .orderBy('person_id')
    .execute();
  const items = rows.map((r) => ({
    personId: r.person_id,
    outcome: r.outcome,
    reason: r.reason,
    amount: String(r.amount_minor),
    transferId: r.transfer_id,
  }));
  return {
    batchId,
    cycleId,
    paid: items.filter((i) => i.outcome === 'paid').length,
    skipped: items.filter((i) => i.outcome === 'skipped').length,
    repeated,
    items,
  };
}

/** Pays what is still unpaid in an approved cash or one-time cycle; returns the item report. */
export async function payCycle(
  app: AppContext,
  caller: Caller,
  cycleId: string,
  batchId: string,
): Promise<PaymentReport> {
  requirePermission(caller.actor, 'cycle:manage');
  requirePermission(caller.actor, 'ledger:write');
  const cycle = await loadCycle(app.db.kysely, cycleId);
  requireCycleRegions(caller, 'cycle:manage', cycle);
  if (cycle.programme.kind !== 'cash' && cycle.programme.kind !== 'one_time')
    throw new DomainError(
      'INVALID_STATE',
      'Only cash and one-time programmes are paid to wallets.',
      'cycleId',
    );
  const existing = await app.db.kysely
    .selectFrom('payment_batches')
    .selectAll()
    .where('id', '=', batchId)
    .executeTakeFirst();
  if (existing) {
    if (existing.cycle_id !== cycleId)
      throw new DomainError('CONFLICT', 'This batch id was used for another cycle.', 'batchId');
    if (existing.finished_at) return report(app, batchId, cycleId, true);
  } else {
    requireStatus(cycle.row, ['approved'], 'pay');
    await app.db.kysely
      .insertInto('payment_batches')
      .values({
        id: batchId,
        cycle_id: cycleId,
        started_at: app.now().toISOString(),
        started_by: humanOf(caller.actor),
        finished_at: null,
        paid: 0,
        skipped: 0,
      })
      .onConflict((oc) => oc.doNothing())
      .execute();
  }
  const fund = cycle.version.fundingAccountId;
  if (!fund)
    throw new Error(`invariant violated: cash programme ${cycle.programme.id} has no fund`);
  const currency = cycle.version.currency;
  let after = '';
  for (;;) {
    const due = await app.db.kysely
      .selectFrom('entitlements')
      .select([
        'person_id',
        'region_code',
        'amount_minor',
        'status',
        'redeemed_quantity',
        'quantity',
      ])
      .where('cycle_id', '=', cycleId)
      .where('person_id', '>', after)
      .where('person_id', 'not in', (q) =>
        q.selectFrom('payment_results').select('person_id').where('batch_id', '=', batchId),
      )
      .orderBy('person_id')
      .limit(sliceRows)
      .execute();
    if (due.length === 0) break;
    after = due[due.length - 1]!.person_id;
    const payable = due.filter(
      (e) => e.status === 'issued' && e.redeemed_quantity === 0 && e.amount_minor > 0,
    );
    const outcomes = new Map<string, { outcome: 'paid' | 'skipped'; reason: string | null }>();
    for (const e of due) {
      if (payable.includes(e)) continue;
      const why =
        e.status === 'redeemed' || e.redeemed_quantity > 0
          ? 'already_paid'
          : e.amount_minor <= 0
            ? 'nothing_to_pay'
            : e.status;
      outcomes.set(e.person_id, { outcome: 'skipped', reason: why });
    }
    if (payable.length > 0) {
      await createAccounts(app, caller, {
        accounts: payable.map((e) => ({
          id: walletAccountId(e.person_id, currency),
          ledger: currency,
          code: 'wallet' as const,
          flags: { debitsMustNotExceedCredits: true, history: true },
          regionCode: e.region_code,
        })),
      });
      const { results } = await createTransfers(app, caller, {
        transfers: payable.map((e) => ({
          id: paymentTransferId(cycleId, e.person_id),
          debitAccountId: fund,
          creditAccountId: walletAccountId(e.person_id, currency),
          amount: BigInt(e.amount_minor),
          ledger: currency,
          code: 'benefit',
        })),
      });
      results.forEach((r, i) => {
        const e = payable[i]!;
        const ok = r.result === 'created' || r.result === 'exists';
        outcomes.set(
          e.person_id,
          ok
            ? { outcome: 'paid', reason: null }
            : {
                outcome: 'skipped',
                reason: r.result === 'exceeds_credits' ? 'fund_exhausted' : r.result,
              },
        );
      });
    }
    const at = app.now().toISOString();
    await app.db.transaction(async (trx) => {
      const paidIds = [...outcomes].filter(([, o]) => o.outcome === 'paid').map(([p]) => p);
      if (paidIds.length > 0)
        await trx
          .updateTable('entitlements')
          .set((eb) => ({
            status: 'redeemed',
            redeemed_quantity: eb.ref('quantity'),
            last_proof_kind: 'transfer',
            last_redeemed_at: at,
          }))
          .where('cycle_id', '=', cycleId)
          .where('person_id', 'in', paidIds)
          .where('status', '=', 'issued')
          .execute();
      await app.db.insertMany(
        trx,
        'payment_results',
        due.map((e) => ({
          batch_id: batchId,
          cycle_id: cycleId,
          person_id: e.person_id,
          outcome: outcomes.get(e.person_id)!.outcome,
          reason: outcomes.get(e.person_id)!.reason,
          transfer_id: paymentTransferId(cycleId, e.person_id),
          amount_minor: e.amount_minor,
          at,
        })),
      );
    });
  }
  const result = await report(app, batchId, cycleId, false);
  await app.db.transaction(async (trx) => {
    await trx
      .updateTable('payment_batches')
      .set({ finished_at: app.now().toISOString(), paid: result.paid, skipped: result.skipped })
      .where('id', '=', batchId)
      .execute();
    await recordCycleEvent(trx, app, caller, cycleId, 'paid', {
      batchId,
      paid: result.paid,
      skipped: result.skipped,
    });
    await appendAudit(trx, app, caller, {
      operation: 'cycle.pay',
      permission: 'cycle:manage',
      details: { cycleId, batchId, paid: result.paid, skipped: result.skipped },
    });
  });
  return result;
}
