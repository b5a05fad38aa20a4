// Work to do once a transaction has ended, for what lives outside the database and must not
// run ahead of it: an in-process cache cleared by a transaction that takes power away has to
// be cleared again after the commit, or a request that read the old row while the transaction
// was still open (another PostgreSQL connection sees the last committed state) would put it
// back for the cache's lifetime. Database.transaction (both engines, and SQLite's group commit,
// where the jobs of a group share one transaction) runs these once the transaction has ended,
// committed or not: they must be harmless either way.
import type { Queryable } from './types';

const pending = new WeakMap<object, (() => void)[]>();

/**
 * Runs `fn` when the transaction `q` has ended, or at once when `q` is no transaction this
 * database opened (the database itself: the write is already committed).
 */
export function whenTransactionEnds(q: Queryable, fn: () => void): void {
  const list = pending.get(q);
  if (list) list.push(fn);
  else fn();
}

/** Runs `run`, which opens one transaction and reports it by `opened`; then its end work. */
export async function trackTransaction<T>(
  run: (opened: (trx: object) => void) => Promise<T>,
): Promise<T> {
  let trx: object | undefined;
  try {
    return await run((t) => {
      trx = t;
      pending.set(t, []);
    });
  } finally {
    if (trx) {
      const list = pending.get(trx) ?? [];
      pending.delete(trx);
      for (const fn of list) fn();
    }
  }
}
