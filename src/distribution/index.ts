// The distribution domain's public surface: points of service and their operators, devices and
// their keys, stock, redemption with every proof kind (card, one-time code, attested document,
// nominee), and the offline pack and sync of redemptions recorded with no network.
import { defineModule } from '../module';
import { distributionAuditOperations } from './audit-operations';
import { registerDistributionCommands } from './cli';
import { loadDistributionDemo } from './demo';
import { distributionInitial, distributionRetention } from './migrations';
import { distributionRetentionJob } from './retention';
import { distributionPermissions } from './permissions';
import { distributionRoutes } from './routes';

export { distributionPermissions, devicePermissions } from './permissions';
export { createPoint, listPoints, setPointOperator, type Point } from './points';
export { reduceDistributionDetail } from './retention';
export { registerDevice, enrolDevice, revokeDevice, type Device } from './devices';
export { distributionAuditOperations } from './audit-operations';
export { pointStock, recordStock, overdrawnPoints, type StockLine } from './stock';
export { redemptionLog, type LogPage } from './redemption-log';
export { listConflicts, getConflict, resolveConflict, type Conflict } from './conflicts';
export {
  recordNominee,
  listNominees,
  revokeNominee,
  insertNominee,
  endNominee,
  nomineesOf,
  type Nominee,
} from './nominees';
export { receiptCode } from './apply-redemption';
export { redeem } from './redeem';

/** The distribution domain, as the module list wires it. */
export const distributionModule = defineModule({
  name: 'distribution',
  migrations: {
    '2026-12-06-03-distribution': distributionInitial,
    '2026-12-06-04-distribution-retention': distributionRetention,
  },
  jobs: [distributionRetentionJob],
  routes: distributionRoutes,
  commands: registerDistributionCommands,
  permissions: distributionPermissions,
  auditOperations: distributionAuditOperations,
  loadDemo: loadDistributionDemo,
});
