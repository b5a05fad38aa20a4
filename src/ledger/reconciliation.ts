// Reconciliation of what a programme paid for one origin (a cycle: `cycle:<id>`, a pension
// month, a one-time payment) against what its providers said. The ledger's side is each
// attempt's pending payout transfer — posted (paid), voided (failed or returned) or still
// pending (outstanding) — and its amount; the provider's side is every statement line kept for
// that attempt's end-to-end id (pain.002, camt.054, G2P callbacks), the last decisive one
// counting. Every disagreement is listed with the ids needed to chase it: missing in the
// statement, missing in the ledger, amount differs, status differs. No difference means the
// ledger's totals equal the statements'.
import { z } from 'zod';
import type { Queryable } from '../db';
import { appendAudit } from '../privacy';
import type { AppContext, Caller } from '../shared/context';
import { DomainError } from '../shared/errors';
import { amountToText, readAmount } from './amount';
import { requireNational } from './payouts/batches';
import { payoutEndToEndId, payoutTransferId } from './payouts/ids';

/** Which payments to reconcile: an origin (a cycle id is read as `cycle:<id>`), or one batch. */
export const reconcileInput = z
  .object({
    origin: z
      .string()
      .regex(/^[A-Za-z0-9._:-]{3,80}$/, '3 to 80 letters, digits or . _ : -')
      .optional(),
    batchId: z
      .string()
      .regex(/^[A-Za-z0-9._:-]{3,64}$/, '3 to 64 letters, digits or . _ : -')
      .optional(),
  })
  .strict()
  .refine((v) => (v.origin === undefined) !== (v.batchId === undefined), {
    message: 'give either origin or batchId',
    path: ['origin'],
  });
/** Which payments to reconcile, validated. */
export type ReconcileInput = z.output<typeof reconcileInput>;

/** Kinds of difference. */
export const differenceKinds = [
  'missing_in_statement',
  'missing_in_ledger',
  'amount_differs',
  'status_differs',
] as const;

/** One difference, with what is needed to chase it. */
export interface ReconciliationDifference {
  kind: (typeof differenceKinds)[number];
  endToEndId: string;
  batchId: string | null;
  itemId: string | null;
  attempt: number | null;
  transferId: string | null;
  /** The statement and the line in it, when the statement has one. */
  reportId: string | null;
  statementAt: string | null;
  ledgerStatus: 'outstanding' | 'paid' | 'voided' | null;
  statementStatus: 'settled' | 'failed' | 'pending' | null;
  ledgerAmount: string | null;
  statementAmount: string | null;
}

interface Sum {
  count: number;
  amount: string;
}

/** A reconciliation report. */
export interface Reconciliation {
  origin: string | null;
  batchIds: string[];
  currency: string | null;
  /** What the ledger says. */
  ledger: { issued: Sum; paid: Sum; failed: Sum; returned: Sum; outstanding: Sum };
  /** What the statements say. */
  statement: { paid: Sum; failed: Sum; returned: Sum; lines: number };
  differences: ReconciliationDifference[];
  /** Differences in all (the list keeps the first reconciliationDifferencesMax). */
  differenceCount: number;
  balanced: boolean;
  at: string;
}

/** Differences one report lists (the rest are counted). */
export const reconciliationDifferencesMax = 1000;
const pageRows = 500;

class Counter {
  count = 0;
  amount = 0n;
  add(v: bigint): void {
    this.count += 1;
    this.amount += v;
  }
  view(): Sum {
    return { count: this.count, amount: amountToText(this.amount) };
  }
}

interface Attempt {
  batchId: string;
  itemId: string;
  attempt: number;
  endToEndId: string;
  transferId: string;
}

interface LineRow {
  report_id: string;
  seq: number;
  at: string;
  end_to_end_id: string;
  kind: 'pain.002' | 'camt.054' | 'g2p';
  outcome: 'settled' | 'failed' | 'pending' | 'duplicate';
  amount_minor: number | bigint | null;
}

async function statementLines(db: Queryable, ids: readonly string[]): Promise<LineRow[]> {
  if (ids.length === 0) return [];
  return db
    .selectFrom('payout_statement_lines')
    .select(['report_id', 'seq', 'at', 'end_to_end_id', 'kind', 'outcome', 'amount_minor'])
    .where('end_to_end_id', 'in', ids)
    .orderBy('recorded_at')
    .orderBy('report_id')
    .orderBy('seq')
    .execute();
}

/** Reconciles an origin's (or a batch's) payouts against the providers' statements. */
export async function reconcilePayouts(
  app: AppContext,
  caller: Caller,
  input: ReconcileInput,
): Promise<Reconciliation> {
  requireNational(caller, 'payout:read');
  const db = app.db.kysely;
  let bq = db.selectFrom('payout_batches').select(['id', 'origin', 'currency']);
  bq = input.batchId ? bq.where('id', '=', input.batchId) : bq.where('origin', '=', input.origin!);
  const batches = await bq.orderBy('created_at').orderBy('id').execute();
  if (batches.length === 0) {
    if (input.batchId) throw new DomainError('NOT_FOUND', 'Payout batch not found.', 'batchId');
    // A bare cycle id names the cycle's payouts.
    if (input.origin && !input.origin.includes(':'))
      return reconcilePayouts(app, caller, { origin: `cycle:${input.origin}` });
    throw new DomainError('NOT_FOUND', 'No payout batch has this origin.', 'origin');
  }
  const originOf = new Map(batches.map((b) => [b.id, b.origin]));
  const ledger = {
    issued: new Counter(),
    paid: new Counter(),
    failed: new Counter(),
    returned: new Counter(),
    outstanding: new Counter(),
  };
  const statement = { paid: new Counter(), failed: new Counter(), returned: new Counter() };
  let statementLineCount = 0;
  const differences: ReconciliationDifference[] = [];
  let differenceCount = 0;
  const differ = (d: ReconciliationDifference) => {
    differenceCount += 1;
    if (differences.length < reconciliationDifferencesMax) differences.push(d);
  };
  const reports = new Set<string>();
  const ours = new Set<string>();

  for (const batch of batches) {
    let after = '';
    // Bounded: each page moves `after` forward through the batch's items.
    for (;;) {
      const items = await db
        .selectFrom('payout_items')
        .select(['id', 'person_id', 'attempt', 'end_to_end_id', 'amount_minor', 'status'])
        .where('batch_id', '=', batch.id)
        .where('id', '>', after)
        .orderBy('id')
        .limit(pageRows)
        .execute();
      if (items.length === 0) break;
      after = items[items.length - 1]!.id;
      const attempts: Attempt[] = [];
      for (const item of items) {
        for (let k = 1; k <= item.attempt; k += 1)
          attempts.push({
            batchId: batch.id,
            itemId: item.id,
            attempt: k,
            endToEndId: k === item.attempt ? item.end_to_end_id : payoutEndToEndId(item.id, k),
            transferId: payoutTransferId(originOf.get(batch.id)!, item.person_id, k),
          });
      }
      const transferIds = attempts.map((a) => a.transferId);
      const transfers = new Map<string, { amount: bigint; status: string }>();
      for (let i = 0; i < transferIds.length; i += pageRows) {
        const rows = await db
          .selectFrom('ledger_transfers as t')
          .innerJoin('ledger_pending_transfers as p', 'p.transfer_id', 't.id')
          .select(['t.id', 't.amount', 'p.status'])
          .where('t.id', 'in', transferIds.slice(i, i + pageRows))
          .execute();
        for (const r of rows)
          transfers.set(r.id, { amount: readAmount(r.amount, 'amount'), status: r.status });
      }
      const lines = new Map<string, LineRow[]>();
      const e2e = attempts.map((a) => a.endToEndId);
      for (let i = 0; i < e2e.length; i += pageRows)
        for (const l of await statementLines(db, e2e.slice(i, i + pageRows))) {
          const list = lines.get(l.end_to_end_id) ?? [];
          list.push(l);
          lines.set(l.end_to_end_id, list);
        }
      for (const a of attempts) {
        ours.add(a.endToEndId);
        const t = transfers.get(a.transferId);
        const said = lines.get(a.endToEndId) ?? [];
        for (const l of said) reports.add(l.report_id);
        statementLineCount += said.length;
        const decisive = [...said]
          .reverse()
          .find((l) => l.outcome === 'settled' || l.outcome === 'failed');
        const last = decisive ?? said[said.length - 1];
        const statementStatus: ReconciliationDifference['statementStatus'] =
          last === undefined
            ? null
            : last.outcome === 'settled' || last.outcome === 'failed'
              ? last.outcome
              : 'pending';
        const statementAmount =
          last?.amount_minor === null || last === undefined
            ? null
            : readAmount(last.amount_minor, 'amount_minor');
        if (decisive?.outcome === 'settled') statement.paid.add(statementAmount ?? t?.amount ?? 0n);
        if (decisive?.outcome === 'failed')
          (decisive.kind === 'camt.054' ? statement.returned : statement.failed).add(
            statementAmount ?? t?.amount ?? 0n,
          );
        const base = {
          endToEndId: a.endToEndId,
          batchId: a.batchId,
          itemId: a.itemId,
          attempt: a.attempt,
          transferId: t ? a.transferId : null,
          reportId: last?.report_id ?? null,
          statementAt: last?.at ?? null,
          statementStatus,
          statementAmount: statementAmount === null ? null : amountToText(statementAmount),
        };
        if (!t) {
          // Never sent: only a difference when a provider speaks of it.
          if (said.length > 0)
            differ({ ...base, kind: 'missing_in_ledger', ledgerStatus: null, ledgerAmount: null });
          continue;
        }
        const ledgerStatus =
          t.status === 'posted' ? 'paid' : t.status === 'pending' ? 'outstanding' : 'voided';
        ledger.issued.add(t.amount);
        if (ledgerStatus === 'paid') ledger.paid.add(t.amount);
        else if (ledgerStatus === 'outstanding') ledger.outstanding.add(t.amount);
        else (decisive?.kind === 'camt.054' ? ledger.returned : ledger.failed).add(t.amount);
        const full = { ...base, ledgerStatus, ledgerAmount: amountToText(t.amount) } as const;
        if (!decisive) differ({ ...full, kind: 'missing_in_statement' });
        else if (statementAmount !== null && statementAmount !== t.amount)
          differ({ ...full, kind: 'amount_differs' });
        else if (
          (decisive.outcome === 'settled' && ledgerStatus !== 'paid') ||
          (decisive.outcome === 'failed' && ledgerStatus !== 'voided')
        )
          differ({ ...full, kind: 'status_differs' });
      }
    }
  }

  // Lines of the same statements naming an end-to-end id no payout ever carried.
  const reportIds = [...reports];
  for (let i = 0; i < reportIds.length; i += pageRows) {
    const rows = await db
      .selectFrom('payout_statement_lines as l')
      .select(['l.report_id', 'l.at', 'l.end_to_end_id', 'l.outcome', 'l.amount_minor'])
      .where('l.report_id', 'in', reportIds.slice(i, i + pageRows))
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('payout_items as i')
              .select('i.id')
              .whereRef('i.end_to_end_id', '=', 'l.end_to_end_id'),
          ),
        ),
      )
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('payout_item_events as e')
              .select('e.id')
              .whereRef('e.end_to_end_id', '=', 'l.end_to_end_id'),
          ),
        ),
      )
      .orderBy('l.report_id')
      .orderBy('l.seq')
      .execute();
    for (const r of rows) {
      if (ours.has(r.end_to_end_id)) continue;
      statementLineCount += 1;
      differ({
        kind: 'missing_in_ledger',
        endToEndId: r.end_to_end_id,
        batchId: null,
        itemId: null,
        attempt: null,
        transferId: null,
        reportId: r.report_id,
        statementAt: r.at,
        ledgerStatus: null,
        statementStatus: r.outcome === 'settled' || r.outcome === 'failed' ? r.outcome : 'pending',
        ledgerAmount: null,
        statementAmount:
          r.amount_minor === null ? null : amountToText(readAmount(r.amount_minor, 'amount')),
      });
    }
  }

  const report: Reconciliation = {
    origin: input.origin ?? batches[0]!.origin,
    batchIds: batches.map((b) => b.id),
    currency: batches[0]!.currency,
    ledger: {
      issued: ledger.issued.view(),
      paid: ledger.paid.view(),
      failed: ledger.failed.view(),
      returned: ledger.returned.view(),
      outstanding: ledger.outstanding.view(),
    },
    statement: {
      paid: statement.paid.view(),
      failed: statement.failed.view(),
      returned: statement.returned.view(),
      lines: statementLineCount,
    },
    differences,
    differenceCount,
    balanced: differenceCount === 0,
    at: app.now().toISOString(),
  };
  await app.db.transaction((trx) =>
    appendAudit(trx, app, caller, {
      operation: 'reconciliation.run',
      permission: 'payout:read',
      details: {
        origin: report.origin,
        batches: report.batchIds.length,
        differences: differenceCount,
      },
    }),
  );
  return report;
}
