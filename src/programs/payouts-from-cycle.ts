// A payout batch from an approved cash or one-time cycle: every entitled person who has a
// payout destination (a bank or mobile account at a provider paying in the cycle's currency)
// is paid there, through the batch; everyone else stays with the wallet payment
// (payments.ts). In the same transaction each entitlement put in the batch is marked
// collected by payout (`redeemed`, proof `payout`), so a later wallet payment skips it and no
// one is paid both ways. The batch's origin is the cycle: a second batch for the same cycle
// pays nobody twice. The batch still needs a second person's approval before any money moves.
import { z } from 'zod';
import {
  getPayoutBatch,
  insertPayoutBatch,
  insertPayoutItems,
  requireNational,
  type PayoutBatch,
} from '../ledger';
import { appendAudit } from '../privacy';
import type { AppContext, Caller } from '../shared/context';
import { DomainError } from '../shared/errors';
import { plainText } from '../shared/schemas';
import { loadCycle, recordCycleEvent, requireStatus } from './cycle-store';

/** A batch from a cycle, as finance asks for it. */
export const cyclePayoutInput = z
  .object({
    batchId: z.string().regex(/^[A-Za-z0-9._:-]{3,64}$/, '3 to 64 letters, digits or . _ : -'),
    executionDate: z.iso.date(),
    label: plainText(140).pipe(z.string().min(3)).optional(),
  })
  .strict();
/** A batch from a cycle, validated. */
export type CyclePayoutInput = z.output<typeof cyclePayoutInput>;

const pageRows = 2000;

/** Builds a payout batch from an approved cash or one-time cycle. */
export async function payoutBatchFromCycle(
  app: AppContext,
  caller: Caller,
  cycleId: string,
  input: CyclePayoutInput,
): Promise<PayoutBatch & { entitlementsMoved: number }> {
  requireNational(caller, 'payout:create');
  const cycle = await loadCycle(app.db.kysely, cycleId);
  if (cycle.programme.kind !== 'cash' && cycle.programme.kind !== 'one_time')
    throw new DomainError(
      'INVALID_STATE',
      'Only cash and one-time programmes are paid out to accounts.',
      'cycleId',
    );
  requireStatus(cycle.row, ['approved'], 'pay out');
  const fund = cycle.version.fundingAccountId;
  if (!fund)
    throw new Error(`invariant violated: cash programme ${cycle.programme.id} has no fund`);
  const currency = cycle.version.currency;
  let moved = 0;
  await app.db.transaction(async (trx) => {
    await insertPayoutBatch(trx, app, caller, {
      id: input.batchId,
      origin: `cycle:${cycleId}`,
      label: input.label ?? `${cycle.version.name.es} ${cycle.row.label}`.slice(0, 140),
      fundAccountId: fund,
      currency,
      executionDate: input.executionDate,
    });
    let after = '';
    const at = app.now().toISOString();
    for (;;) {
      const due = await trx
        .selectFrom('entitlements as e')
        .innerJoin('payout_destinations as d', (j) =>
          j.onRef('d.person_id', '=', 'e.person_id').on('d.superseded_at', 'is', null),
        )
        .innerJoin('payout_providers as p', 'p.id', 'd.provider_id')
        .select(['e.person_id', 'e.amount_minor'])
        .where('e.cycle_id', '=', cycleId)
        .where('e.status', '=', 'issued')
        .where('e.redeemed_quantity', '=', 0)
        .where('e.amount_minor', '>', 0)
        .where('p.currency', '=', currency)
        .where('e.person_id', '>', after)
        .orderBy('e.person_id')
        .limit(pageRows)
        .execute();
      if (due.length === 0) break;
      after = due[due.length - 1]!.person_id;
      await insertPayoutItems(
        trx,
        app,
        input.batchId,
        due.map((e) => ({ personId: e.person_id, amount: BigInt(e.amount_minor) })),
      );
      const ids = due.map((e) => e.person_id);
      for (let i = 0; i < ids.length; i += 500)
        await trx
          .updateTable('entitlements')
          .set((eb) => ({
            status: 'redeemed',
            redeemed_quantity: eb.ref('quantity'),
            last_proof_kind: 'payout',
            last_redeemed_at: at,
          }))
          .where('cycle_id', '=', cycleId)
          .where('person_id', 'in', ids.slice(i, i + 500))
          .where('status', '=', 'issued')
          .execute();
      moved += due.length;
    }
    await recordCycleEvent(trx, app, caller, cycleId, 'payout_batch', {
      batchId: input.batchId,
      items: moved,
    });
    await appendAudit(trx, app, caller, {
      operation: 'payout.batch_create',
      permission: 'payout:create',
      details: { batchId: input.batchId, cycleId, items: moved },
    });
  });
  return { ...(await getPayoutBatch(app, caller, input.batchId)), entitlementsMoved: moved };
}
