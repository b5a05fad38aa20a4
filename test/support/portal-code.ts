// The one place tests read a cardholder's latest one-time code (portal sign-in, grievance
// replies): today from the notices outbox; at the merge with the SMS gateway, from the file
// gateway's `<data dir>/notices/sms.jsonl` instead. Keep every test going through here.
import type { Queryable } from '../../src/db';

/** The `code` of the newest notice of `template` owed to the person, or null. */
export async function readLatestCode(
  db: Queryable,
  personId: string,
  template: string,
): Promise<string | null> {
  const row = await db
    .selectFrom('notice_outbox')
    .select(['params'])
    .where('person_id', '=', personId)
    .where('template', '=', template)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!row) return null;
  const params = JSON.parse(row.params) as Record<string, string>;
  return params.code ?? null;
}
