export type { Database, Engine, Queryable } from './types';
export {
  openDatabase,
  engineOf,
  isUniqueViolation,
  isConnectionLoss,
  type OpenDatabaseOptions,
} from './open-database';
export { migrateToLatest, joinMigrations, type MigrationSet, type MigrationStep } from './migrate';
export { columnTypes } from './columns';
export { whenTransactionEnds } from './transaction-end';
export { preparedQuery } from './prepared-query';
export type { Schema } from './schema';
export {
  deferCheckpoints,
  fallbackCheckpointPages,
  sqliteFilePath,
  startSqliteCheckpointer,
} from './sqlite-checkpointer';
