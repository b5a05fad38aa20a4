// A realistic, fictional registry for demos and benchmarks: households of one to seven
// people who share surnames the Spanish way (a child takes the father's first surname and
// the mother's first surname), with consistent birth dates, regions and localities.
import type { Insertable } from 'kysely';
import { appendAudit } from '../privacy';
import type { AppContext, Caller } from '../shared/context';
import { seededRandom } from '../shared/random';
import { foldForSearch } from '../shared/text';
import {
  compoundSecond,
  femaleNames,
  localities,
  maleNames,
  streets,
  surnames,
} from './demo-names';
import { dammCheckDigit, formatRegistryNumber } from './registry-number';
import type { HouseholdMembersTable, HouseholdsTable, PersonsTable } from './tables';
import { csvCell } from '../shared/csv';

/** One generated person, in the CSV import layout. */
export interface DemoPerson {
  externalId: string;
  givenNames: string;
  surname1: string | null;
  surname2: string | null;
  birthDate: string;
  sex: 'F' | 'M';
  regionCode: string;
  locality: string;
  addressLine: string;
  phone: string | null;
  householdKey: number;
  relationship: string;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** Generates households until `people` persons exist; yields them household by household. */
export function* generateDemoPeople(people: number, seed = 42): Generator<DemoPerson[]> {
  const rnd = seededRandom(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const regionCodes = Object.keys(localities);
  let made = 0;
  let household = 0;
  const given = (sex: 'F' | 'M') => {
    const first = pick(sex === 'F' ? femaleNames : maleNames);
    return rnd() < 0.45 ? `${first} ${pick(compoundSecond[sex])}` : first;
  };
  const birth = (yearMin: number, yearMax: number) => {
    const year = yearMin + Math.floor(rnd() * (yearMax - yearMin + 1));
    const precision = rnd();
    if (precision < 0.03) return String(year); // undocumented people often know only the year
    const month = 1 + Math.floor(rnd() * 12);
    if (precision < 0.05) return `${year}-${pad(month)}`;
    return `${year}-${pad(month)}-${pad(1 + Math.floor(rnd() * 28))}`;
  };
  const phone = () =>
    rnd() < 0.7
      ? `+58${pick(['412', '414', '416', '424', '426'])}${String(1000000 + Math.floor(rnd() * 8999999))}`
      : null;
  while (made < people) {
    household++;
    const region = pick(regionCodes);
    const locality = pick(localities[region]!);
    const line = `${pick(streets)} ${1 + Math.floor(rnd() * 40)}, casa ${1 + Math.floor(rnd() * 120)}`;
    const size = Math.min(people - made, 1 + Math.floor(rnd() * rnd() * 7));
    const fatherSurnames = [pick(surnames), pick(surnames)];
    const motherSurnames = [pick(surnames), pick(surnames)];
    const members: DemoPerson[] = [];
    const base = { regionCode: region, locality, addressLine: line, householdKey: household };
    const headIsWoman = rnd() < 0.45;
    const headYear = 1940 + Math.floor(rnd() * 60);
    const id = () => `demo-${pad(household, 7)}-${members.length + 1}`;
    const head = headIsWoman
      ? {
          externalId: id(),
          givenNames: given('F'),
          surname1: motherSurnames[0]!,
          surname2: motherSurnames[1]!,
          sex: 'F' as const,
        }
      : {
          externalId: id(),
          givenNames: given('M'),
          surname1: fatherSurnames[0]!,
          surname2: fatherSurnames[1]!,
          sex: 'M' as const,
        };
    members.push({
      ...base,
      ...head,
      birthDate: birth(headYear, headYear),
      phone: phone(),
      relationship: 'head',
    });
    if (size > 1 && rnd() < 0.75) {
      const spouse = headIsWoman
        ? {
            givenNames: given('M'),
            surname1: fatherSurnames[0]!,
            surname2: fatherSurnames[1]!,
            sex: 'M' as const,
          }
        : {
            givenNames: given('F'),
            surname1: motherSurnames[0]!,
            surname2: motherSurnames[1]!,
            sex: 'F' as const,
          };
      members.push({
        ...base,
        ...spouse,
        externalId: id(),
        birthDate: birth(headYear - 4, headYear + 4),
        phone: phone(),
        relationship: 'spouse',
      });
    }
    while (members.length < size) {
      const sex = rnd() < 0.5 ? ('F' as const) : ('M' as const);
      const year = Math.min(2025, headYear + 18 + Math.floor(rnd() * 22));
      members.push({
        ...base,
        externalId: id(),
        givenNames: given(sex),
        surname1: fatherSurnames[0]!,
        surname2: rnd() < 0.03 ? null : motherSurnames[0]!,
        sex,
        birthDate: birth(year, year),
        phone: year < 2008 ? phone() : null,
        relationship: 'child',
      });
    }
    made += members.length;
    yield members;
  }
}

/** The CSV header for demo people (the import layout). */
export const demoCsvHeader =
  'external_id,given_names,surname1,surname2,birth_date,sex,region_code,locality,address_line,phone,household,relationship';

/** One demo person as a CSV line. */
export function demoCsvLine(p: DemoPerson): string {
  return [
    p.externalId,
    p.givenNames,
    p.surname1,
    p.surname2,
    p.birthDate,
    p.sex,
    p.regionCode,
    p.locality,
    p.addressLine,
    p.phone,
    `demo-h-${pad(p.householdKey, 7)}`,
    p.relationship,
  ]
    .map(csvCell)
    .join(',');
}

/**
 * Loads a demo registry of `people` persons in households straight into the database, in
 * batches, with registry numbers derived from the seed (so reruns are stable).
 */
export async function loadDemoRegistry(
  app: AppContext,
  caller: Caller,
  options: { people: number; seed?: number; onProgress?: (done: number, total: number) => void },
): Promise<{ persons: number; households: number }> {
  const batchRows = 5000;
  let persons: Insertable<PersonsTable>[] = [];
  let households: Insertable<HouseholdsTable>[] = [];
  let members: Insertable<HouseholdMembersTable>[] = [];
  let personCount = 0;
  let householdCount = 0;
  const now = app.now().toISOString();
  const numberRnd = seededRandom((options.seed ?? 42) ^ 0x5eed);
  const used = new Set<string>();
  const registryNumber = () => {
    for (;;) {
      let body = String(1 + Math.floor(numberRnd() * 9));
      while (body.length < 11) body += String(Math.floor(numberRnd() * 10));
      const n = formatRegistryNumber(body + dammCheckDigit(body));
      if (!used.has(n)) {
        used.add(n);
        return n;
      }
    }
  };
  const flush = async () => {
    await app.db.transaction(async (trx) => {
      await app.db.insertMany(trx, 'households', households as Record<string, unknown>[]);
      await app.db.insertMany(trx, 'persons', persons as Record<string, unknown>[]);
      await app.db.insertMany(trx, 'household_members', members as Record<string, unknown>[]);
      await appendAudit(trx, app, caller, {
        operation: 'person.demo_load',
        subjectIds: persons.map((p) => p.id),
        details: { rows: persons.length },
        indexSubjects: false,
      });
    });
    persons = [];
    households = [];
    members = [];
    options.onProgress?.(personCount, options.people);
  };
  for (const family of generateDemoPeople(options.people, options.seed)) {
    const householdId = app.newId();
    householdCount++;
    const first = family[0]!;
    households.push({
      id: householdId,
      region_code: first.regionCode,
      locality: first.locality,
      address_line: first.addressLine,
      created_at: now,
      created_by: caller.actor.id,
    });
    for (const p of family) {
      const id = app.newId();
      personCount++;
      persons.push({
        id,
        registry_number: registryNumber(),
        external_id: p.externalId,
        given_names: p.givenNames,
        surname1: p.surname1,
        surname2: p.surname2,
        birth_date: p.birthDate,
        birth_date_precision:
          p.birthDate.length === 10 ? 'day' : p.birthDate.length === 7 ? 'month' : 'year',
        sex: p.sex,
        birth_place: null,
        region_code: p.regionCode,
        locality: p.locality,
        address_line: p.addressLine,
        phone: p.phone,
        status: 'active',
        merged_into: null,
        household_id: householdId,
        attributes: '{}',
        health_attributes: null,
        search_name: foldForSearch([p.givenNames, p.surname1 ?? '', p.surname2 ?? ''].join(' ')),
        version: 1,
        created_at: now,
        created_by: caller.actor.id,
        updated_at: now,
        updated_by: caller.actor.id,
      });
      members.push({
        id: app.newId(),
        household_id: householdId,
        person_id: id,
        relationship: p.relationship,
        joined_at: now,
        joined_reason: 'demo registry',
        left_at: null,
        left_reason: null,
        recorded_by: caller.actor.id,
      });
    }
    if (persons.length >= batchRows) await flush();
  }
  if (persons.length > 0) await flush();
  return { persons: personCount, households: householdCount };
}
