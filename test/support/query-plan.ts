// The plan an engine chooses for a query, for tests that check an index is used.
import { sql, type CompiledQuery } from 'kysely';
import type { Database } from '../../src/db';

/**
 * The engine's plan for `query` as JSON text, its parameters written in as literals. On
 * PostgreSQL sequential scans are forbidden for the plan: a test's small table is scanned
 * whatever its indexes, and the question is whether an index can be used at all.
 */
export async function queryPlan(db: Database, query: CompiledQuery): Promise<string> {
  let next = 0;
  const text = query.sql.replace(/\$(\d+)|\?/g, (_m, n: string | undefined) => {
    const i = n ? Number(n) - 1 : next++;
    return `'${String(query.parameters[i]).replace(/'/g, "''")}'`;
  });
  return db.kysely.transaction().execute(async (trx) => {
    if (db.engine === 'postgres') await sql`set local enable_seqscan = off`.execute(trx);
    const explain = db.engine === 'postgres' ? 'explain ' : 'explain query plan ';
    return JSON.stringify((await sql.raw(explain + text).execute(trx)).rows);
  });
}
