// The database schema as Kysely sees it: the union of every domain's tables.
// A domain owns its tables; other domains reach them only through its service surface.

/** All tables. Domains add their table interfaces here. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface Schema {}
