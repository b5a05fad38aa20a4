// Scoring one page of the registry-wide scan (batch-run.ts): every pair within each part of a
// block, put forward only from the first block the two share in key order. Scoring runs on
// the main thread or in the scan's worker threads (scan-pool.ts); deciding where a match is
// put forward runs where the blocks found too big are known, on the main thread.
import { keyRefinementsOf, type BlockPart, type KeyRefinements } from './block-scan';
import type { OversizedBlocks } from './block-scan';
import { prepareRecord, type PreparedRecord } from './normalise';
import { matchRecordOf, type PersonMatchRow } from './person-record';
import type { ScoredPair } from './types';

/**
 * A pair that scored as a match, with what deciding where it is put forward needs: every
 * smaller key the two share, with the refining values of each (later's, then earlier's).
 */
export interface ScanCandidate {
  readonly pair: ScoredPair;
  /** Flat: key, later's refine1 and refine2, earlier's refine1 and refine2, per shared key. */
  readonly earlierKeys: readonly number[];
}

/** What scoring a page found, and how many pairs were compared. */
export interface PageScore {
  readonly candidates: ScanCandidate[];
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
 * Scores the parts of one page: every pair within each part, the later record on the left.
 * Where a match is put forward is decided afterwards, by the thread that holds the blocks
 * found too big (putForward), so that the scoring threads need no copy of them.
 */
export function scorePage(
  parts: readonly BlockPart[],
  records: ReadonlyMap<string, PreparedRecord>,
  score: (a: PreparedRecord, b: PreparedRecord) => ScoredPair | undefined,
): PageScore {
  const candidates: ScanCandidate[] = [];
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
        const earlierKeys: number[] = [];
        const inEarlier = refinementsOf(earlier);
        for (const [key, [a1, a2]] of refinementsOf(later)) {
          if (key >= part.key) continue;
          const inB = inEarlier.get(key);
          if (inB !== undefined) earlierKeys.push(key, a1, a2, inB[0], inB[1]);
        }
        candidates.push({ pair, earlierKeys });
      }
    }
  }
  return { candidates, compared };
}

/**
 * The matches to put forward: those that shared no kept block of a smaller key, where the
 * scan met them first. `oversized` must hold every block found too big before this page; it
 * may hold later ones too, since only smaller keys are looked at.
 */
export function putForward(
  candidates: readonly ScanCandidate[],
  oversized: OversizedBlocks,
): ScoredPair[] {
  const out: ScoredPair[] = [];
  for (const { pair, earlierKeys: k } of candidates) {
    let earlier = false;
    for (let i = 0; i < k.length && !earlier; i += 5)
      earlier = oversized.sharedKept(k[i]!, k[i + 1]!, k[i + 2]!, k[i + 3]!, k[i + 4]!);
    if (!earlier) out.push(pair);
  }
  return out;
}
