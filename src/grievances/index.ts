// The grievances domain's public surface: complaints and appeals — filed in the portal, at an
// office or by SMS with a receipt's complaint code — routed by region with a target date per
// category, resolved with a reason, appealed to someone else, and counted (never listed) for
// the exclusion monitor. Programme eligibility cannot see any of it: programmes sit below this
// domain and do not import it.
import { defineModule } from '../module';
import { exclusionComplaintsByRegion } from './aggregates';
import { grievancesAuditOperations } from './audit-operations';
import { registerGrievancesCommands } from './cli';
import { grievancesInitial } from './migrations';
import { grievancesPermissions } from './permissions';
import { grievancesRoutes } from './routes';

export { grievancesPermissions } from './permissions';
export { grievancesAuditOperations } from './audit-operations';
export {
  appealGrievance,
  appealOwnGrievance,
  decideAppeal,
  fileGrievance,
  fileGrievanceBySms,
  getGrievance,
  grievanceInput,
  appealInput,
  insertGrievance,
  listGrievances,
  ownGrievance,
  ownGrievances,
  resolveGrievance,
  reviewGrievance,
  type Grievance,
  type GrievanceDetail,
  type GrievanceInput,
  type IncomingSms,
} from './grievances';
export {
  grievanceAggregates,
  exclusionComplaintsByRegion,
  type GrievanceAggregates,
} from './aggregates';
export { describeLink, linkKinds, type LinkView } from './links';
export { readReference, referenceAlphabet } from './reference';
export {
  configureGrievanceTargets,
  grievanceCategories,
  grievanceTargets,
  parseTargetDays,
  targetDaysDefault,
  type GrievanceCategory,
} from './settings';

/** The grievances domain, as the module list wires it. */
export const grievancesModule = defineModule({
  name: 'grievances',
  migrations: { '2026-12-10-01-grievances': grievancesInitial },
  routes: grievancesRoutes,
  commands: registerGrievancesCommands,
  permissions: grievancesPermissions,
  auditOperations: grievancesAuditOperations,
  connect: (app) => {
    app.grievanceSignals = { exclusionComplaintsByRegion };
  },
});
