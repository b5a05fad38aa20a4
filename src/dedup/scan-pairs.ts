// The batch scan proper: each record against its earlier candidates in a block plan. A
// scan can be split into shards that run on different threads; the shards interleave in
// chunks of records, since later records have more earlier candidates than early ones.
import { earlierCandidates } from './block-plan';
import type { BlockPlan } from './block-plan';
import type { SlotPair } from './cluster-pairs';
import type { PreparedRecord } from './normalise';
import type { ScoredPair } from './types';

/** Records per chunk of a shard: large enough to keep a thread busy, small enough to balance. */
export const shardChunkRecords = 2_048;

/** Which part of a scan to run, and how to report progress. */
export interface ScanPart {
  readonly shard: number;
  readonly shards: number;
  /** Called every `progressEvery` records of this shard with the number done so far. */
  readonly onProgress?: (recordsDone: number) => void;
  readonly progressEvery?: number;
}

/** Scored pairs of one shard of a scan with their slots, the later record on the left, in record order. */
export function* scanPairs(
  prepared: readonly PreparedRecord[],
  plan: BlockPlan,
  score: (a: PreparedRecord, b: PreparedRecord) => ScoredPair | undefined,
  part: ScanPart,
): Generator<SlotPair> {
  const n = prepared.length;
  const stamp = new Int32Array(n);
  const found = new Int32Array(n);
  const every = part.progressEvery ?? 100_000;
  let done = 0;
  for (let i = 0; i < n; i++) {
    if (Math.floor(i / shardChunkRecords) % part.shards !== part.shard) continue;
    const record = prepared[i];
    if (record === undefined) continue;
    const count = earlierCandidates(plan, i, stamp, found);
    for (let c = 0; c < count; c++) {
      const j = found[c] ?? 0;
      const other = prepared[j];
      if (other === undefined) continue;
      const pair = score(record, other);
      if (pair !== undefined) yield { left: i, right: j, pair };
    }
    done++;
    if (part.onProgress !== undefined && done % every === 0) part.onProgress(done);
  }
}
