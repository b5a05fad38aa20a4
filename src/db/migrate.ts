import { Migrator, type Kysely, type Migration, type MigrationResultSet } from 'kysely';
import type { Database, Engine } from './types';

/** One migration step: schema changes for one engine. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type MigrationStep = (db: Kysely<any>, engine: Engine) => Promise<void>;

/** Migrations by name; applied in name order, whichever domain declared them. */
export type MigrationSet = Readonly<Record<string, MigrationStep>>;

/**
 * Joins every domain's migrations into one set. Two domains may not use one name: the name
 * is what the database remembers as applied, so a clash would skip a migration silently.
 */
export function joinMigrations(sets: readonly MigrationSet[]): MigrationSet {
  const all: Record<string, MigrationStep> = {};
  for (const set of sets) {
    for (const [name, step] of Object.entries(set)) {
      if (Object.hasOwn(all, name)) throw new Error(`migration ${name} is declared twice`);
      all[name] = step;
    }
  }
  return all;
}

/** Applies every migration not yet applied, in name order; fails whole on the first error. */
export async function migrateToLatest(
  database: Database,
  migrations: MigrationSet,
): Promise<MigrationResultSet> {
  const provider = {
    getMigrations: async (): Promise<Record<string, Migration>> =>
      Object.fromEntries(
        Object.entries(migrations).map(([name, up]) => [
          name,
          // eslint-disable-next-line @typescript-eslint/no-explicit-any
          { up: (db: Kysely<any>) => up(db, database.engine) },
        ]),
      ),
  };
  const migrator = new Migrator({ db: database.kysely, provider });
  const result = await migrator.migrateToLatest();
  if (result.error) {
    const failed = result.results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`migration ${failed} failed: ${String(result.error)}`);
  }
  return result;
}
