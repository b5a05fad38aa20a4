// The rows of audit_subjects (the index behind each person's access report) of given audit
// entries: read by the sealer, whose chain format 2 hashes them, and by the verifier, which
// recomputes the hash from them.
import type { Queryable } from '../db';

/** One index row: a person the entry touched, and the time the report files it under. */
export interface IndexRow {
  personId: string;
  at: string;
}

/** Ids per query (keeps bound parameters well under both engines' limits). */
const idsPerQuery = 500;

/** The index rows of each of `auditIds` (an id with no rows maps to an empty list). */
export async function indexRowsOf(
  db: Queryable,
  auditIds: readonly string[],
): Promise<Map<string, IndexRow[]>> {
  const rows = new Map<string, IndexRow[]>(auditIds.map((id) => [id, []]));
  for (let i = 0; i < auditIds.length; i += idsPerQuery) {
    const chunk = auditIds.slice(i, i + idsPerQuery);
    const found = await db
      .selectFrom('audit_subjects')
      .select(['audit_id', 'person_id', 'at'])
      .where('audit_id', 'in', chunk)
      .execute();
    for (const row of found) rows.get(row.audit_id)?.push({ personId: row.person_id, at: row.at });
  }
  return rows;
}
