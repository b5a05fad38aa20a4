// The database schema as Kysely sees it: the union of every domain's tables. Empty here on
// purpose: each domain merges its own tables in from its `tables.ts`
// (`declare module '../db/schema' { interface Schema extends RegistryTables {} }`), so that
// the storage layer knows no domain. A domain owns its tables; other domains reach them only
// through its service surface.

/** All tables. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface Schema {}
