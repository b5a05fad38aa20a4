// Where each device serves, as found in the last two seconds. A device sends its token with
// every request, and every redemption and lookup asks where it serves (its row, its point's
// status): at a rush that is more work than the request itself. Enrolling or revoking a device
// and changing a point (closing it) forget every answer at once in this process; another
// process (a second server) believes an answer for at most `ttlMs` — and a revoked device's
// token is refused at once anyway. As with tokens (auth/token-cache.ts), the answers are
// forgotten again once the changing transaction has ended, and an answer read before a
// forgetting is not kept.
import { whenTransactionEnds, type Queryable } from '../db';
import type { DevicesTable } from './tables';

/** Where a caller hands over. */
export interface ServingPoint {
  pointId: string;
  device: DevicesTable | null;
}

const ttlMs = 2_000;
const maxEntries = 10_000;
const byActor = new Map<string, { serving: ServingPoint; until: number }>();
let generation = 0;

/** The point this device actor served at in the last `ttlMs`, if any. */
export function cachedServingPoint(actorId: string): ServingPoint | undefined {
  const hit = byActor.get(actorId);
  if (!hit) return undefined;
  if (hit.until < performance.now()) {
    byActor.delete(actorId);
    return undefined;
  }
  return hit.serving;
}

/** Taken before looking up where a device serves, and given to rememberServingPoint. */
export function servingCacheStamp(): number {
  return generation;
}

/** Keeps where a device actor serves, unless the answers were forgotten since `stamp`. */
export function rememberServingPoint(actorId: string, serving: ServingPoint, stamp: number): void {
  if (stamp !== generation) return;
  if (byActor.size >= maxEntries) byActor.delete(byActor.keys().next().value!);
  byActor.set(actorId, { serving, until: performance.now() + ttlMs });
}

function forget(): void {
  byActor.clear();
  generation += 1;
}

/** Forgets where devices serve, now and once `during` has ended: a device or a point changes. */
export function forgetServingPoints(during: Queryable): void {
  forget();
  whenTransactionEnds(during, forget);
}
