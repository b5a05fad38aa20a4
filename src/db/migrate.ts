import { Migrator, type Kysely, type Migration, type MigrationResultSet } from 'kysely';
import { migrations } from './migrations';
import type { Database } from './types';

/** Applies every migration not yet applied, in name order; fails whole on the first error. */
export async function migrateToLatest(database: Database): Promise<MigrationResultSet> {
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
