// Scoring one page of the registry-wide scan (batch-run.ts): every pair within each part of a
// block, put forward only from the first block the two share in key order. The same function
// runs on the main thread and in the scan's worker threads (scan-pool.ts).
import { keyRefinementsOf, sharedEarlier, type BlockPart, type KeyRefinements } from './block-scan';
import type { OversizedBlocks } from './block-scan';
import { prepareRecord, type PreparedRecord } from './normalise';
import { matchRecordOf, type PersonMatchRow } from './person-record';
import type { ScoredPair } from './types';

/** What scoring a page found: the pairs to put forward, and how many pairs were compared. */
export interface PageScore {
  readonly pairs: ScoredPair[];
  readonly compared: number;
}

/** The prepared records of these rows (merged-away persons left out), by id. */
export function preparedRecordsOf(
  rows: Iterable<PersonMatchRow>,
  documentAttribute: string | null,
): Map<string, PreparedRecord> {
  const out = new Map<string, PreparedRecord>();
  for (const row of rows)
    if (row.status !== 'merged')
      out.set(row.id, prepareRecord(matchRecordOf(row, documentAttribute)));
  return out;
}

/**
 * Scores the parts of one page. `oversized` must hold the blocks found too big up to and
 * including this page's keys (the test for an earlier shared block looks only at smaller keys).
 */
export function scorePage(
  parts: readonly BlockPart[],
  records: ReadonlyMap<string, PreparedRecord>,
  score: (a: PreparedRecord, b: PreparedRecord) => ScoredPair | undefined,
  oversized: OversizedBlocks,
): PageScore {
  const pairs: ScoredPair[] = [];
  let compared = 0;
  const refinements = new Map<string, KeyRefinements>();
  const refinementsOf = (r: PreparedRecord): KeyRefinements => {
    let k = refinements.get(r.id);
    if (k === undefined) refinements.set(r.id, (k = keyRefinementsOf(r)));
    return k;
  };
  for (const part of parts) {
    const members = part.ids.flatMap((id) => records.get(id) ?? []);
    for (let i = 1; i < members.length; i++) {
      const a = members[i]!;
      for (let j = 0; j < i; j++) {
        const b = members[j]!;
        // The later record (ids are time-ordered) on the left, as the enrolment check has it.
        const [later, earlier] = a.id > b.id ? [a, b] : [b, a];
        compared++;
        const pair = score(later, earlier);
        if (pair === undefined) continue;
        // Put forward from the first block the two share, in key order.
        if (sharedEarlier(part.key, refinementsOf(later), refinementsOf(earlier), oversized))
          continue;
        pairs.push(pair);
      }
    }
  }
  return { pairs, compared };
}
