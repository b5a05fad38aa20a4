export type { Database, Engine, Queryable } from './types';
export { openDatabase, engineOf, type OpenDatabaseOptions } from './open-database';
export { migrateToLatest } from './migrate';
export { columnTypes } from './columns';
export type { Schema } from './schema';
