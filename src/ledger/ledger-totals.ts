// The double-entry check over the whole ledger: every transfer debits one account and credits
// another by the same amount, so summed over all accounts debits equal credits, posted and
// pending alike, in every currency ledger.
import type { Queryable } from '../db';
import { accountFromRow } from './store';

/** Sums of one currency ledger. */
export interface LedgerTotal {
  ledger: string;
  debitsPending: bigint;
  debitsPosted: bigint;
  creditsPending: bigint;
  creditsPosted: bigint;
  /** True when debits equal credits, posted and pending. */
  isBalanced: boolean;
}

/**
 * Per-ledger sums of all balances. Summed here as bigint, not by SQL: the sum over accounts
 * may pass 2^63 − 1 (PostgreSQL's int8 cast and SQLite's sum() both fail there), and a
 * check that cannot add up the books is no check.
 */
export async function ledgerTotals(db: Queryable): Promise<LedgerTotal[]> {
  const totals = new Map<string, LedgerTotal>();
  const rows = await db.selectFrom('ledger_accounts').selectAll().orderBy('ledger').execute();
  for (const row of rows) {
    const a = accountFromRow(row);
    const t = totals.get(a.ledger) ?? {
      ledger: a.ledger,
      debitsPending: 0n,
      debitsPosted: 0n,
      creditsPending: 0n,
      creditsPosted: 0n,
      isBalanced: true,
    };
    t.debitsPending += a.debitsPending;
    t.debitsPosted += a.debitsPosted;
    t.creditsPending += a.creditsPending;
    t.creditsPosted += a.creditsPosted;
    t.isBalanced = t.debitsPending === t.creditsPending && t.debitsPosted === t.creditsPosted;
    totals.set(a.ledger, t);
  }
  return [...totals.values()];
}
