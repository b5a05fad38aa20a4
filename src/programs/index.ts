// The programmes domain's public surface: programmes and their versions, the eligibility rule
// language, cycles (freeze, generate, approve, close), entitlements and their pauses,
// payments of cash cycles to wallets, the exclusion monitor and the retention of detail.
import { defineModule } from '../module';
import { programsAuditOperations } from './audit-operations';
import { registerProgramsCommands } from './cli';
import { loadProgramsDemo } from './demo';
import { voidEntitlementsOnLifeEvent } from './entitlements';
import { programsInitial } from './migrations';
import { programsPermissions } from './permissions';
import { retentionJob } from './retention';
import { programsRoutes } from './routes';

export {
  createProgramme,
  changeProgramme,
  getProgramme,
  listProgrammes,
  loadProgramme,
  loadVersion,
} from './programmes';
export type { Programme, ProgrammeVersion } from './programmes';
export {
  createCycle,
  freezeCycle,
  approveCycle,
  closeCycle,
  cancelCycle,
  getCycle,
} from './cycles';
export { generateEntitlements, generationSql, generationSliceRows } from './generate-entitlements';
export {
  entitlementState,
  entitlementId,
  parseEntitlementId,
  loadEntitlements,
  personEntitlements,
  pauseEntitlements,
  resumeEntitlements,
  type EntitlementState,
  type EntitlementView,
} from './entitlements';
export { exclusionReport, exclusionMeasures, type ExclusionReport } from './exclusion-report';
export { payCycle, walletAccountId, paymentTransferId } from './payments';
export { payoutBatchFromCycle, cyclePayoutInput } from './payouts-from-cycle';
export { reduceExpiredDetail } from './retention';
export { dryRunRule } from './dry-run';
export { cashAmount, type ProgrammeInput } from './programme-input';
export { programsPermissions } from './permissions';
export type { GrievanceSignals } from './grievance-signals';
export { programsAuditOperations } from './audit-operations';

/** The programmes domain, as the module list wires it. */
export const programsModule = defineModule({
  name: 'programs',
  migrations: { '2026-12-04-01-programs': programsInitial },
  routes: programsRoutes,
  commands: registerProgramsCommands,
  permissions: programsPermissions,
  auditOperations: programsAuditOperations,
  lifeEventHooks: [voidEntitlementsOnLifeEvent],
  jobs: [retentionJob],
  loadDemo: loadProgramsDemo,
});
