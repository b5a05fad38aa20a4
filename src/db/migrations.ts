// Every domain's schema migrations, in the order they apply. Names sort by date; a
// migration, once released, is never edited: add a new one.
import type { Kysely } from 'kysely';
import { authInitial, authTotpEnrolments } from '../auth/migrations';
import { credentialsInitial } from '../credentials/migrations';
import { dedupInitial } from '../dedup/migrations';
import { auditSealKeysInitial } from '../privacy/audit-seal-keys';
import { privacyInitial } from '../privacy/migrations';
import { registryInitial } from '../registry/migrations';
import type { Engine } from './types';

/** One migration step: schema changes for one engine. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type MigrationStep = (db: Kysely<any>, engine: Engine) => Promise<void>;

/** All migrations by name, applied in name order. */
export const migrations: Record<string, MigrationStep> = {
  '2026-11-29-01-registry': registryInitial,
  '2026-11-29-02-privacy': privacyInitial,
  '2026-11-29-03-auth': authInitial,
  '2026-11-30-01-audit-seal-keys': auditSealKeysInitial,
  '2026-11-30-02-credentials': credentialsInitial,
  '2026-11-30-03-dedup': dedupInitial,
  '2026-12-02-01-auth-totp-enrolments': authTotpEnrolments,
};
