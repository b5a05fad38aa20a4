// Scoring pairs: the enrolment check against a live index, and the batch scan that walks a
// whole registry once. Both compare a record only with its blocking candidates.
import { comparisons } from './compare';
import { compareRecords } from './compare';
import { createDedupIndex } from './dedup-index';
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
import type { PreparedRecord } from './normalise';
import type { MatchOutcome, MatchRecord, MatchThresholds, ScoredPair } from './types';

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
}

let defaultCompiled: CompiledModel | undefined;

function compiledOf(model: MatchModel | CompiledModel | undefined): CompiledModel {
  if (model === undefined) return (defaultCompiled ??= compileModel(defaultModel));
  return 'weights' in model ? model : compileModel(model);
}

function scorer(
  options: MatchOptions,
): (a: PreparedRecord, b: PreparedRecord) => ScoredPair | undefined {
  const compiled = compiledOf(options.model);
  const thresholds = options.thresholds ?? defaultThresholds;
  const includeDistinct = options.includeDistinct ?? false;
  const explain = options.explain ?? true;
  const levels = new Int8Array(comparisons.length);
  return (a, b) => {
    compareRecords(a, b, levels);
    const weight = matchWeight(compiled, levels);
    const outcome = classifyWeight(weight, thresholds);
    if (outcome === 'distinct' && !includeDistinct) return undefined;
    return {
      leftId: a.id,
      rightId: b.id,
      matchWeight: Math.round(weight * 100) / 100,
      matchProbability: weightToProbability(weight),
      outcome,
      explanation: explain ? explainLevels(compiled, levels) : [],
    };
  };
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
  const found = index.candidates(prepared);
  const candidates: ScoredPair[] = [];
  for (const other of found) {
    const pair = score(prepared, other);
    if (pair !== undefined) candidates.push(pair);
  }
  candidates.sort((x, y) => y.matchWeight - x.matchWeight);
  let outcome: MatchOutcome = 'distinct';
  for (const c of candidates)
    if (outcomeRank[c.outcome] > outcomeRank[outcome]) outcome = c.outcome;
  return { outcome, candidates, comparedCount: found.length };
}

/** Options of the batch scan. */
export interface BatchOptions extends MatchOptions {
  /** Called every `progressEvery` records with the number done so far. */
  readonly onProgress?: (recordsDone: number) => void;
  readonly progressEvery?: number;
}

/**
 * Scan a whole set of records once and yield every scored pair (each pair once, the later
 * record on the left). It builds its own index, so memory grows with the input.
 */
export function* findDuplicatePairs(
  records: Iterable<MatchRecord>,
  options: BatchOptions = {},
): Generator<ScoredPair> {
  const score = scorer(options);
  const index = createDedupIndex();
  const every = options.progressEvery ?? 100_000;
  let done = 0;
  for (const record of records) {
    const prepared = prepareRecord(record);
    for (const other of index.candidates(prepared)) {
      const pair = score(prepared, other);
      if (pair !== undefined) yield pair;
    }
    index.addPrepared(prepared);
    done++;
    if (options.onProgress !== undefined && done % every === 0) options.onProgress(done);
  }
}
