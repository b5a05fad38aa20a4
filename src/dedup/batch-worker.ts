// One shard of a parallel batch scan, run in a worker thread (see find-duplicates-parallel.ts).
// It prepares and plans the whole set itself, which costs less than shipping prepared
// records between threads, and compares only the records of its shard.
import { parentPort, workerData } from 'node:worker_threads';
import { planBlocks } from './block-plan';
import type { SlotPair } from './cluster-pairs';
import { blockRecordsMax, weakBlockRecordsMax } from './dedup-index';
import { scorer } from './match';
import type { MatchOptions } from './match';
import { prepareRecord } from './normalise';
import { scanPairs } from './scan-pairs';
import { surnameFrequencies } from './term-frequency';
import type { MatchRecord } from './types';

/** What the main thread sends a worker. */
export interface BatchWorkerInput {
  readonly records: readonly MatchRecord[];
  readonly options: MatchOptions;
  readonly shard: number;
  readonly shards: number;
}

function run(input: BatchWorkerInput): SlotPair[] {
  const prepared = input.records.map(prepareRecord);
  const plan = planBlocks(prepared, { blockRecordsMax, weakBlockRecordsMax });
  const score = scorer(input.options, surnameFrequencies(prepared));
  return [...scanPairs(prepared, plan, score, { shard: input.shard, shards: input.shards })];
}

parentPort?.postMessage(run(workerData as BatchWorkerInput));
