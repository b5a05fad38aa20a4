// The cardholder portal's public surface: sign-in with registry number, date of birth and a
// one-time code sent to the phone on record; a session of its own with no staff permission;
// and the person's own record, card, entitlements, wallet, access report, grievances, nominees
// and preferences under /api/v1/me. The web app is /me (web/me/).
import { defineModule } from '../module';
import { portalAuditOperations } from './audit-operations';
import { loadPortalDemo } from './demo';
import { portalInitial } from './migrations';
import { portalRoutes } from './routes';
import { resolveCardholder } from './sign-in';

export { portalAuditOperations } from './audit-operations';
export {
  requestPortalCode,
  signInWithCode,
  resolveCardholder,
  portalCodeMinutes,
  portalCodeTriesMax,
  portalCodesPerHour,
  portalFailuresMax,
  portalLockMs,
  portalSessionMs,
  portalIdleMs,
} from './sign-in';

/** The portal domain, as the module list wires it. */
export const portalModule = defineModule({
  name: 'portal',
  migrations: { '2026-12-10-02-portal': portalInitial },
  routes: portalRoutes,
  auditOperations: portalAuditOperations,
  cardholderAuthenticator: { resolveCardholder },
  loadDemo: loadPortalDemo,
});
