// What a bearer token resolves to, kept for two seconds. A point of service's device sends its
// token with every request, and resolving it costs a hash, two queries and a permission
// computation — at a rush, more than the work the request asks for. Anything that takes a
// token's power away (revoking it or its device, revoking a grant, disabling its owner) clears
// the cache in this process at once, and again once its transaction has ended, so that a
// request that read the token while that transaction was still open cannot put the old answer
// back: when the revocation returns, this process refuses the token. Another process (a second
// server, the CLI) is believed after at most `ttlMs`. Expiry is checked at every use against
// the cached row.
import { whenTransactionEnds, type Queryable } from '../db';
import type { Actor } from '../shared/access';

/** How long a resolved token is believed without asking the database again. */
const ttlMs = 2_000;
/** Most tokens kept; the oldest go first. */
const maxEntries = 20_000;

/** A token as resolved from the database. */
export interface CachedToken {
  tokenId: string;
  expiresAt: string;
  /** When its use was last written to the database (ms since epoch). */
  lastUsedAt: number;
  actor: Actor;
}

const entries = new Map<string, { token: CachedToken; until: number }>();
/** Counts forgettings: an answer read before the latest one is not kept. */
let generation = 0;

/** The token resolved under this hash in the last `ttlMs`, if any. */
export function cachedToken(hash: string): CachedToken | undefined {
  const hit = entries.get(hash);
  if (!hit) return undefined;
  if (hit.until < performance.now()) {
    entries.delete(hash);
    return undefined;
  }
  return hit.token;
}

/** Taken before reading a token from the database, and given to rememberToken. */
export function tokenCacheStamp(): number {
  return generation;
}

/**
 * Keeps a resolved token, unless the cache was forgotten since `stamp` was taken (what was read
 * may be what the forgetting took away); returns it.
 */
export function rememberToken(hash: string, token: CachedToken, stamp: number): CachedToken {
  if (stamp !== generation) return token;
  if (entries.size >= maxEntries) entries.delete(entries.keys().next().value!);
  entries.set(hash, { token, until: performance.now() + ttlMs });
  return token;
}

function forget(): void {
  entries.clear();
  generation += 1;
}

/**
 * Forgets every resolved token, now and once `during` (the transaction that takes a token's
 * power away: revoking it, its device or a grant, disabling its owner) has ended.
 */
export function forgetCachedTokens(during: Queryable): void {
  forget();
  whenTransactionEnds(during, forget);
}
