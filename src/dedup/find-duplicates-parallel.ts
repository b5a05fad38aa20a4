// The batch scan spread over threads: the main thread and `threads - 1` workers each take
// an interleaved share of the records, then the main thread completes the groups that the
// positive pairs form (cluster-pairs.ts), exactly as the single-threaded scan does.
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { startWorker } from '../shared/worker';
import { planBlocks, sharesBlock } from './block-plan';
import type { BlockPlan } from './block-plan';
import { clusterPairs } from './cluster-pairs';
import type { SlotPair } from './cluster-pairs';
import { blockRecordsMax, weakBlockRecordsMax } from './dedup-index';
import { findDuplicatePairs, scorer } from './match';
import type { BatchOptions } from './match';
import { prepareRecord } from './normalise';
import type { PreparedRecord } from './normalise';
import { scanPairs } from './scan-pairs';
import { sendableMatchOptions } from './scan-pool';
import { surnameFrequencies } from './term-frequency';
import type { MatchRecord, ScoredPair } from './types';

/** Threads used at most when the caller does not say. */
export const batchThreadsMax = 8;

/** Options of the parallel batch scan. */
export interface ParallelBatchOptions extends BatchOptions {
  /** Threads to use, the calling one included; default: the available cores, at most batchThreadsMax. */
  readonly threads?: number;
}

function resultOf(worker: Worker): Promise<SlotPair[]> {
  return new Promise((resolve, reject) => {
    worker.once('message', (pairs: SlotPair[]) => {
      resolve(pairs);
      void worker.terminate();
    });
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (code !== 0) reject(new Error(`batch worker stopped with exit code ${code}`));
    });
  });
}

/**
 * Scan a whole set of records on several threads and return every scored pair, like
 * findDuplicatePairs (the same pairs, in another order). Each thread holds its own
 * prepared copy of the records, so memory grows with the number of threads.
 */
export async function findDuplicatePairsInParallel(
  records: readonly MatchRecord[],
  options: ParallelBatchOptions = {},
): Promise<ScoredPair[]> {
  const threads = Math.max(
    1,
    Math.floor(options.threads ?? Math.min(availableParallelism(), batchThreadsMax)),
  );
  if (threads === 1) return [...findDuplicatePairs(records, options)];
  const url = new URL(
    import.meta.url.endsWith('.ts') ? './batch-worker.ts' : './batch-worker.js',
    import.meta.url,
  );
  const sendable = sendableMatchOptions(options);
  const workers = Array.from({ length: threads - 1 }, (_, k) =>
    resultOf(startWorker(url, { records, options: sendable, shard: k + 1, shards: threads })),
  );
  const prepared = records.map(prepareRecord);
  const plan = planBlocks(prepared, { blockRecordsMax, weakBlockRecordsMax });
  const score = scorer(options, surnameFrequencies(prepared));
  const every = options.progressEvery ?? 100_000;
  const onProgress = options.onProgress;
  const own = [
    ...scanPairs(prepared, plan, score, {
      shard: 0,
      shards: threads,
      progressEvery: Math.max(1, Math.floor(every / threads)),
      ...(onProgress === undefined
        ? {}
        : { onProgress: (done: number) => onProgress(done * threads) }),
    }),
  ];
  const hits = [own, ...(await Promise.all(workers))].flat();
  return [...hits.map((h) => h.pair), ...completeGroups(hits, prepared, plan, score)];
}

function completeGroups(
  hits: readonly SlotPair[],
  prepared: readonly PreparedRecord[],
  plan: BlockPlan,
  score: ReturnType<typeof scorer>,
): ScoredPair[] {
  const links: number[] = [];
  for (const hit of hits) if (hit.pair.outcome === 'same_person') links.push(hit.left, hit.right);
  const preparedAt = (slot: number): PreparedRecord => {
    const r = prepared[slot];
    if (r === undefined) throw new Error(`unreachable: slot ${slot} out of range`);
    return r;
  };
  // The shards scored every pair that shares a block (see sharesBlock).
  const isCompared = (left: number, right: number): boolean => sharesBlock(plan, left, right);
  return Array.from(clusterPairs(links, isCompared, preparedAt, score), (h) => h.pair);
}
