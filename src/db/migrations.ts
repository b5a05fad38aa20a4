// Every domain's schema migrations, in the order they apply. Names sort by date; a
// migration, once released, is never edited: add a new one.
import type { Kysely } from 'kysely';
import type { Engine } from './types';

/** One migration step: schema changes for one engine. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type MigrationStep = (db: Kysely<any>, engine: Engine) => Promise<void>;

/** All migrations by name. Domains append theirs here. */
export const migrations: Record<string, MigrationStep> = {};
