// The privacy domain's public surface: the audit log (append, seal, verify, query), each
// person's access report, four-eyes approvals, and statistics with small cells suppressed.
export {
  decideApproval,
  decisionInput,
  getApproval,
  listApprovals,
  requestApproval,
} from './approvals';
export type { Approval } from './approvals';
export { sealPendingAudit, startAuditSealer } from './audit-sealer';
export { pinAuditKeysInMemory } from './audit-key-settings';
export { loadAuditSealKey } from './audit-seal-keys';
export { registerAuditCommands } from './cli-audit';

import { defineModule } from '../module';
import { auditKeySettings } from './audit-key-settings';
import { auditSealKeysInitial } from './audit-seal-keys';
import { startAuditSealer } from './audit-sealer';
import { privacyAuditOperations } from './audit-operations';
import { registerAuditCommands } from './cli-audit';
import { auditChainFormat2, privacyInitial } from './migrations';
import { privacyPermissions } from './permissions';
import { readVolumeInitial } from './read-volume';
import { privacyRoutes } from './routes';

export { appendAudit, type AuditEvent } from './append-audit';
export {
  accessReportPageInput,
  readAccessReport,
  staffPseudonym,
  type AccessReportEntry,
} from './access-report';
export { privacyAuditOperations } from './audit-operations';
export { privacyPermissions } from './permissions';
export type { SubjectDirectory } from './subjects';
export { suppressTable, type SuppressedTable, type PublishedCell } from './suppression';
export { ageBands, ageBandSql, registryStatistics } from './statistics';

/** The privacy domain, as the module list wires it. */
export const privacyModule = defineModule({
  name: 'privacy',
  migrations: {
    '2026-11-29-02-privacy': privacyInitial,
    '2026-11-30-01-audit-seal-keys': auditSealKeysInitial,
    '2026-12-02-01-read-volume': readVolumeInitial,
    '2026-12-03-01-audit-chain-format-2': auditChainFormat2,
  },
  routes: privacyRoutes,
  commands: registerAuditCommands,
  permissions: privacyPermissions,
  auditOperations: privacyAuditOperations,
  // The seal key (which must be pinned) and the pinned-keys file, before the server listens.
  startChecks: [
    (app) => {
      auditKeySettings(app).sealKey();
      auditKeySettings(app).pinnedKeys();
    },
  ],
  // Chain and seal the audit log every few seconds, and once more on the way out.
  jobs: [(app, onError) => startAuditSealer(app, { intervalMs: 5000, onError })],
});
