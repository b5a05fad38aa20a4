// Applies what a provider reported, line by line, inside the importer's one transaction: a
// line naming an exported item's end-to-end id posts its pending transfer (paid) or voids it
// (returned: the fund has the money back), and records why. Nothing else is applied: an id no
// item carries, an amount that is not the item's, a return after a payment, are differences,
// reported for a person to look at. A line about an item already in that state changes
// nothing, so a report read twice, or a callback delivered twice, moves no money twice.
import type { Transaction } from 'kysely';
import type { Schema } from '../../db';
import { enqueueNotice } from '../../notices';
import { appendAudit } from '../../privacy';
import { systemActor, type Permission } from '../../shared/access';
import type { AppContext, Caller } from '../../shared/context';
import { readAmount } from '../amount';
import { applyTransfersIn } from '../create-transfers';
import type { TransferInput } from '../types';
import { settleBatchIfDone } from './export';
import { payoutSettlementId } from './ids';
import { payoutPageRows, reportDifferencesMax } from './limits';
import { minorToDecimal } from './money-text';

/** One line of a status report, as its reader found it. */
export interface StatusLine {
  /** Where in the file (line number), or the index in a callback. */
  at: string;
  endToEndId: string;
  outcome: 'settled' | 'failed' | 'pending' | 'duplicate';
  reason: string | null;
  amount: bigint | null;
  currency: string | null;
}

/** Why a line was not applied. */
export const differenceProblems = [
  'unknown_end_to_end_id',
  'amount_mismatch',
  'currency_mismatch',
  'returned_after_settled',
  'settled_after_returned',
  'not_exported',
  'other_provider',
  'ledger_refused',
] as const;

/** One line that was not applied, and why. */
export interface StatusDifference {
  at: string;
  endToEndId: string;
  problem: (typeof differenceProblems)[number];
  detail?: string | undefined;
}

/** What a report did. */
export interface StatusOutcome {
  lines: number;
  settled: number;
  failed: number;
  unchanged: number;
  pending: number;
  differences: number;
  /** The first differences (at most reportDifferencesMax). */
  shown: StatusDifference[];
  /** Failed items by reason (what to tell the people concerned, and retry). */
  failedReasons: Record<string, number>;
}

const ledgerCaller: Caller = { actor: systemActor('payout') };

/** Applies status lines; `providerId` limits them to one provider's items (callbacks). */
export async function applyStatusLines(
  trx: Transaction<Schema>,
  app: AppContext,
  caller: Caller,
  reportId: string,
  lines: readonly StatusLine[],
  providerId: string | null,
  permission: Permission,
): Promise<StatusOutcome> {
  const outcome: StatusOutcome = {
    lines: lines.length,
    settled: 0,
    failed: 0,
    unchanged: 0,
    pending: 0,
    differences: 0,
    shown: [],
    failedReasons: {},
  };
  const differ = (d: StatusDifference) => {
    outcome.differences += 1;
    if (outcome.shown.length < reportDifferencesMax) outcome.shown.push(d);
  };
  const batches = new Set<string>();
  const at = app.now().toISOString();
  for (let from = 0; from < lines.length; from += payoutPageRows) {
    const chunk = lines.slice(from, from + payoutPageRows);
    const ids = [...new Set(chunk.map((l) => l.endToEndId))];
    const items = new Map<
      string,
      {
        id: string;
        batch_id: string;
        person_id: string;
        provider_id: string | null;
        amount: bigint;
        currency: string;
        label: string;
        attempt: number;
        transfer_id: string;
        status: string;
      }
    >();
    const earlier = new Set<string>();
    for (let i = 0; i < ids.length; i += 500) {
      const part = ids.slice(i, i + 500);
      const rows = await trx
        .selectFrom('payout_items as i')
        .innerJoin('payout_batches as b', 'b.id', 'i.batch_id')
        .select([
          'i.id',
          'i.batch_id',
          'i.person_id',
          'i.provider_id',
          'i.amount_minor',
          'b.currency',
          'b.label',
          'i.attempt',
          'i.transfer_id',
          'i.status',
          'i.end_to_end_id',
        ])
        .where('i.end_to_end_id', 'in', part)
        .execute();
      for (const r of rows)
        items.set(r.end_to_end_id, {
          ...r,
          amount: readAmount(r.amount_minor, 'amount_minor'),
        });
      const old = await trx
        .selectFrom('payout_item_events')
        .select('end_to_end_id')
        .where('end_to_end_id', 'in', part)
        .execute();
      for (const r of old) earlier.add(r.end_to_end_id);
    }
    const transfers: TransferInput[] = [];
    const changes: { item: NonNullable<ReturnType<typeof items.get>>; line: StatusLine }[] = [];
    for (const line of chunk) {
      const item = items.get(line.endToEndId);
      if (!item) {
        if (earlier.has(line.endToEndId)) outcome.unchanged += 1;
        else differ({ at: line.at, endToEndId: line.endToEndId, problem: 'unknown_end_to_end_id' });
        continue;
      }
      if (providerId !== null && item.provider_id !== providerId) {
        differ({ at: line.at, endToEndId: line.endToEndId, problem: 'other_provider' });
        continue;
      }
      if (line.currency !== null && line.currency !== item.currency) {
        differ({
          at: line.at,
          endToEndId: line.endToEndId,
          problem: 'currency_mismatch',
          detail: `${line.currency}, not ${item.currency}`,
        });
        continue;
      }
      if (line.amount !== null && line.amount !== item.amount) {
        differ({
          at: line.at,
          endToEndId: line.endToEndId,
          problem: 'amount_mismatch',
          detail: `${line.amount}, not ${item.amount} (minor units)`,
        });
        continue;
      }
      if (line.outcome === 'pending' || line.outcome === 'duplicate') {
        outcome.pending += 1;
        continue;
      }
      const target = line.outcome;
      if (item.status === target) {
        outcome.unchanged += 1;
        continue;
      }
      if (item.status === 'settled' || item.status === 'failed') {
        differ({
          at: line.at,
          endToEndId: line.endToEndId,
          problem: item.status === 'settled' ? 'returned_after_settled' : 'settled_after_returned',
        });
        continue;
      }
      if (item.status !== 'exported') {
        differ({ at: line.at, endToEndId: line.endToEndId, problem: 'not_exported' });
        continue;
      }
      item.status = target;
      transfers.push({
        id: payoutSettlementId(item.transfer_id, target === 'settled' ? 'post' : 'void'),
        pendingId: item.transfer_id,
        code: 'payout',
        flags: target === 'settled' ? { postPendingTransfer: true } : { voidPendingTransfer: true },
      });
      changes.push({ item, line });
    }
    if (transfers.length === 0) continue;
    const { results } = await applyTransfersIn(trx, app, ledgerCaller, transfers);
    const subjects: string[] = [];
    const events: Record<string, unknown>[] = [];
    for (let k = 0; k < changes.length; k += 1) {
      const { item, line } = changes[k]!;
      const result = results[k]!.result;
      if (result !== 'created' && result !== 'exists') {
        differ({
          at: line.at,
          endToEndId: line.endToEndId,
          problem: 'ledger_refused',
          detail: result,
        });
        continue;
      }
      const settled = line.outcome === 'settled';
      const reason = settled ? null : (line.reason ?? 'returned');
      await trx
        .updateTable('payout_items')
        .set({ status: settled ? 'settled' : 'failed', reason, updated_at: at })
        .where('id', '=', item.id)
        .where('status', '=', 'exported')
        .execute();
      await trx
        .updateTable('payout_claims')
        .set({ state: settled ? 'settled' : 'failed' })
        .where('item_id', '=', item.id)
        .where('attempt', '=', item.attempt)
        .execute();
      events.push({
        id: app.newId(),
        item_id: item.id,
        attempt: item.attempt,
        end_to_end_id: line.endToEndId,
        event: settled ? 'settled' : 'failed',
        reason,
        report_id: reportId,
        at,
      });
      // The person hears of it in the same transaction: paid, or not paid and where to ask.
      // One notice per item, attempt and outcome, however often the report is read.
      const amount = `${minorToDecimal(item.amount, item.currency)} ${item.currency}`;
      const notice = {
        dedupeKey: `payout:${item.id}:${item.attempt}:${settled ? 'paid' : 'failed'}`,
      };
      if (settled)
        await enqueueNotice(
          trx,
          app,
          item.person_id,
          'payment_received',
          { amount, programme: item.label, when: at.slice(0, 10) },
          notice,
        );
      else
        await enqueueNotice(
          trx,
          app,
          item.person_id,
          'payment_failed',
          { amount, programme: item.label },
          notice,
        );
      subjects.push(item.person_id);
      batches.add(item.batch_id);
      if (settled) outcome.settled += 1;
      else {
        outcome.failed += 1;
        outcome.failedReasons[reason!] = (outcome.failedReasons[reason!] ?? 0) + 1;
      }
    }
    await app.db.insertMany(trx, 'payout_item_events', events);
    if (subjects.length > 0)
      await appendAudit(trx, app, caller, {
        operation: 'payout.status',
        permission,
        subjectIds: subjects,
        details: { reportId, applied: subjects.length },
      });
  }
  for (const batchId of batches) await settleBatchIfDone(trx, app, batchId);
  return outcome;
}
