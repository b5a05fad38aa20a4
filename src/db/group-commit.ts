// Group commit for SQLite. SQLite has one writer, and with synchronous=FULL every commit waits
// for an fsync — on better-sqlite3 a synchronous wait that blocks the whole process. Under load
// (a point-of-service rush: hundreds of small transactions a second) the disk, not the work,
// sets the pace. So transactions that arrive together run one after another inside ONE database
// transaction, each in its own savepoint, and share its single commit and fsync:
//
// - each job still sees exactly the database a serial run would show it (the jobs before it in
//   the group, then itself), because they run strictly one at a time on the one connection;
// - a job that throws is rolled back to its savepoint alone, and its caller gets its error;
// - no caller is answered before the group's commit returns and, where the commit's fsync is
//   done after it (`flush`, sqlite-wal-sync.ts), before that flush returns: an acknowledged
//   transaction is durable exactly as before. If the commit fails, every caller in the group
//   gets the failure; if the flush fails, every caller whose job had succeeded gets that.
//   The next group runs while the last one's flush is on the disk.
//
// A group is whatever is queued when the writer next runs (after the current I/O phase, by
// setImmediate), at most `maxGroup` jobs. PostgreSQL does not need this: its pool runs
// transactions side by side and its WAL writer already groups commits.
import { CompiledQuery, type Kysely, type Transaction } from 'kysely';
import type { Schema } from './schema';
import { trackTransaction } from './transaction-end';

interface Job {
  fn: (trx: Transaction<Schema>) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (reason: unknown) => void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

// The savepoint statements are constant: compiled once, not rebuilt for every job.
const savepoint = CompiledQuery.raw('savepoint tessera_group');
const release = CompiledQuery.raw('release tessera_group');
const rollbackTo = CompiledQuery.raw('rollback to tessera_group');

/** How many transactions one commit may carry. */
const maxGroup = 200;

/** Returns a `transaction(fn)` for `kysely` that groups concurrent transactions' commits. */
export function groupCommit(
  kysely: Kysely<Schema>,
  /** Makes what has been committed durable, when the commit itself does not. */
  flush?: () => Promise<void>,
): <T>(fn: (trx: Transaction<Schema>) => Promise<T>) => Promise<T> {
  const queue: Job[] = [];
  let scheduled = false;

  async function runGroup(group: Job[]): Promise<void> {
    const outcomes: Outcome[] = [];
    try {
      await trackTransaction((opened) =>
        kysely.transaction().execute(async (trx) => {
          opened(trx);
          if (group.length === 1) {
            // Alone: the transaction is the job's own, as without grouping.
            try {
              outcomes.push({ ok: true, value: await group[0]!.fn(trx) });
            } catch (error) {
              outcomes.push({ ok: false, error });
              throw error;
            }
            return;
          }
          for (const job of group) {
            await trx.executeQuery(savepoint);
            try {
              const value = await job.fn(trx);
              await trx.executeQuery(release);
              outcomes.push({ ok: true, value });
            } catch (error) {
              // Undo this job's writes only; if SQLite already ended the whole transaction
              // (a full disk, an I/O error), this throws and the group fails as one.
              await trx.executeQuery(rollbackTo);
              await trx.executeQuery(release);
              outcomes.push({ ok: false, error });
            }
          }
        }),
      );
    } catch (failure) {
      // Nothing of the group committed: a job that had succeeded gets the commit's failure.
      group.forEach((job, i) => {
        const outcome = outcomes[i];
        job.reject(outcome && !outcome.ok ? outcome.error : failure);
      });
      return;
    }
    const answer = (flushFailure?: unknown) =>
      group.forEach((job, i) => {
        const outcome = outcomes[i]!;
        if (outcome.ok && flushFailure === undefined) job.resolve(outcome.value);
        else job.reject(outcome.ok ? flushFailure : outcome.error);
      });
    // Not awaited: the next group begins while this one's flush is on the disk.
    if (flush)
      void flush().then(
        () => answer(),
        (e: unknown) => answer(e ?? new Error('flush')),
      );
    else answer();
  }

  async function drain(): Promise<void> {
    try {
      while (queue.length > 0) await runGroup(queue.splice(0, maxGroup));
    } finally {
      scheduled = false;
      // A job queued by a caller that ran between the last group and this line.
      if (queue.length > 0) schedule();
    }
  }

  function schedule(): void {
    if (scheduled) return;
    scheduled = true;
    setImmediate(() => void drain());
  }

  return <T>(fn: (trx: Transaction<Schema>) => Promise<T>): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      queue.push({
        fn,
        resolve: resolve as (value: unknown) => void,
        reject,
      });
      schedule();
    });
}
