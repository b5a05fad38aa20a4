// How a registry person is seen by the matcher: the fields that identify someone, nothing else.
import { sql, type Selectable } from 'kysely';
import type { Engine, Queryable } from '../db';
import type { PersonsTable } from '../registry';
import type { MatchRecord } from './types';
import { readStoredJson, storedObject } from '../shared/stored-json';

/** The persons columns the matcher and the review queue read. */
export const matchColumns = [
  'id',
  'registry_number',
  'given_names',
  'surname1',
  'surname2',
  'birth_date',
  'sex',
  'region_code',
  'locality',
  'phone',
  'attributes',
  'status',
] as const;

/** A person row reduced to the matched columns. */
export type PersonMatchRow = Pick<Selectable<PersonsTable>, (typeof matchColumns)[number]>;

/**
 * The matcher's view of a person. A document number is used when the deployment names the
 * declared attribute that holds it; the attributes JSON is parsed only when it mentions it.
 */
export function matchRecordOf(row: PersonMatchRow, documentAttribute: string | null): MatchRecord {
  const record: { -readonly [K in keyof MatchRecord]: MatchRecord[K] } = {
    id: row.id,
    givenNames: row.given_names,
    birthDate: row.birth_date,
    regionCode: row.region_code,
  };
  if (row.surname1) record.surname1 = row.surname1;
  if (row.surname2) record.surname2 = row.surname2;
  if (row.sex) record.sex = row.sex;
  if (row.locality) record.locality = row.locality;
  if (row.phone) record.phone = row.phone;
  if (documentAttribute && row.attributes.includes(`"${documentAttribute}"`)) {
    const value = readStoredJson(storedObject, row.attributes, `persons ${row.id} attributes`)[
      documentAttribute
    ];
    if (typeof value === 'string' && value.trim() !== '') record.documentNumber = value;
  }
  return record;
}

/** Ids looked up per statement. */
const lookupChunk = 4000;

/**
 * The stored rows of `ids` (each once), keyed by id: one statement per engine whatever the
 * number of ids (a JSON array on SQLite, an array parameter on PostgreSQL), so it is compiled
 * and prepared once, not once for every length of an IN list.
 */
export async function personMatchRows(
  db: Queryable,
  engine: Engine,
  ids: readonly string[],
): Promise<Map<string, PersonMatchRow>> {
  const out = new Map<string, PersonMatchRow>();
  const columns = sql.join(matchColumns.map((c) => sql.ref(c)));
  for (let from = 0; from < ids.length; from += lookupChunk) {
    const chunk = ids.slice(from, from + lookupChunk);
    const { rows } =
      engine === 'postgres'
        ? await sql<PersonMatchRow>`select ${columns} from persons where id = any(${chunk}::text[])`.execute(
            db,
          )
        : await sql<PersonMatchRow>`select ${columns} from persons
            where id in (select value from json_each(${JSON.stringify(chunk)}))`.execute(db);
    for (const row of rows) out.set(row.id, row);
  }
  return out;
}
