// The Fellegi–Sunter model: for every comparison level, m = P(level | same person) and
// u = P(level | different people). A level's weight is log2(m/u); a pair's match weight is
// the prior's log-odds plus the weights of its levels. The model is plain JSON so that it
// can be stored, reviewed and diffed.
import { birthDateLevels, comparisons, givenNameLevels, nullLevel } from './compare';
import type { ExplanationItem, MatchOutcome, MatchThresholds } from './types';

/** One level of one comparison in a stored model. */
export interface ModelLevel {
  readonly label: string;
  readonly m: number;
  readonly u: number;
}

/** A stored Fellegi–Sunter model. */
export interface MatchModel {
  readonly version: 1;
  /** How and on what the model was trained, for the reader of the file. */
  readonly trainedOn: string;
  /** Prior probability that a compared (blocked) pair is the same person. */
  readonly priorMatchProbability: number;
  readonly comparisons: readonly {
    readonly name: string;
    readonly levels: readonly ModelLevel[];
  }[];
}

/** A model compiled for scoring: weights per comparison and level. */
export interface CompiledModel {
  readonly model: MatchModel;
  readonly priorWeight: number;
  /** weights[c][level] in bits. */
  readonly weights: readonly Float64Array[];
}

/** Weights are clamped so that one field can never decide a pair on its own beyond this. */
const levelWeightAbsMax = 16;
const probabilityMin = 1e-6;

function log2Ratio(m: number, u: number): number {
  const w = Math.log2(Math.max(m, probabilityMin) / Math.max(u, probabilityMin));
  return Math.max(-levelWeightAbsMax, Math.min(levelWeightAbsMax, w));
}

/** Check a model against the comparison definitions and compile it; throws on a mismatch. */
export function compileModel(model: MatchModel): CompiledModel {
  if (model.version !== 1)
    throw new Error(`unsupported match model version ${String(model.version)}`);
  if (model.comparisons.length !== comparisons.length)
    throw new Error('match model does not fit the comparisons');
  const weights = comparisons.map((def, c) => {
    const stored = model.comparisons[c];
    if (stored?.name !== def.name || stored.levels.length !== def.levels.length) {
      throw new Error(`match model comparison ${c} is not ${def.name}`);
    }
    return Float64Array.from(stored.levels, (l, i) => {
      if (l.label !== def.levels[i])
        throw new Error(`match model level ${def.name}/${l.label} is unknown`);
      return log2Ratio(l.m, l.u);
    });
  });
  const joint = comparisons.findIndex((def) => def.name === 'given_names_and_birth_date');
  const jointWeights = weights[joint];
  const jointStored = model.comparisons[joint];
  if (jointWeights !== undefined && jointStored !== undefined)
    weighMissingAsUnknown(jointStored.levels, jointWeights);
  const p = model.priorMatchProbability;
  return { model, priorWeight: Math.log2(p / (1 - p)), weights };
}

/**
 * In the joint given-name and birth-date comparison, a missing date must say nothing about
 * the date: the pair then weighs what its given names alone weigh, P(given level | same) /
 * P(given level | different) over the pairs that have both dates, and a missing given name
 * likewise leaves the date's own weight. The 'missing' levels' stored m and u are not used
 * for this, since how often a field is missing differs between duplicates and strangers (a
 * second enrolment is often sparser), which would make a missing date weigh like a mismatch.
 */
function weighMissingAsUnknown(levels: readonly ModelLevel[], weights: Float64Array): void {
  const columns = birthDateLevels.length + 1;
  const rows = givenNameLevels.length + 1;
  const at = (row: number, col: number): ModelLevel | undefined => levels[row * columns + col];
  const marginal = (cells: (ModelLevel | undefined)[], of: (ModelLevel | undefined)[]) => {
    const sum = (list: (ModelLevel | undefined)[], key: 'm' | 'u') =>
      list.reduce((total, l) => total + (l?.[key] ?? 0), 0);
    return log2Ratio(sum(cells, 'm') / sum(of, 'm'), sum(cells, 'u') / sum(of, 'u'));
  };
  const known = (row: number) => Array.from({ length: columns - 1 }, (_, col) => at(row, col));
  const allKnown = Array.from({ length: rows - 1 }, (_, row) => known(row)).flat();
  for (let row = 0; row < rows - 1; row++)
    weights[row * columns + columns - 1] = marginal(known(row), allKnown);
  for (let col = 0; col < columns - 1; col++) {
    const cells = Array.from({ length: rows - 1 }, (_, row) => at(row, col));
    weights[(rows - 1) * columns + col] = marginal(cells, allKnown);
  }
}

/** The match weight in bits of a pair whose levels are given. */
export function matchWeight(compiled: CompiledModel, levels: Int8Array): number {
  let w = compiled.priorWeight;
  for (let c = 0; c < compiled.weights.length; c++) {
    const level = levels[c] ?? nullLevel;
    if (level !== nullLevel) w += compiled.weights[c]?.[level] ?? 0;
  }
  return w;
}

/** The probability that corresponds to a match weight. */
export function weightToProbability(weight: number): number {
  return 1 / (1 + 2 ** -weight);
}

/** The reasons for a score, strongest first, leaving out fields that were missing. */
export function explainLevels(compiled: CompiledModel, levels: Int8Array): ExplanationItem[] {
  const items: ExplanationItem[] = [];
  for (let c = 0; c < comparisons.length; c++) {
    const level = levels[c] ?? nullLevel;
    const def = comparisons[c];
    if (level === nullLevel || def === undefined) continue;
    const weight = Math.round((compiled.weights[c]?.[level] ?? 0) * 10) / 10;
    items.push({ comparison: def.name, level: def.levels[level] ?? String(level), weight });
  }
  return items.sort((x, y) => Math.abs(y.weight) - Math.abs(x.weight));
}

/** Explanation as one line: "document_number exact +9.1, given_names typo or phonetic +2.3, …". */
export function formatExplanation(items: readonly ExplanationItem[]): string {
  return items
    .map((i) => `${i.comparison} ${i.level} ${i.weight >= 0 ? '+' : ''}${i.weight.toFixed(1)}`)
    .join(', ');
}

/**
 * Default thresholds, in bits. Automatic "same person" needs odds of about 2^12 to 1 —
 * a false merge takes benefits from a real person, so the bar sits high and doubtful
 * pairs go to a human reviewer instead. A pair goes to review once it is more likely the
 * same person than not (odds 1:1); the default model counts u over the hard non-matches
 * (households, twins, namesakes), so its weights are already conservative.
 */
export const defaultThresholds: MatchThresholds = {
  samePersonWeightMin: 12,
  possibleDuplicateWeightMin: 0,
};

/** The outcome a weight leads to under the given thresholds. */
export function classifyWeight(weight: number, thresholds: MatchThresholds): MatchOutcome {
  if (weight >= thresholds.samePersonWeightMin) return 'same_person';
  if (weight >= thresholds.possibleDuplicateWeightMin) return 'possible_duplicate';
  return 'distinct';
}
