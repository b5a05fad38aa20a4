// A person as the service returns it, and the presenter that decides which fields leave.
import type { Selectable } from 'kysely';
import { unseal } from '../shared/sealed';
import type { PersonsTable } from './tables';
import { readStoredJson, storedObject } from '../shared/stored-json';

/** A person as returned by the registry. */
export interface Person {
  id: string;
  registryNumber: string;
  externalId: string | null;
  givenNames: string;
  surname1: string | null;
  surname2: string | null;
  birthDate: string;
  birthDatePrecision: 'day' | 'month' | 'year';
  sex: 'F' | 'M' | 'X' | null;
  birthPlace: string | null;
  address: { regionCode: string; locality: string | null; line: string | null };
  phone: string | null;
  status: 'active' | 'deceased' | 'merged' | 'inactive';
  mergedInto: string | null;
  householdId: string | null;
  attributes: Record<string, unknown>;
  /** Present only when the caller's purpose allows health data. */
  healthAttributes?: Record<string, unknown>;
  version: number;
  createdAt: string;
  updatedAt: string;
}

/** A stored person row. */
export type PersonRow = Selectable<PersonsTable>;

/** Whitelists what leaves the registry; health attributes only when asked for with the key. */
export function presentPerson(row: PersonRow, health?: { dataKey: Buffer }): Person {
  const person: Person = {
    id: row.id,
    registryNumber: row.registry_number,
    externalId: row.external_id,
    givenNames: row.given_names,
    surname1: row.surname1,
    surname2: row.surname2,
    birthDate: row.birth_date,
    birthDatePrecision: row.birth_date_precision,
    sex: row.sex,
    birthPlace: row.birth_place,
    address: { regionCode: row.region_code, locality: row.locality, line: row.address_line },
    phone: row.phone,
    status: row.status,
    mergedInto: row.merged_into,
    householdId: row.household_id,
    attributes: readStoredJson(storedObject, row.attributes, `persons ${row.id} attributes`),
    version: Number(row.version),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
  if (health) {
    person.healthAttributes = row.health_attributes
      ? readStoredJson(
          storedObject,
          unseal(health.dataKey, row.health_attributes),
          `persons ${row.id} health_attributes`,
        )
      : {};
  }
  return person;
}
