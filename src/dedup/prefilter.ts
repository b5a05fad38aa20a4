// A cheap bound before the costly comparison. Given names are compared last: the other
// fields are integer or short-string checks, and with the birth date known the given-name
// comparison can add at most the best weight of its date column. When even that cannot
// lift a pair to the possible-duplicate bar, the pair is distinct whatever its given
// names, and the comparison is skipped. The result is exactly the full score's outcome.
import {
  birthDateLevels,
  compareBirthDates,
  comparisons,
  givenNameLevels,
  nullLevel,
} from './compare';
import type { CompiledModel } from './model';
import type { PreparedRecord } from './normalise';

const jointIndex = comparisons.findIndex((c) => c.name === 'given_names_and_birth_date');
/** The joint levels are rows (given-name levels, then 'missing') by columns (date levels, then 'missing'). */
const dateColumns = birthDateLevels.length + 1;
const givenRows = givenNameLevels.length + 1;

/** The best weight the joint comparison can reach in each date column. */
export function bestJointWeightByDate(compiled: CompiledModel): Float64Array {
  const weights = compiled.weights[jointIndex] ?? new Float64Array(0);
  const best = new Float64Array(dateColumns);
  for (let col = 0; col < dateColumns; col++) {
    // Without a date, a pair that lacks a given name too gets no joint level: weight 0.
    let max = col === dateColumns - 1 ? 0 : -Infinity;
    for (let row = 0; row < givenRows; row++)
      max = Math.max(max, weights[row * dateColumns + col] ?? 0);
    best[col] = max;
  }
  return best;
}

/**
 * Fill `levels` and return the match weight, or undefined when the pair cannot reach
 * `weightMin` (the given names are then left uncompared).
 */
export function boundedWeight(
  compiled: CompiledModel,
  bestJoint: Float64Array,
  a: PreparedRecord,
  b: PreparedRecord,
  levels: Int8Array,
  weightMin: number,
): number | undefined {
  let w = compiled.priorWeight;
  for (let c = 0; c < comparisons.length; c++) {
    if (c === jointIndex) continue;
    const level = comparisons[c]?.compare(a, b) ?? nullLevel;
    levels[c] = level;
    if (level !== nullLevel) w += compiled.weights[c]?.[level] ?? 0;
  }
  const d = compareBirthDates(a, b);
  const col = d === nullLevel ? dateColumns - 1 : d;
  if (w + (bestJoint[col] ?? 0) < weightMin) return undefined;
  const joint = comparisons[jointIndex]?.compare(a, b) ?? nullLevel;
  levels[jointIndex] = joint;
  return joint === nullLevel ? w : w + (compiled.weights[jointIndex]?.[joint] ?? 0);
}
