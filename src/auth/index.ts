// The auth domain's public surface: staff accounts, sign-in with a second factor, sessions,
// API tokens, and the authenticator the HTTP server asks who is calling.
import { defineModule } from '../module';
import { registerStaffApprovals } from './accounts';
import { resolveApiToken } from './api-tokens';
import { authAuditOperations } from './audit-operations';
import { registerAdminCommands } from './cli';
import { loadDemoStaff } from './demo';
import { authInitial, authTokenExpiry, authTotpEnrolments } from './migrations';
import { authPermissions } from './permissions';
import { authRoutes } from './routes';
import { resolveSession } from './sessions';

export { insertGrant, insertStaff } from './accounts';
export { issueDeviceToken, revokeDeviceToken } from './api-tokens';
export { loadGrants } from './grants';
export { createApiToken, type ApiTokenInput } from './api-tokens';
export { hashPassword, useTestScryptParams, verifyPassword } from './password';
export { authAuditOperations } from './audit-operations';
export { authPermissions } from './permissions';
export { resolveSession, type SessionInfo } from './sessions';
export { totpCode } from './totp';

/** The auth domain, as the module list wires it. */
export const authModule = defineModule({
  name: 'auth',
  migrations: {
    '2026-11-29-03-auth': authInitial,
    '2026-12-02-01-auth-totp-enrolments': authTotpEnrolments,
    '2026-12-02-02-auth-token-expiry': authTokenExpiry,
  },
  routes: authRoutes,
  commands: registerAdminCommands,
  permissions: authPermissions,
  auditOperations: authAuditOperations,
  connect: registerStaffApprovals,
  authenticator: { resolveBearer: resolveApiToken, resolveSession },
  loadDemo: loadDemoStaff,
});
