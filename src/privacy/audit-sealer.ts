// The audit sealer: chains the entries writers appended without a hash, and signs the head.
//
// Writers only INSERT (see append-audit.ts), so appends never wait on a shared row. The
// sealer takes unchained rows in a stable order (at, id), gives them the next contiguous
// chain indices, writes the hashes back, and stores an Ed25519 seal of the new head — all
// in one transaction, so a seal never names a head that is not in the table. A row that
// commits late (a lower `at`, arriving after the sealer passed) is simply still unchained
// and goes into the next batch: chain order is sealing order, not clock order.
//
// Only one sealer may run at a time, or two could hand out the same indices:
// - within a process, calls on one database are serialised by a promise chain;
// - across PostgreSQL processes, each batch takes pg_try_advisory_xact_lock and a sealer
//   that does not get it returns `busy` (the holder will seal the rows);
// - on SQLite the database file serialises writers: every transaction begins immediate, so a
//   second process's sealer waits for the first to commit and then reads the chain as it is.
// In every case chain_index is UNIQUE and each update is checked to touch only unchained
// rows, so a broken guard fails a batch rather than forking the chain.
import { CompiledQuery, sql, type Transaction } from 'kysely';
import type { Database, Engine, Queryable } from '../db';
import type { Schema } from '../db/schema';
import type { AppContext } from '../shared/context';
import { invariant } from '../shared/errors';
import { chainBatch, genesisHash, signSeal, type AuditEntry, type AuditSeal } from './audit-chain';
import { auditEntryFromRow } from './audit-entry';
import { indexRowsOf } from './audit-index';
import { auditKeySettings } from './audit-key-settings';
import { recordSealKey, type AuditSealKey } from './audit-seal-keys';

/** Entries chained in one transaction unless told otherwise. */
export const sealBatchRowsDefault = 1000;
/** Most entries one batch may chain (bounds a transaction's size). */
export const sealBatchRowsMax = 10_000;
/** Most batches one call seals, so that one call is bounded even under a flood of appends. */
export const sealBatchesPerRunMax = 100;
/** Shortest interval of the background sealer. */
export const sealerIntervalMsMin = 100;
/** Longest interval of the background sealer: an unsealed entry can be deleted unnoticed. */
export const sealerIntervalMsMax = 60 * 60 * 1000;

/** Rows per UPDATE statement (keeps bound parameters well under both engines' limits). */
const updateRowsPerStatement = 500;
/** PostgreSQL advisory lock key of the sealer: fixed, so that every process agrees on it. */
export const sealerAdvisoryLockKey = 0x7465_7373_6175;

/** Options for one sealing run. */
export interface SealOptions {
  /** Entries per batch (one transaction, one seal). */
  batchSize?: number;
  /** The signing key; by default the app's pinned key (see audit-key-settings.ts). */
  key?: AuditSealKey;
}

/** What a sealing run did. */
export type SealResult =
  | { kind: 'sealed'; batches: number; entries: number; lastIndex: number; headHash: string }
  | { kind: 'nothing_pending' }
  | { kind: 'busy' };

type BatchResult =
  | { kind: 'sealed'; entries: number; lastIndex: number; headHash: string }
  | { kind: 'nothing_pending' }
  | { kind: 'busy' };

// SQLite: one prepared single-row UPDATE per entry (the connection keeps it prepared), about
// ten times faster than its UPDATE … FROM a VALUES list, which is a tenth of the sealer's work
// under load. The same guard: each update must touch exactly one still unchained row.
const chainOneRow =
  'update audit_log set chain_index = ?, hash = ?, chain_format = 2 where id = ? and chain_index is null';

async function writeChain(
  trx: Transaction<Schema>,
  engine: Engine,
  chained: readonly AuditEntry[],
): Promise<void> {
  if (engine === 'sqlite') {
    for (const e of chained) {
      const result = await trx.executeQuery(
        CompiledQuery.raw(chainOneRow, [e.chainIndex, e.hash, e.id]),
      );
      invariant(
        Number(result.numAffectedRows ?? -1) === 1,
        'another sealer chained the same audit entries',
      );
    }
    return;
  }
  for (let i = 0; i < chained.length; i += updateRowsPerStatement) {
    const chunk = chained.slice(i, i + updateRowsPerStatement);
    const values = chunk.map((e) => sql`(${e.id}, cast(${e.chainIndex} as bigint), ${e.hash})`);
    // One statement per chunk; `chain_index is null` makes a second sealer's update a no-op.
    const result = await sql`
      with v(id, chain_index, hash) as (values ${sql.join(values)})
      update audit_log set chain_index = v.chain_index, hash = v.hash, chain_format = 2
      from v where audit_log.id = v.id and audit_log.chain_index is null`.execute(trx);
    invariant(
      Number(result.numAffectedRows ?? -1) === chunk.length,
      'another sealer chained the same audit entries',
    );
  }
}

async function sealBatch(
  app: AppContext,
  key: AuditSealKey,
  batchSize: number,
): Promise<BatchResult> {
  return app.db.transaction(async (trx): Promise<BatchResult> => {
    if (app.db.engine === 'postgres') {
      const { rows } = await sql<{
        locked: boolean;
      }>`select pg_try_advisory_xact_lock(${sealerAdvisoryLockKey}) as locked`.execute(trx);
      if (rows[0]?.locked !== true) return { kind: 'busy' };
    }
    const last = await trx
      .selectFrom('audit_log')
      .select(['chain_index', 'hash'])
      .where('chain_index', 'is not', null)
      .orderBy('chain_index', 'desc')
      .limit(1)
      .executeTakeFirst();
    const pending = await trx
      .selectFrom('audit_log')
      .selectAll()
      .where('chain_index', 'is', null)
      .orderBy('at')
      .orderBy('id')
      .limit(batchSize)
      .execute();
    if (pending.length === 0) return { kind: 'nothing_pending' };
    const firstIndex = last ? last.chain_index! + 1 : 0;
    // A row that cannot be read stops the batch, naming it: chaining it would seal garbage.
    const entries = pending.map(auditEntryFromRow);
    // Chain format 2: the hash covers each entry's index rows as they stand now, in the same
    // transaction; the verifier recomputes it from the rows it finds.
    const index = await indexRowsOf(
      trx,
      entries.map((e) => e.id),
    );
    const formatted = entries.map((e) => ({
      ...e,
      format: 2 as const,
      indexedSubjectIds: (index.get(e.id) ?? []).map((r) => r.personId),
    }));
    const chained = chainBatch(last?.hash ?? genesisHash, firstIndex, formatted);
    await writeChain(trx, app.db.engine, chained);
    const head = chained.at(-1)!;
    const sealedAt = app.now().toISOString();
    await recordSealKey(trx, key, sealedAt);
    const seal = signSeal(
      { chainIndex: head.chainIndex, headHash: head.hash, sealedAt, keyId: key.keyId },
      key.privateKey,
    );
    await insertSeal(trx, seal);
    return {
      kind: 'sealed',
      entries: chained.length,
      lastIndex: head.chainIndex,
      headHash: head.hash,
    };
  });
}

async function sealUntilDone(app: AppContext, options: SealOptions): Promise<SealResult> {
  const batchSize = options.batchSize ?? sealBatchRowsDefault;
  if (!Number.isSafeInteger(batchSize) || batchSize < 1 || batchSize > sealBatchRowsMax) {
    throw new Error(`batchSize must be an integer from 1 to ${sealBatchRowsMax}`);
  }
  // Read for each run, so that a server starts sealing with a rotated key without a restart.
  const key = options.key ?? auditKeySettings(app).sealKey();
  let batches = 0;
  let entries = 0;
  let head: { lastIndex: number; headHash: string } | null = null;
  for (let i = 0; i < sealBatchesPerRunMax; i++) {
    const batch = await sealBatch(app, key, batchSize);
    if (batch.kind !== 'sealed') {
      if (head === null) return batch;
      break;
    }
    batches++;
    entries += batch.entries;
    head = { lastIndex: batch.lastIndex, headHash: batch.headHash };
    if (batch.entries < batchSize) break;
  }
  return head === null
    ? { kind: 'nothing_pending' }
    : { kind: 'sealed', batches, entries, ...head };
}

// The in-process guard: the run in progress on each database, which the next call waits for.
const running = new WeakMap<Database, Promise<unknown>>();

/** Stores a signed seal as its `audit_seals` row. */
export async function insertSeal(db: Queryable, seal: AuditSeal): Promise<void> {
  await db
    .insertInto('audit_seals')
    .values({
      chain_index: seal.chainIndex,
      head_hash: seal.headHash,
      sealed_at: seal.sealedAt,
      key_id: seal.keyId,
      signature: seal.signature,
    })
    .execute();
}

/**
 * Chains every unchained audit entry (up to `sealBatchesPerRunMax` batches), signing a seal
 * after each batch. Calls on one database in one process run one after another.
 */
export async function sealPendingAudit(
  app: AppContext,
  options: SealOptions = {},
): Promise<SealResult> {
  const previous = running.get(app.db) ?? Promise.resolve();
  const run = previous.then(
    () => sealUntilDone(app, options),
    () => sealUntilDone(app, options),
  );
  running.set(app.db, run);
  try {
    return await run;
  } finally {
    if (running.get(app.db) === run) running.delete(app.db);
  }
}

/** Options for the background sealer. */
export interface AuditSealerOptions extends SealOptions {
  intervalMs: number;
  /** Told about a failed run; the sealer keeps going. Default: one line on stderr. */
  onError?: (error: unknown) => void;
}

/**
 * Seals every `intervalMs` until stopped. The timer is unref'd (it never keeps the process
 * alive) and re-armed only after a run ends, so runs never overlap. The returned function
 * stops the timer, waits for a run in progress, and seals once more.
 */
export function startAuditSealer(
  app: AppContext,
  options: AuditSealerOptions,
): () => Promise<void> {
  const { intervalMs } = options;
  if (
    !Number.isSafeInteger(intervalMs) ||
    intervalMs < sealerIntervalMsMin ||
    intervalMs > sealerIntervalMsMax
  ) {
    throw new Error(`intervalMs must be from ${sealerIntervalMsMin} to ${sealerIntervalMsMax}`);
  }
  // Load the key now, so that a missing, unsafe or unpinned key stops the server at start.
  if (options.key === undefined) auditKeySettings(app).sealKey();
  const seal: SealOptions = options.key ? { key: options.key } : {};
  if (options.batchSize !== undefined) seal.batchSize = options.batchSize;
  const onError =
    options.onError ??
    ((e: unknown) => console.error(`audit sealer: ${e instanceof Error ? e.message : String(e)}`));
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> = Promise.resolve();
  const tick = (): void => {
    inFlight = sealPendingAudit(app, seal).then(
      () => schedule(),
      (e: unknown) => {
        onError(e);
        schedule();
      },
    );
  };
  const schedule = (): void => {
    if (stopped) return;
    timer = setTimeout(tick, intervalMs);
    timer.unref();
  };
  schedule();
  return async function stopAuditSealer(): Promise<void> {
    if (stopped) return;
    stopped = true;
    clearTimeout(timer);
    await inFlight;
    await sealPendingAudit(app, seal);
  };
}
