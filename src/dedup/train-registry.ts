// `tessera dedup train`: estimate the match model from the deployment's own registry, without
// labels (EM, with u from random pairs; see train-model.ts), and say how it differs from the
// shipped one. Names, mistakes and households differ between countries and between years of
// data entry, so a deployment should see whether the shipped weights fit its registry before
// it trusts them. Training reads a bounded, seeded sample of the registry, never all of it
// at once, and writes nothing but its audit entry: adopting the model is a separate decision.
import { regionsFor } from '../shared/access';
import { appendAudit } from '../privacy';
import type { AppContext, Caller } from '../shared/context';
import { DomainError } from '../shared/errors';
import { seededRandom } from '../shared/random';
import { comparisons } from './compare';
import { defaultModel } from './match';
import { compileModel } from './model';
import type { MatchModel } from './model';
import { matchColumns, matchRecordOf } from './person-record';
import { trainModel } from './train-model';
import type { MatchRecord } from './types';

/** Persons sampled for training unless the caller says otherwise. */
export const trainSampleDefault = 200_000;
const pageRows = 5000;

/** One level whose weight differs between two models, in bits. */
export interface LevelDifference {
  readonly comparison: string;
  readonly level: string;
  readonly shipped: number;
  readonly trained: number;
  readonly difference: number;
}

/** Every level's weight under both models, the largest difference first. */
export function modelDifferences(shipped: MatchModel, trained: MatchModel): LevelDifference[] {
  const a = compileModel(shipped);
  const b = compileModel(trained);
  const round = (x: number): number => Math.round(x * 100) / 100;
  const out: LevelDifference[] = [];
  comparisons.forEach((def, c) =>
    def.levels.forEach((level, l) => {
      const x = a.weights[c]?.[l] ?? 0;
      const y = b.weights[c]?.[l] ?? 0;
      out.push({
        comparison: def.name,
        level,
        shipped: round(x),
        trained: round(y),
        difference: round(y - x),
      });
    }),
  );
  return out.sort((x, y) => Math.abs(y.difference) - Math.abs(x.difference));
}

/** Options of a training run. */
export interface TrainRegistryOptions {
  /** Persons sampled at most (default trainSampleDefault). */
  readonly sampleMax?: number;
  /** Seed of the sample and of the random pairs, for a reproducible model. */
  readonly seed?: number;
  readonly randomPairs?: number;
}

/** What a training run found. */
export interface TrainRegistryReport {
  readonly model: MatchModel;
  readonly personsTotal: number;
  readonly personsSampled: number;
  readonly shippedPrior: number;
  readonly trainedPrior: number;
  readonly differences: LevelDifference[];
}

/** Trains a model on a seeded sample of the registry (national dedup:review needed). */
export async function trainOnRegistry(
  app: AppContext,
  caller: Caller,
  options: TrainRegistryOptions = {},
): Promise<TrainRegistryReport> {
  if (regionsFor(caller.actor, 'dedup:review') !== '*')
    throw new DomainError(
      'FORBIDDEN',
      'Training the match model on the registry needs the permission dedup:review nationally.',
    );
  const sampleMax = options.sampleMax ?? trainSampleDefault;
  if (!Number.isInteger(sampleMax) || sampleMax < 2)
    throw new DomainError(
      'VALIDATION_FAILED',
      'The sample must be a whole number of at least 2 persons.',
      'sample',
    );
  const seed = options.seed ?? 1;
  const random = seededRandom(seed);
  const documentAttribute = app.dedup?.documentAttribute ?? null;
  // Reservoir sampling over the pages: every person equally likely, memory bounded by the sample.
  const sample: MatchRecord[] = [];
  let seen = 0;
  let after = '';
  for (;;) {
    const page = await app.db.kysely
      .selectFrom('persons')
      .select(matchColumns)
      .where('id', '>', after)
      .where('status', '!=', 'merged')
      .orderBy('id')
      .limit(pageRows)
      .execute();
    for (const row of page) {
      seen++;
      const record = matchRecordOf(row, documentAttribute);
      if (sample.length < sampleMax) sample.push(record);
      else {
        const at = Math.floor(random() * seen);
        if (at < sampleMax) sample[at] = record;
      }
    }
    const last = page.at(-1);
    if (!last || page.length < pageRows) break;
    after = last.id;
  }
  if (sample.length < 2)
    throw new DomainError(
      'VALIDATION_FAILED',
      'The registry holds too few persons to train a model on.',
    );
  const model = trainModel(sample, {
    random,
    trainedOn: `EM on ${sample.length} of ${seen} persons of this registry, unlabelled; u from random pairs; seed ${seed}`,
    ...(options.randomPairs === undefined ? {} : { randomPairs: options.randomPairs }),
  });
  await appendAudit(app.db.kysely, app, caller, {
    operation: 'dedup.train',
    permission: 'dedup:review',
    details: { personsSampled: sample.length, personsTotal: seen, seed },
  });
  return {
    model,
    personsTotal: seen,
    personsSampled: sample.length,
    shippedPrior: defaultModel.priorMatchProbability,
    trainedPrior: model.priorMatchProbability,
    differences: modelDifferences(defaultModel, model),
  };
}
