// Every line of every provider statement, kept as it was read — applied or not — so that
// reconciliation can set the provider's word beside the ledger's, line by line, long after the
// import answered. Written in the import's own transaction.
import type { Queryable } from '../db';
import type { AppContext } from '../shared/context';
import type { StatusLine } from './payouts/status-apply';

/** Stores the lines of a report or callback (at most one row per line). */
export async function recordStatementLines(
  trx: Queryable,
  app: AppContext,
  reportId: string,
  kind: 'pain.002' | 'camt.054' | 'g2p',
  lines: readonly StatusLine[],
): Promise<void> {
  const at = app.now().toISOString();
  await app.db.insertMany(
    trx,
    'payout_statement_lines',
    lines.map((l, seq) => ({
      report_id: reportId,
      seq,
      at: l.at,
      end_to_end_id: l.endToEndId,
      kind,
      outcome: l.outcome,
      reason: l.reason,
      amount_minor: l.amount,
      currency: l.currency,
      recorded_at: at,
    })),
  );
}
