// Idempotency-Key, with the semantics of the IETF draft (draft-ietf-httpapi-idempotency-key-
// header): the same key with the same request returns the first result, whatever happened in
// between (a lost reply, a server killed after its commit); the same key with a different
// request is refused (422); while the first request with a key is still running, another is
// told so (409). The record of a key is written in the same transaction as the work it guards,
// so "done" and the work commit together or not at all. A server that dies mid-request leaves
// a claim that lapses after `claimSeconds`, after which a retry runs the work again — safe,
// because that work never committed.
import { createHash } from 'node:crypto';
import type { Queryable } from '../db';
import { isUniqueViolation } from '../db';
import type { AppContext } from '../shared/context';
import { DomainError } from '../shared/errors';
import { canonicalJson } from '../shared/canonical-json';

/** How long a claim on a key holds before another attempt may take over. */
export const claimSeconds = 30;

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

/** Marks the key done inside the work's transaction; throws if another attempt finished first. */
export type CompleteKey = (trx: Queryable, status: number, body: unknown) => Promise<void>;

class TakenOver extends Error {}

async function storedAnswer(
  app: AppContext,
  scope: string,
  key: string,
  fingerprint: string,
): Promise<IdempotentResult | 'claim'> {
  const row = await app.db.kysely
    .selectFrom('idempotency_keys')
    .selectAll()
    .where('scope', '=', scope)
    .where('key', '=', key)
    .executeTakeFirst();
  if (!row) return 'claim';
  if (row.request_hash !== fingerprint)
    throw new DomainError(
      'IDEMPOTENCY_KEY_REUSED',
      'This Idempotency-Key was used for a different request.',
      'Idempotency-Key',
    );
  if (row.state === 'done')
    return {
      status: row.status_code ?? 200,
      body: JSON.parse(row.response ?? 'null'),
      replayed: true,
    };
  const now = app.now().toISOString();
  if (row.locked_until > now)
    throw new DomainError(
      'IDEMPOTENCY_IN_PROGRESS',
      'A request with this Idempotency-Key is still being processed; retry shortly.',
      'Idempotency-Key',
    );
  // The attempt that claimed the key died before finishing: take it over, once.
  const taken = await app.db.kysely
    .updateTable('idempotency_keys')
    .set({ locked_until: lockUntil(app) })
    .where('scope', '=', scope)
    .where('key', '=', key)
    .where('state', '=', 'in_progress')
    .where('locked_until', '=', row.locked_until)
    .executeTakeFirst();
  if (Number(taken.numUpdatedRows) !== 1)
    throw new DomainError(
      'IDEMPOTENCY_IN_PROGRESS',
      'A request with this Idempotency-Key is still being processed; retry shortly.',
      'Idempotency-Key',
    );
  return 'claim';
}

function lockUntil(app: AppContext): string {
  return new Date(app.now().getTime() + claimSeconds * 1000).toISOString();
}

/**
 * Runs `work` at most once per (scope, key) to completion. `work` must call `complete` inside
 * the transaction that does its writes. A refusal (a DomainError) is the request's answer too,
 * stored so that a retry gets the same; any other failure frees the key for a retry.
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
  const now = app.now().toISOString();
  let claimed = false;
  try {
    await app.db.kysely
      .insertInto('idempotency_keys')
      .values({
        scope,
        key,
        request_hash: fingerprint,
        state: 'in_progress',
        locked_until: lockUntil(app),
        status_code: null,
        response: null,
        created_at: now,
        completed_at: null,
      })
      .execute();
    claimed = true;
  } catch (e) {
    if (!isUniqueViolation(e)) throw e;
  }
  if (!claimed) {
    const answer = await storedAnswer(app, scope, key, fingerprint);
    if (answer !== 'claim') return answer;
  }
  const complete: CompleteKey = async (trx, status, body) => {
    const r = await trx
      .updateTable('idempotency_keys')
      .set({
        state: 'done',
        status_code: status,
        response: JSON.stringify(body),
        completed_at: app.now().toISOString(),
      })
      .where('scope', '=', scope)
      .where('key', '=', key)
      .where('state', '=', 'in_progress')
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) !== 1) throw new TakenOver();
  };
  try {
    const done = await work(complete);
    return { ...done, replayed: false };
  } catch (e) {
    if (e instanceof TakenOver) {
      const answer = await storedAnswer(app, scope, key, fingerprint);
      if (answer === 'claim') throw new Error('invariant violated: a taken-over key has no answer');
      return answer;
    }
    if (e instanceof DomainError) {
      const body = {
        error: {
          code: e.code,
          message: e.message,
          ...(e.field ? { field: e.field } : {}),
          ...(e.details ? { details: e.details } : {}),
        },
      };
      await app.db.transaction(async (trx) => complete(trx, e.status, body)).catch(() => undefined);
      throw e;
    }
    // Not an answer (a crash of ours, the database gone): free the key for the retry.
    await app.db.kysely
      .updateTable('idempotency_keys')
      .set({ locked_until: now })
      .where('scope', '=', scope)
      .where('key', '=', key)
      .where('state', '=', 'in_progress')
      .execute()
      .catch(() => undefined);
    throw e;
  }
}
