// The review queue: reviewers list the pairs in their regions, compare a pair side by side
// with the matcher's reasons (a personal-data read, purpose `deduplication`, audited), and
// decide "different people" (final: the pair is never put forward again) or "same person"
// (a merge request that a second staff member must approve, see merge-persons.ts).
import { z } from 'zod';
import { regionsFor } from '../shared/access';
import type { Queryable } from '../db';
import { appendAudit } from '../privacy';
import { presentPerson, type Person } from '../registry';
import { requirePurpose } from '../registry';
import type { AppContext, Caller } from '../shared/context';
import { DomainError } from '../shared/errors';
import { pageSizeDefault } from '../shared/limits';
import { id, pageAfterId, pageLimit, reason } from '../shared/schemas';
import { formatExplanation } from './model';
import { scorePair } from './match';
import type { ExplanationItem, MatchOutcome } from './types';
import { matchRecordOf } from './person-record';
import { insertDecision, loadPair, type PairWithRegions } from './store';
import type { PairSource, PairStatus } from './tables';
import { readStoredJson } from '../shared/stored-json';

/** A stored explanation: each comparison's level and weight. */
const explanationSchema = z.array(
  z.object({ comparison: z.string(), level: z.string(), weight: z.number() }),
);

/** A pair as listed in the queue: no personal data, only where and how strong. */
export interface DuplicatePair {
  id: string;
  leftId: string;
  rightId: string;
  outcome: 'same_person' | 'possible_duplicate';
  matchWeight: number;
  status: PairStatus;
  source: PairSource;
  regions: [string, string];
  createdAt: string;
  updatedAt: string;
  survivorId: string | null;
  approvalId: string | null;
}

/** A pair side by side: both records as stored now, and the matcher's reasons. */
export interface PairComparison {
  pair: DuplicatePair & { explanationAtDetection: ExplanationItem[] };
  left: Person;
  right: Person;
  /** The pair scored again on the records as they are now. */
  current: {
    outcome: MatchOutcome;
    matchWeight: number;
    matchProbability: number;
    explanation: readonly ExplanationItem[];
    summary: string;
  };
}

/** Queue listing criteria. */
export const pairListQuery = z
  .object({
    status: z
      .enum(['open', 'different_people', 'merge_requested', 'merged', 'unmerged'])
      .optional(),
    limit: pageLimit,
    after: pageAfterId,
  })
  .strict();

/** A page request of the review queue, validated. */
export type PairListQuery = z.output<typeof pairListQuery>;

/** A reviewer's decision. "same_person" files a merge request keeping `survivorId`. */
export const pairDecisionInput = z.discriminatedUnion('decision', [
  z
    .object({
      decision: z.literal('different_people'),
      reason,
    })
    .strict(),
  z
    .object({
      decision: z.literal('same_person'),
      survivorId: id,
      reason,
    })
    .strict(),
]);
/** A reviewer's decision, validated. */
export type PairDecisionInput = z.output<typeof pairDecisionInput>;

function present(row: PairWithRegions): DuplicatePair {
  return {
    id: row.id,
    leftId: row.left_id,
    rightId: row.right_id,
    outcome: row.outcome,
    matchWeight: Number(row.match_weight_centibits) / 100,
    status: row.status,
    source: row.source,
    regions: [row.left_region, row.right_region],
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    survivorId: row.survivor_id,
    approvalId: row.approval_id,
  };
}

/**
 * Loads a pair the caller may review: one of its records must lie in their regions. Outside
 * them the pair is reported as not found, so that probing ids reveals nothing.
 */
export async function loadPairForReview(
  trx: Queryable,
  caller: Caller,
  id: string,
): Promise<PairWithRegions> {
  const regions = regionsFor(caller.actor, 'dedup:review');
  if (regions !== '*' && regions.length === 0)
    throw new DomainError('FORBIDDEN', 'This action needs the permission dedup:review.');
  const pair = await loadPair(trx, id);
  if (
    regions !== '*' &&
    !regions.includes(pair.left_region) &&
    !regions.includes(pair.right_region)
  ) {
    throw new DomainError('NOT_FOUND', 'Pair not found.', 'id');
  }
  return pair;
}

/**
 * Comparing shows both records in full: the caller must be able to review in the regions of
 * both, as merging needs `person:deactivate` in both. Masking the other side would not do: the
 * matcher's reasons (phone exact, birth date exact…) still confirm, field by field, what the
 * hidden record holds, for a look-alike enrolled to probe it. The pair stays in the queue
 * (regions and weight only), for a reviewer who serves both regions.
 */
function requireReviewInBothRegions(caller: Caller, pair: PairWithRegions): void {
  const regions = regionsFor(caller.actor, 'dedup:review');
  if (regions === '*') return;
  if (!regions.includes(pair.left_region) || !regions.includes(pair.right_region)) {
    throw new DomainError(
      'FORBIDDEN',
      'Comparing two records needs the permission dedup:review in the regions of both; ask a reviewer who serves both regions.',
    );
  }
}

/** Lists the queue in the caller's regions, oldest first (ids are time-ordered). */
export async function listDuplicatePairs(
  app: AppContext,
  caller: Caller,
  query: PairListQuery = {},
): Promise<{ items: DuplicatePair[]; next: string | null }> {
  const input = query;
  const regions = regionsFor(caller.actor, 'dedup:review');
  if (regions !== '*' && regions.length === 0)
    throw new DomainError('FORBIDDEN', 'This action needs the permission dedup:review.');
  const limit = input.limit ?? pageSizeDefault;
  let q = app.db.kysely
    .selectFrom('dedup_pairs as p')
    .innerJoin('persons as l', 'l.id', 'p.left_id')
    .innerJoin('persons as r', 'r.id', 'p.right_id')
    .selectAll('p')
    .select(['l.region_code as left_region', 'r.region_code as right_region'])
    .where('p.status', '=', input.status ?? 'open')
    .orderBy('p.id')
    .limit(limit + 1);
  if (regions !== '*')
    q = q.where((eb) =>
      eb.or([eb('l.region_code', 'in', regions), eb('r.region_code', 'in', regions)]),
    );
  if (input.after) q = q.where('p.id', '>', input.after);
  const rows = await q.execute();
  const page = rows.slice(0, limit);
  return { items: page.map(present), next: rows.length > limit ? page[page.length - 1]!.id : null };
}

/** Shows a pair side by side. Needs the purpose `deduplication`; the read of both records is audited. */
export async function comparePair(
  app: AppContext,
  caller: Caller,
  id: string,
): Promise<PairComparison> {
  requirePurpose(caller);
  return app.db.transaction(async (trx) => {
    const pair = await loadPairForReview(trx, caller, id);
    requireReviewInBothRegions(caller, pair);
    if (caller.purpose !== 'deduplication') {
      throw new DomainError(
        'PURPOSE_NOT_ALLOWED',
        'Comparing two records is allowed only for the purpose "deduplication".',
        'purpose',
      );
    }
    const [left, right] = await Promise.all([
      trx
        .selectFrom('persons')
        .selectAll()
        .where('id', '=', pair.left_id)
        .executeTakeFirstOrThrow(),
      trx
        .selectFrom('persons')
        .selectAll()
        .where('id', '=', pair.right_id)
        .executeTakeFirstOrThrow(),
    ]);
    const documentAttribute = app.dedup?.documentAttribute ?? null;
    const scored = scorePair(
      matchRecordOf(left, documentAttribute),
      matchRecordOf(right, documentAttribute),
      app.dedup?.matchOptions ?? {},
    );
    await appendAudit(trx, app, caller, {
      operation: 'dedup.pair.read',
      permission: 'dedup:review',
      subjectIds: [left.id, right.id],
      details: { pairId: id },
    });
    return {
      pair: {
        ...present(pair),
        explanationAtDetection: readStoredJson(
          explanationSchema,
          pair.explanation,
          `dedup_pairs ${pair.id} explanation`,
        ) satisfies ExplanationItem[],
      },
      left: presentPerson(left),
      right: presentPerson(right),
      current: {
        outcome: scored.outcome,
        matchWeight: scored.matchWeight,
        matchProbability: scored.matchProbability,
        explanation: scored.explanation,
        summary: formatExplanation(scored.explanation),
      },
    };
  });
}

/**
 * True when a pair may be decided now: open, undone, or with a merge request that was
 * rejected or expired (the request is then spent, and the reviewers decide again).
 */
export async function isDecidable(
  trx: Queryable,
  pair: PairWithRegions,
  now: string,
): Promise<boolean> {
  if (pair.status === 'open' || pair.status === 'unmerged') return true;
  if (pair.status !== 'merge_requested' || !pair.approval_id) return false;
  const approval = await trx
    .selectFrom('approvals')
    .select(['status', 'expires_at'])
    .where('id', '=', pair.approval_id)
    .executeTakeFirst();
  if (!approval) return true;
  return (
    approval.status === 'rejected' ||
    approval.status === 'expired' ||
    (approval.status === 'pending' && approval.expires_at <= now)
  );
}

/** Records "different people": final, and the pair is never put forward again. */
export async function decideDifferentPeople(
  app: AppContext,
  caller: Caller,
  id: string,
  reason: string,
): Promise<DuplicatePair> {
  return app.db.transaction(async (trx) => {
    const pair = await loadPairForReview(trx, caller, id);
    const now = app.now().toISOString();
    if (!(await isDecidable(trx, pair, now)))
      throw new DomainError(
        'INVALID_STATE',
        `The pair is ${pair.status.replace('_', ' ')}; it cannot be decided now.`,
      );
    const updated = await trx
      .updateTable('dedup_pairs')
      .set({ status: 'different_people', updated_at: now })
      .where('id', '=', id)
      .where('status', '=', pair.status)
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) !== 1)
      throw new DomainError('CONFLICT', 'Someone decided this pair meanwhile.');
    await insertDecision(trx, app, {
      pairId: id,
      decision: 'different_people',
      decidedBy: caller.actor.id,
      reason,
    });
    await appendAudit(trx, app, caller, {
      operation: 'dedup.decide',
      permission: 'dedup:review',
      subjectIds: [pair.left_id, pair.right_id],
      details: { pairId: id, decision: 'different_people' },
    });
    return present({ ...pair, status: 'different_people', updated_at: now });
  });
}
