// The database schema as Kysely sees it: the union of every domain's tables.
// A domain owns its tables; other domains reach them only through its service surface.
import type { AuthTables } from '../auth/tables';
import type { CredentialsTables } from '../credentials/tables';
import type { DedupTables } from '../dedup/tables';
import type { PrivacyTables } from '../privacy/tables';
import type { RegistryTables } from '../registry/tables';

/** All tables. */
export interface Schema
  extends RegistryTables, PrivacyTables, AuthTables, CredentialsTables, DedupTables {}
