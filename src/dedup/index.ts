// Public surface of the duplicate-detection library. The registry keeps a DedupIndex up
// to date and calls checkEnrolment before committing a person; the batch job calls
// findDuplicatePairs. Nothing here touches storage, the clock or randomness.
export type {
  MatchRecord,
  MatchOutcome,
  ScoredPair,
  ExplanationItem,
  MatchThresholds,
} from './types';
export {
  foldText,
  normaliseGivenNames,
  normaliseSurname,
  prepareRecord,
  parseBirthDate,
  normalisePhone,
  normaliseDocument,
} from './normalise';
export type { PreparedRecord } from './normalise';
export { knownNicknames, nicknameTargets } from './nicknames';
export { spanishPhonetic } from './phonetic';
export { jaroWinkler, damerauLevenshtein } from './similarity';
export { comparisons, compareRecords, namesSwapped, nullLevel } from './compare';
export type { Comparison } from './compare';
export { blockingKeys, blockingKeyTexts } from './blocking';
export { createDedupIndex, blockRecordsMax, weakBlockRecordsMax } from './dedup-index';
export { clusterRecordsMax } from './cluster-pairs';
export { batchThreadsMax, findDuplicatePairsInParallel } from './find-duplicates-parallel';
export type { ParallelBatchOptions } from './find-duplicates-parallel';
export type { DedupIndex } from './dedup-index';
export {
  compileModel,
  defaultThresholds,
  classifyWeight,
  explainLevels,
  formatExplanation,
  matchWeight,
  weightToProbability,
} from './model';
export type { MatchModel, ModelLevel, CompiledModel } from './model';
export { checkEnrolment, defaultModel, findDuplicatePairs, scorePair } from './match';
export type { BatchOptions, EnrolmentCheck, MatchOptions } from './match';
export { estimateFromLabels, trainModel } from './train-model';
export type { TrainOptions } from './train-model';
export { findCandidates } from './enrolment-check';
export { matchColumns, matchRecordOf } from './person-record';
export { personRowOf } from './stored-record';
export { readKeyPage } from './block-scan';
export { keyRowsOf, storedCandidates } from './stored-keys';
export { runDedupBatch } from './batch-run';
export { planBlocks } from './block-plan';
export { scanPairs } from './scan-pairs';
export { scorer } from './match';
export { pairKey } from './store';
export { dedupAuditOperations } from './audit-operations';
export { dedupPermissions } from './permissions';

export { registerDedupCommands } from './cli-dedup';
export { registerDedup } from './register-dedup';

import { defineModule } from '../module';
import { dedupAuditOperations } from './audit-operations';
import { registerDedupCommands } from './cli-dedup';
import { dedupBlockKeys, dedupCoveringKeys, dedupInitial } from './migrations';
import { dedupPermissions } from './permissions';
import { registerDedup } from './register-dedup';
import { dedupRoutes } from './routes';
import { dedupLifeEventHook } from './service';
import { keyRegistry } from './stored-keys';

/** The dedup domain, as the module list wires it. */
export const dedupModule = defineModule({
  name: 'dedup',
  migrations: {
    '2026-11-30-03-dedup': dedupInitial,
    '2026-12-11-01-dedup-block-keys': dedupBlockKeys,
    '2026-12-12-01-dedupscan-covering-keys': dedupCoveringKeys,
  },
  routes: dedupRoutes,
  commands: registerDedupCommands,
  permissions: dedupPermissions,
  auditOperations: dedupAuditOperations,
  lifeEventHooks: [dedupLifeEventHook],
  connect: registerDedup,
  // The demo registry is written without screening: key it now, so that the first enrolment
  // finds its people and has no backlog to key.
  loadDemo: async (app) => {
    const { keyed } = await keyRegistry(app.db, app.dedup?.documentAttribute ?? null);
    return keyed > 0 ? [`duplicate screening: ${keyed} demo persons keyed`] : [];
  },
});
