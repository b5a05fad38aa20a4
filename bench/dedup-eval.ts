// Pairwise evaluation of the matcher on a labelled set: every pair that blocking compares
// is scored once, and the decisions are checked against the truth.
import { findDuplicatePairs } from '../src/dedup/index';
import type { MatchOptions, ScoredPair } from '../src/dedup/index';
import type { LabelledSet } from './dedup-data';

/** Figures printed for each file; the last line of `--file` is this object as JSON. */
export interface Evaluation {
  readonly file: string;
  readonly records: number;
  readonly truePairs: number;
  readonly pairsCompared: number;
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
  readonly autoPrecision: number;
  readonly autoRecall: number;
  readonly blockingMissRate: number;
  readonly recordsPerSecond: number;
  readonly falsePositives: number;
  readonly falseNegatives: number;
  /** Blocks too big for their cap, split by a further field; parts still too big, left out. */
  readonly blocksSplit: number;
  readonly blocksDropped: number;
  /** Records whose every block was left out (no candidate at all). */
  readonly recordsWithoutBlock: number;
}

function truePairCount(set: LabelledSet): number {
  const sizes = new Map<string, number>();
  for (const r of set.records) {
    const p = set.personOf.get(r.id) ?? r.id;
    sizes.set(p, (sizes.get(p) ?? 0) + 1);
  }
  let n = 0;
  for (const s of sizes.values()) n += (s * (s - 1)) / 2;
  return n;
}

const round = (x: number): number => Math.round(x * 10_000) / 10_000;

/** Evaluate pairwise decisions; `onPair` sees every compared pair with its truth (for error listings). */
export function evaluate(
  set: LabelledSet,
  options: MatchOptions,
  now: () => number,
  onPair?: (pair: ScoredPair, isSame: boolean) => void,
): Evaluation {
  const truePairs = truePairCount(set);
  let compared = 0;
  let trueCompared = 0;
  let tp = 0;
  let fp = 0;
  let autoTp = 0;
  let autoFp = 0;
  const started = now();
  let blocks = { blocksSplit: 0, blocksDropped: 0, recordsWithoutBlock: 0 };
  for (const pair of findDuplicatePairs(set.records, {
    ...options,
    includeDistinct: true,
    explain: onPair !== undefined,
    onBlocks: (stats) => (blocks = { ...stats }),
  })) {
    compared++;
    const isSame = set.personOf.get(pair.leftId) === set.personOf.get(pair.rightId);
    if (isSame) trueCompared++;
    if (pair.outcome !== 'distinct') {
      if (isSame) tp++;
      else fp++;
    }
    if (pair.outcome === 'same_person') {
      if (isSame) autoTp++;
      else autoFp++;
    }
    onPair?.(pair, isSame);
  }
  const seconds = (now() - started) / 1000;
  const precision = tp + fp === 0 ? 1 : tp / (tp + fp);
  const recall = truePairs === 0 ? 1 : tp / truePairs;
  return {
    file: set.name,
    records: set.records.length,
    truePairs,
    pairsCompared: compared,
    precision: round(precision),
    recall: round(recall),
    f1: round(precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall)),
    autoPrecision: round(autoTp + autoFp === 0 ? 1 : autoTp / (autoTp + autoFp)),
    autoRecall: round(truePairs === 0 ? 1 : autoTp / truePairs),
    blockingMissRate: round(truePairs === 0 ? 0 : 1 - trueCompared / truePairs),
    recordsPerSecond: Math.round(set.records.length / Math.max(seconds, 1e-9)),
    falsePositives: fp,
    falseNegatives: truePairs - tp,
    ...blocks,
  };
}
