// Idempotency-Key, with the semantics of the IETF draft (draft-ietf-httpapi-idempotency-key-
// header): the same key with the same request returns the first result, whatever happened in
// between (a lost reply, a server killed after its commit); the same key with a different
// request is refused (422); while the first request with a key is still running in this
// process, another is told so (409). The key's record is inserted, already done, in the same
// transaction as the work it guards — one commit, and the work and its key commit together or
// not at all: a server killed before the commit left nothing, so the retry runs the work again;
// killed after it, the retry finds the answer. Two attempts with one key racing in different
// processes both run, but the primary key on (client, key) lets only one commit; the other
// rolls back whole and answers with the first's result.
import { createHash } from 'node:crypto';
import { preparedQuery, type Queryable } from '../db';
import { isUniqueViolation } from '../db';
import type { AppContext } from '../shared/context';
import { DomainError } from '../shared/errors';
import { canonicalJson } from '../shared/canonical-json';

/** A key as clients send it: 1 to 128 visible characters. */
export const idempotencyKeyPattern = /^[\x21-\x7e]{1,128}$/;

/** The fingerprint of a request: its method, path and canonical body. */
export function requestFingerprint(method: string, path: string, body: unknown): string {
  return createHash('sha256')
    .update(`${method} ${path}\n${canonicalJson(body ?? null)}`)
    .digest('hex');
}

/** What a guarded request answered: its status and JSON body. */
export interface IdempotentResult {
  status: number;
  body: unknown;
  /** True when this is the stored answer to an earlier request with the key. */
  replayed: boolean;
}

/** Records the key's answer inside the work's transaction. */
export type CompleteKey = (trx: Queryable, status: number, body: unknown) => Promise<void>;

/** Keys whose first request is running in this process. */
const running = new Set<string>();

const answerOfKey = preparedQuery(2, (db, scope: string, key: string) =>
  db
    .selectFrom('idempotency_keys')
    .select(['request_hash', 'status_code', 'response'])
    .where('scope', '=', scope)
    .where('key', '=', key),
);

const insertKey = preparedQuery(
  6,
  (
    db,
    scope: string,
    key: string,
    fingerprint: string,
    now: string,
    status: number,
    response: string,
  ) =>
    db.insertInto('idempotency_keys').values({
      scope,
      key,
      request_hash: fingerprint,
      state: 'done',
      locked_until: now,
      status_code: status,
      response,
      created_at: now,
      completed_at: now,
    }),
);

async function storedAnswer(
  db: Queryable,
  scope: string,
  key: string,
  fingerprint: string,
): Promise<IdempotentResult | null> {
  const row = (await answerOfKey(db, scope, key)).rows[0];
  if (!row) return null;
  if (row.request_hash !== fingerprint)
    throw new DomainError(
      'IDEMPOTENCY_KEY_REUSED',
      'This Idempotency-Key was used for a different request.',
      'Idempotency-Key',
    );
  return {
    status: row.status_code ?? 200,
    body: JSON.parse(row.response ?? 'null'),
    replayed: true,
  };
}

async function insertAnswer(
  trx: Queryable,
  app: AppContext,
  scope: string,
  key: string,
  fingerprint: string,
  status: number,
  body: unknown,
): Promise<void> {
  await insertKey(
    trx,
    scope,
    key,
    fingerprint,
    app.now().toISOString(),
    status,
    JSON.stringify(body),
  );
}

/**
 * Runs `work` at most once per (scope, key) to completion. `work` must call `complete` inside
 * the transaction that does its writes. A refusal (a DomainError) is the request's answer too,
 * stored so that a retry gets the same; any other failure leaves the key free for a retry.
 */
export async function withIdempotency(
  app: AppContext,
  scope: string,
  key: string,
  fingerprint: string,
  work: (complete: CompleteKey) => Promise<{ status: number; body: unknown }>,
): Promise<IdempotentResult> {
  if (!idempotencyKeyPattern.test(key))
    throw new DomainError(
      'VALIDATION_FAILED',
      'Idempotency-Key: must be 1 to 128 visible ASCII characters.',
      'Idempotency-Key',
    );
  const db = app.db.kysely;
  const earlier = await storedAnswer(db, scope, key, fingerprint);
  if (earlier) return earlier;
  const flight = `${scope}\n${key}`;
  if (running.has(flight))
    throw new DomainError(
      'IDEMPOTENCY_IN_PROGRESS',
      'A request with this Idempotency-Key is still being processed; retry shortly.',
      'Idempotency-Key',
    );
  running.add(flight);
  try {
    const done = await work((trx, status, body) =>
      insertAnswer(trx, app, scope, key, fingerprint, status, body),
    );
    return { ...done, replayed: false };
  } catch (e) {
    // Another process committed this key first: its answer is this request's too.
    const first = await storedAnswer(db, scope, key, fingerprint).catch(() => null);
    if (first) return first;
    if (isUniqueViolation(e)) throw new Error('invariant violated: a key conflict left no answer');
    if (e instanceof DomainError) {
      const body = {
        error: {
          code: e.code,
          message: e.message,
          ...(e.field ? { field: e.field } : {}),
          ...(e.details ? { details: e.details } : {}),
        },
      };
      try {
        await app.db.transaction((trx) =>
          insertAnswer(trx, app, scope, key, fingerprint, e.status, body),
        );
      } catch (stored) {
        // Another process answered this key meanwhile: that answer stands.
        if (!isUniqueViolation(stored)) throw stored;
        const raced = await storedAnswer(db, scope, key, fingerprint);
        if (raced) return raced;
      }
    }
    throw e;
  } finally {
    running.delete(flight);
  }
}
