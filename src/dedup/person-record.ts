// How a registry person is seen by the matcher: the fields that identify someone, nothing else.
import type { Selectable } from 'kysely';
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
