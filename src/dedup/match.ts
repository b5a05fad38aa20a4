// Scoring pairs: the enrolment check against a live index, and the batch scan that walks a
// whole registry once. Both compare a record only with its blocking candidates.
import { comparisons } from './compare';
import { compareRecords } from './compare';
import { planBlocks, sharesBlock } from './block-plan';
import type { BlockSplitStats } from './block-plan';
import { blockRecordsMax, weakBlockRecordsMax } from './dedup-index';
import type { DedupIndex } from './dedup-index';
import defaultModelJson from './default-model.json' with { type: 'json' };
import {
  classifyWeight,
  compileModel,
  defaultThresholds,
  explainLevels,
  weightToProbability,
} from './model';
import type { CompiledModel, MatchModel } from './model';
import { matchWeight } from './model';
import { prepareRecord } from './normalise';
import { bestJointWeightByDate, boundedWeight } from './prefilter';
import type { PreparedRecord } from './normalise';
import { clusterPairs } from './cluster-pairs';
import { scanPairs } from './scan-pairs';
import { surnameFrequencies, surnameFrequencyAdjustment } from './term-frequency';
import type { SurnameFrequencies } from './term-frequency';
import type {
  ExplanationItem,
  MatchOutcome,
  MatchRecord,
  MatchThresholds,
  ScoredPair,
} from './types';

/** The model shipped with Tessera (see default-model.json for how it was trained). */
export const defaultModel: MatchModel = defaultModelJson as MatchModel;

/** Options shared by the enrolment check and the batch scan. */
export interface MatchOptions {
  readonly model?: MatchModel | CompiledModel;
  readonly thresholds?: MatchThresholds;
  /** Also return pairs judged distinct (for evaluation); default false. */
  readonly includeDistinct?: boolean;
  /** Build the per-field explanation; default true. */
  readonly explain?: boolean;
}

/** The result of checking one new record against the registry. */
export interface EnrolmentCheck {
  /** The strongest outcome among the candidates ('distinct' when there is none). */
  readonly outcome: MatchOutcome;
  /** Candidates at or above the possible-duplicate bar, best first. */
  readonly candidates: readonly ScoredPair[];
  /** How many records blocking put forward and were compared. */
  readonly comparedCount: number;
  /** Every block of the record was too big even after splitting: it had no candidate block. */
  readonly withoutBlock: boolean;
}

let defaultCompiled: CompiledModel | undefined;

function compiledOf(model: MatchModel | CompiledModel | undefined): CompiledModel {
  if (model === undefined) return (defaultCompiled ??= compileModel(defaultModel));
  return 'weights' in model ? model : compileModel(model);
}

/** A function that scores one pair under the options (undefined for an unwanted distinct pair). */
export function scorer(
  options: MatchOptions,
  frequencies?: SurnameFrequencies,
): (a: PreparedRecord, b: PreparedRecord) => ScoredPair | undefined {
  const compiled = compiledOf(options.model);
  const thresholds = options.thresholds ?? defaultThresholds;
  const includeDistinct = options.includeDistinct ?? false;
  const explain = options.explain ?? true;
  const levels = new Int8Array(comparisons.length);
  const bestJoint = bestJointWeightByDate(compiled);
  return (a, b) => {
    let weight: number;
    if (includeDistinct) {
      compareRecords(a, b, levels);
      weight = matchWeight(compiled, levels);
    } else {
      const bounded = boundedWeight(
        compiled,
        bestJoint,
        a,
        b,
        levels,
        thresholds.possibleDuplicateWeightMin,
      );
      if (bounded === undefined) return undefined;
      weight = bounded;
    }
    const adjustment = surnameFrequencyAdjustment(compiled, frequencies, a, b, levels);
    weight += adjustment;
    const outcome = classifyWeight(weight, thresholds);
    if (outcome === 'distinct' && !includeDistinct) return undefined;
    return {
      leftId: a.id,
      rightId: b.id,
      matchWeight: Math.round(weight * 100) / 100,
      matchProbability: weightToProbability(weight),
      outcome,
      explanation: explain ? explained(compiled, levels, adjustment) : [],
    };
  };
}

function explained(
  compiled: CompiledModel,
  levels: Int8Array,
  adjustment: number,
): ExplanationItem[] {
  const items = explainLevels(compiled, levels);
  if (adjustment === 0) return items;
  const weight = Math.round(adjustment * 10) / 10;
  return [...items, { comparison: 'surnames', level: 'common surname', weight }];
}

/** Score one pair of records, with its explanation. */
export function scorePair(a: MatchRecord, b: MatchRecord, options: MatchOptions = {}): ScoredPair {
  const score = scorer({ ...options, includeDistinct: true });
  const pair = score(prepareRecord(a), prepareRecord(b));
  if (pair === undefined) throw new Error('unreachable: distinct pairs are included');
  return pair;
}

const outcomeRank: Readonly<Record<MatchOutcome, number>> = {
  same_person: 2,
  possible_duplicate: 1,
  distinct: 0,
};

/**
 * Check a new record against every record in the index before it is committed. The index
 * is not changed: the registry adds the record itself once its decision is taken.
 */
export function checkEnrolment(
  index: DedupIndex,
  record: MatchRecord,
  options: MatchOptions = {},
): EnrolmentCheck {
  const score = scorer(options);
  const prepared = prepareRecord(record);
  const stats = { withoutBlock: false };
  const found = index.candidates(prepared, stats);
  const candidates: ScoredPair[] = [];
  for (const other of found) {
    const pair = score(prepared, other);
    if (pair !== undefined) candidates.push(pair);
  }
  candidates.sort((x, y) => y.matchWeight - x.matchWeight);
  let outcome: MatchOutcome = 'distinct';
  for (const c of candidates)
    if (outcomeRank[c.outcome] > outcomeRank[outcome]) outcome = c.outcome;
  return { outcome, candidates, comparedCount: found.length, withoutBlock: stats.withoutBlock };
}

/** Options of the batch scan. */
export interface BatchOptions extends MatchOptions {
  /** Called every `progressEvery` records with the number done so far. */
  readonly onProgress?: (recordsDone: number) => void;
  readonly progressEvery?: number;
  /** Told, once the blocks are planned, how many were split or left out (see block-plan.ts). */
  readonly onBlocks?: (stats: BlockSplitStats) => void;
}

/**
 * Scan a whole set of records once and yield every scored pair (each pair once, the later
 * record on the left). Blocks are planned over the whole set first (see block-plan.ts);
 * then records that positive pairs link into a small group are compared with each other
 * too (see cluster-pairs.ts). Pairs stream out as they are scored: what is kept grows with
 * the records and the same-person links, never with the pairs compared.
 */
export function* findDuplicatePairs(
  records: Iterable<MatchRecord>,
  options: BatchOptions = {},
): Generator<ScoredPair> {
  const prepared = Array.from(records, prepareRecord);
  const score = scorer(options, surnameFrequencies(prepared));
  const plan = planBlocks(prepared, { blockRecordsMax, weakBlockRecordsMax });
  options.onBlocks?.({
    blocksSplit: plan.blocksSplit,
    blocksDropped: plan.blocksDropped,
    recordsWithoutBlock: plan.recordsWithoutBlock,
  });
  const links: number[] = [];
  const part = {
    shard: 0,
    shards: 1,
    ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
    ...(options.progressEvery === undefined ? {} : { progressEvery: options.progressEvery }),
  };
  for (const hit of scanPairs(prepared, plan, score, part)) {
    if (hit.pair.outcome === 'same_person') links.push(hit.left, hit.right);
    yield hit.pair;
  }
  const preparedAt = (slot: number): PreparedRecord => {
    const r = prepared[slot];
    if (r === undefined) throw new Error(`unreachable: slot ${slot} out of range`);
    return r;
  };
  // A pair that shares a block was scored by the scan (and yielded, unless distinct).
  const isCompared = (left: number, right: number): boolean => sharesBlock(plan, left, right);
  for (const hit of clusterPairs(links, isCompared, preparedAt, score)) yield hit.pair;
}
