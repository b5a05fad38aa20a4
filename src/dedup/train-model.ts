// Training a model. Like Splink: u (how often different people agree by chance) comes
// from random pairs, and m (how often the same person agrees with themself) from
// expectation–maximisation over the unlabelled pairs that blocking puts together. No
// labels are read. `estimateFromLabels` is the supervised alternative, for comparison.
import { comparisons, compareRecords, nullLevel } from './compare';
import { earlierCandidates, planBlocks } from './block-plan';
import type { BlockCaps } from './block-plan';
import { blockRecordsMax, weakBlockRecordsMax } from './dedup-index';
import type { MatchModel, ModelLevel } from './model';
import { prepareRecord } from './normalise';
import type { PreparedRecord } from './normalise';
import type { MatchRecord } from './types';

/** Options of EM training. */
export interface TrainOptions {
  /** Uniform random numbers in [0, 1); pass a seeded generator for a reproducible model. */
  readonly random: () => number;
  /** Text stored in the model to say what it was trained on. */
  readonly trainedOn: string;
  readonly randomPairs?: number;
  readonly iterationsMax?: number;
  /** Re-estimate u on the blocked pairs as well (default false: u from random pairs only). */
  readonly estimateU?: boolean;
}

const randomPairsDefault = 1_000_000;
const iterationsMaxDefault = 40;
/**
 * Share of a class's total added to every level, spread evenly, so that no probability is
 * exactly zero and a level seen in neither class gets a weight near zero.
 */
const smoothingShare = 1e-3;

interface PatternCounts {
  readonly patterns: Int8Array[];
  readonly counts: number[];
}

function countPatterns(pairs: Iterable<readonly [PreparedRecord, PreparedRecord]>): PatternCounts {
  const byKey = new Map<string, number>();
  const patterns: Int8Array[] = [];
  const counts: number[] = [];
  const levels = new Int8Array(comparisons.length);
  for (const [a, b] of pairs) {
    compareRecords(a, b, levels);
    const key = levels.join(',');
    const at = byKey.get(key);
    if (at !== undefined) counts[at] = (counts[at] ?? 0) + 1;
    else {
      byKey.set(key, patterns.length);
      patterns.push(Int8Array.from(levels));
      counts.push(1);
    }
  }
  return { patterns, counts };
}

/** The pairs the batch scan compares: the same blocks, so the model learns on what it scores. */
function* blockedPairs(
  prepared: readonly PreparedRecord[],
  caps: BlockCaps = { blockRecordsMax, weakBlockRecordsMax },
): Generator<readonly [PreparedRecord, PreparedRecord]> {
  const plan = planBlocks(prepared, caps);
  const stamp = new Int32Array(prepared.length);
  const found = new Int32Array(prepared.length);
  for (const [i, r] of prepared.entries()) {
    const count = earlierCandidates(plan, i, stamp, found);
    for (let c = 0; c < count; c++) {
      const other = prepared[found[c] ?? 0];
      if (other !== undefined) yield [r, other];
    }
  }
}

function* randomPairs(
  prepared: readonly PreparedRecord[],
  n: number,
  random: () => number,
): Generator<readonly [PreparedRecord, PreparedRecord]> {
  for (let k = 0; k < n; k++) {
    const a = prepared[Math.floor(random() * prepared.length)];
    const b = prepared[Math.floor(random() * prepared.length)];
    if (a !== undefined && b !== undefined && a !== b) yield [a, b];
  }
}

/** Level frequencies per comparison, weighted, smoothed and normalised. */
function frequencies(counts: PatternCounts, weightOf: (i: number) => number): number[][] {
  const freq = comparisons.map((c) => c.levels.map(() => 0));
  counts.patterns.forEach((p, i) => {
    const w = weightOf(i);
    for (let c = 0; c < comparisons.length; c++) {
      const level = p[c] ?? nullLevel;
      const row = freq[c];
      if (level !== nullLevel && row !== undefined) row[level] = (row[level] ?? 0) + w;
    }
  });
  return freq.map((row) => {
    const observed = row.reduce((s, x) => s + x, 0);
    const pseudo = (Math.max(observed, 1) * smoothingShare) / row.length;
    return row.map((x) => (x + pseudo) / (observed + pseudo * row.length));
  });
}

function initialM(): number[][] {
  return comparisons.map((c) => {
    const raw = c.levels.map((_, l) => (l === c.levels.length - 1 ? 0.02 : 0.5 ** l));
    const total = raw.reduce((s, x) => s + x, 0);
    return raw.map((x) => x / total);
  });
}

function buildModel(m: number[][], u: number[][], prior: number, trainedOn: string): MatchModel {
  const round = (x: number): number => Number(x.toPrecision(6));
  return {
    version: 1,
    trainedOn,
    priorMatchProbability: round(prior),
    comparisons: comparisons.map((c, ci) => ({
      name: c.name,
      levels: c.levels.map((label, l): ModelLevel => ({
        label,
        m: round(m[ci]?.[l] ?? 0),
        u: round(u[ci]?.[l] ?? 0),
      })),
    })),
  };
}

function posterior(pattern: Int8Array, m: number[][], u: number[][], prior: number): number {
  let lm = Math.log(prior);
  let lu = Math.log(1 - prior);
  for (let c = 0; c < comparisons.length; c++) {
    const level = pattern[c] ?? nullLevel;
    if (level === nullLevel) continue;
    lm += Math.log(m[c]?.[level] ?? 1);
    lu += Math.log(u[c]?.[level] ?? 1);
  }
  return 1 / (1 + Math.exp(lu - lm));
}

/** Train a model by EM on unlabelled records. */
export function trainModel(records: readonly MatchRecord[], options: TrainOptions): MatchModel {
  const prepared = records.map(prepareRecord);
  const uCounts = countPatterns(
    randomPairs(prepared, options.randomPairs ?? randomPairsDefault, options.random),
  );
  let u = frequencies(uCounts, (i) => uCounts.counts[i] ?? 0);
  const blocked = countPatterns(blockedPairs(prepared));
  const blockedTotal = blocked.counts.reduce((s, x) => s + x, 0);
  // EM runs on the blocked pairs together with the random ones. On blocked pairs alone
  // it can settle on "every pair is a match" when blocking is good (most pairs are then
  // true duplicates), and m soaks up the disagreements of the few non-matches; random
  // pairs anchor the non-match class.
  const mixed: PatternCounts = {
    patterns: [...blocked.patterns, ...uCounts.patterns],
    counts: [...blocked.counts, ...uCounts.counts],
  };
  const total = mixed.counts.reduce((s, x) => s + x, 0);
  let m = initialM();
  let prior = 0.1;
  let p: number[] = [];
  const iterations = options.iterationsMax ?? iterationsMaxDefault;
  for (let it = 0; it < iterations; it++) {
    p = mixed.patterns.map((pattern) => posterior(pattern, m, u, prior));
    const matched = p.reduce((s, x, i) => s + x * (mixed.counts[i] ?? 0), 0);
    const nextPrior = Math.min(0.99, Math.max(1e-6, matched / total));
    m = frequencies(mixed, (i) => (p[i] ?? 0) * (mixed.counts[i] ?? 0));
    if (options.estimateU === true)
      u = frequencies(mixed, (i) => (1 - (p[i] ?? 0)) * (mixed.counts[i] ?? 0));
    const converged = Math.abs(nextPrior - prior) < 1e-7;
    prior = nextPrior;
    if (converged) break;
  }
  // The stored prior is that of a blocked pair, the pairs the model will score.
  let blockedMatched = 0;
  for (let i = 0; i < blocked.patterns.length; i++)
    blockedMatched += (p[i] ?? 0) * (blocked.counts[i] ?? 0);
  prior = Math.min(0.99, Math.max(1e-6, blockedMatched / Math.max(1, blockedTotal)));
  return buildModel(m, u, prior, options.trainedOn);
}

/**
 * The caps of the strong keys alone (a weak block of one record compares nothing). Their
 * non-matches are the hard ones (households, twins, namesakes); the many easy non-matches
 * that weak keys add would lower u for partial agreements and so inflate their weights.
 */
const strongKeysOnly: BlockCaps = { blockRecordsMax, weakBlockRecordsMax: 1 };

/**
 * Estimate m, u and the prior by counting over the blocked pairs of labelled records: m
 * and the prior over every blocked pair, u over the non-matches of the strong keys only.
 */
export function estimateFromLabels(
  records: readonly MatchRecord[],
  isSamePerson: (leftId: string, rightId: string) => boolean,
  trainedOn: string,
): MatchModel {
  const prepared = records.map(prepareRecord);
  const same: (readonly [PreparedRecord, PreparedRecord])[] = [];
  let differentCount = 0;
  for (const pair of blockedPairs(prepared)) {
    if (isSamePerson(pair[0].id, pair[1].id)) same.push(pair);
    else differentCount++;
  }
  const hardDifferent: (readonly [PreparedRecord, PreparedRecord])[] = [];
  for (const pair of blockedPairs(prepared, strongKeysOnly))
    if (!isSamePerson(pair[0].id, pair[1].id)) hardDifferent.push(pair);
  const mCounts = countPatterns(same);
  const uCounts = countPatterns(hardDifferent);
  const m = frequencies(mCounts, (i) => mCounts.counts[i] ?? 0);
  const u = frequencies(uCounts, (i) => uCounts.counts[i] ?? 0);
  return buildModel(m, u, same.length / Math.max(1, same.length + differentCount), trainedOn);
}
