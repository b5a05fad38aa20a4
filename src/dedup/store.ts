// Queries of the review queue shared by the enrolment check, the batch run and the reviewers.
import type { Insertable, Selectable } from 'kysely';
import type { Queryable } from '../db';
import type { AppContext } from '../shared/context';
import { DomainError } from '../shared/errors';
import type { ScoredPair } from './types';
import type { DedupPairsTable, PairSource } from './tables';

/** Pairs written per INSERT statement (17 columns each stays far under both engines' limits). */
const pairRowsPerStatementMax = 200;

/** A stored pair row. */
export type PairRow = Selectable<DedupPairsTable>;

/** The key of an unordered pair: the smaller id first, so (a, b) and (b, a) are one row. */
export function pairKey(a: string, b: string): string {
  return a < b ? `${a}:${b}` : `${b}:${a}`;
}

/**
 * Stores the pairs that are not in the queue yet and returns them. A pair already there — open,
 * decided, merged or undone — is left as it is: a decision is never proposed again.
 */
export async function insertPairs(
  trx: Queryable,
  app: AppContext,
  pairs: readonly ScoredPair[],
  source: PairSource,
  sourceId: string | null,
): Promise<PairRow[]> {
  if (pairs.length === 0) return [];
  const byKey = new Map<string, ScoredPair>();
  for (const p of pairs) byKey.set(pairKey(p.leftId, p.rightId), p);
  const known = await app.db.existingValues(trx, 'dedup_pairs', 'pair_key', [...byKey.keys()]);
  const now = app.now().toISOString();
  const rows: Insertable<DedupPairsTable>[] = [];
  for (const [key, p] of byKey) {
    if (known.has(key)) continue;
    if (p.outcome === 'distinct') continue;
    const [left, right] = p.leftId < p.rightId ? [p.leftId, p.rightId] : [p.rightId, p.leftId];
    rows.push({
      id: app.newId(),
      pair_key: key,
      left_id: left,
      right_id: right,
      outcome: p.outcome,
      match_weight_centibits: Math.round(p.matchWeight * 100),
      explanation: JSON.stringify(p.explanation),
      source,
      source_id: sourceId,
      status: 'open',
      created_at: now,
      updated_at: now,
      approval_id: null,
      survivor_id: null,
    });
  }
  for (let i = 0; i < rows.length; i += pairRowsPerStatementMax) {
    // Another process may store the same pair between the check and the insert: keep theirs.
    await trx
      .insertInto('dedup_pairs')
      .values(rows.slice(i, i + pairRowsPerStatementMax))
      .onConflict((oc) => oc.column('pair_key').doNothing())
      .execute();
  }
  return rows as PairRow[];
}

/** A pair with the regions and states of its two records (for access checks). */
export interface PairWithRegions extends PairRow {
  left_region: string;
  right_region: string;
}

/** Loads a pair with its records' regions; NOT_FOUND when there is no such pair. */
export async function loadPair(trx: Queryable, id: string): Promise<PairWithRegions> {
  const row = await trx
    .selectFrom('dedup_pairs as p')
    .innerJoin('persons as l', 'l.id', 'p.left_id')
    .innerJoin('persons as r', 'r.id', 'p.right_id')
    .selectAll('p')
    .select(['l.region_code as left_region', 'r.region_code as right_region'])
    .where('p.id', '=', id)
    .executeTakeFirst();
  if (!row) throw new DomainError('NOT_FOUND', 'Pair not found.', 'id');
  return row;
}

/** Records a decision on a pair in the review trail. */
export async function insertDecision(
  trx: Queryable,
  app: AppContext,
  decision: {
    pairId: string;
    decision: 'different_people' | 'merge_requested' | 'merged' | 'unmerge_requested' | 'unmerged';
    decidedBy: string;
    reason: string;
    approvalId?: string | null;
  },
): Promise<void> {
  await trx
    .insertInto('dedup_decisions')
    .values({
      id: app.newId(),
      pair_id: decision.pairId,
      decision: decision.decision,
      decided_by: decision.decidedBy,
      decided_at: app.now().toISOString(),
      reason: decision.reason,
      approval_id: decision.approvalId ?? null,
    })
    .execute();
}
