// Term-frequency adjustment of surname agreement, as Splink does: two people called Green
// agree on their surname far more often by chance than two called Tylkowski, so exact
// agreement on a common surname is worth less than the level's average. The adjustment
// only ever lowers a weight (a false merge costs more than a missed one), which also
// keeps the prefilter's bound valid.
import { comparisons, nullLevel } from './compare';
import type { CompiledModel } from './model';
import type { PreparedRecord } from './normalise';

/** How often each surname occurs among the records being matched. */
export interface SurnameFrequencies {
  readonly counts: ReadonlyMap<string, number>;
  /** Surname occurrences counted. */
  readonly total: number;
}

/** Count the surnames of a set of prepared records. */
export function surnameFrequencies(records: Iterable<PreparedRecord>): SurnameFrequencies {
  const counts = new Map<string, number>();
  let total = 0;
  for (const r of records)
    for (const s of r.surnames) {
      if (s === '') continue;
      counts.set(s, (counts.get(s) ?? 0) + 1);
      total++;
    }
  return { counts, total };
}

const surnamesIndex = comparisons.findIndex((c) => c.name === 'surnames');
/** Surname levels of exact agreement on a single surname ('one agrees exactly, other missing'). */
const singleExactLevel =
  comparisons[surnamesIndex]?.levels.indexOf('one agrees exactly, other missing') ?? -1;

/** The surname both records share exactly, when the level says exactly one agrees. */
function sharedSurname(a: PreparedRecord, b: PreparedRecord): string {
  for (const s of a.surnames)
    if (s !== '' && (b.surnames[0] === s || b.surnames[1] === s)) return s;
  return '';
}

/** The level's chance agreement u, from the stored model. */
function levelU(compiled: CompiledModel, level: number): number {
  return compiled.model.comparisons[surnamesIndex]?.levels[level]?.u ?? 0;
}

/**
 * The adjustment in bits (≤ 0) for a pair at `levels`: log2(u / frequency of the shared
 * surname) when one surname agrees exactly and the surname is commoner than u says.
 */
export function surnameFrequencyAdjustment(
  compiled: CompiledModel,
  frequencies: SurnameFrequencies | undefined,
  a: PreparedRecord,
  b: PreparedRecord,
  levels: Int8Array,
): number {
  if (frequencies === undefined || frequencies.total === 0) return 0;
  const level = levels[surnamesIndex] ?? nullLevel;
  if (level !== singleExactLevel) return 0;
  const shared = sharedSurname(a, b);
  const count = frequencies.counts.get(shared) ?? 0;
  if (count === 0) return 0;
  const u = levelU(compiled, level);
  if (u <= 0) return 0;
  return Math.min(0, Math.log2(u / (count / frequencies.total)));
}
