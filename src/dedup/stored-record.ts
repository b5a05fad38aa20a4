// For tests and benches that store generated match records as registry persons, so that the
// stored paths (keying, the batch scan, the enrolment check) read them back as they would read
// an enrolled person.
import type { MatchRecord } from './types';

/** The `persons` row of a generated record, created at `at` by `by`. */
export function personRowOf(
  r: MatchRecord,
  registryNumber: string,
  at: string,
  by: string,
): Record<string, unknown> {
  return {
    id: r.id,
    registry_number: registryNumber,
    given_names: r.givenNames,
    surname1: r.surname1 ?? null,
    surname2: r.surname2 ?? null,
    birth_date: r.birthDate ?? '1900',
    birth_date_precision: 'day',
    sex: r.sex ?? null,
    region_code: r.regionCode ?? 'VE-A',
    locality: r.locality ?? null,
    phone: r.phone ?? null,
    status: 'active',
    attributes: '{}',
    search_name: r.givenNames.toLowerCase(),
    version: 1,
    created_at: at,
    created_by: by,
    updated_at: at,
    updated_by: by,
  };
}
