// For this folder's tests only: an environment to check rules against, and a world of
// persons written straight into the registry's tables, so the SQL of a rule can be compared
// with the in-memory evaluation of the same world.
import { sql } from 'kysely';
import type { Database } from '../../db';
import type { CheckedRule, RuleEnvironment } from './checked';
import type { RuleWorld, RuleWorldPerson } from './evaluate';
import { ruleSelect, type RuleSelectOptions } from './select';

/** Declared attributes of every type, one of them health. */
export const testAttributes: RuleEnvironment['attributes'] = new Map([
  ['income', { type: 'integer', category: 'socioeconomic' }],
  ['employed', { type: 'boolean', category: 'socioeconomic' }],
  ['tier', { type: 'enum', category: 'socioeconomic', enumValues: ['a', 'b', 'c'] }],
  ['school', { type: 'string', category: 'education' }],
  ['registered_on', { type: 'date', category: 'administrative' }],
  ['diabetic', { type: 'boolean', category: 'health' }],
  ['insulin_units', { type: 'integer', category: 'health' }],
]);

/** A food programme's environment: `food` has a frozen cycle, `shelter` none yet. */
export const testEnvironment: RuleEnvironment = {
  attributes: testAttributes,
  programmeKind: 'basket',
  programmes: new Map([
    ['food', 'cyc-food'],
    ['shelter', null],
  ]),
  regions: ['VE-A', 'VE-B', 'VE-C', 'VE-D'],
};

/** The same, for a medicine programme. */
export const medicineEnvironment: RuleEnvironment = {
  ...testEnvironment,
  programmeKind: 'medicine',
};

/** Creates the run table the freeze makes for health rules (cycle_members is migrated). */
export async function createRuleTables(db: Database): Promise<void> {
  await sql`create table if not exists rule_health_values (person_id text primary key, attributes text)`.execute(
    db.kysely,
  );
}

/** Empties the tables a world is written to. */
export async function clearWorld(db: Database): Promise<void> {
  for (const table of [
    'persons',
    'households',
    'household_members',
    'cycle_members',
    'rule_health_values',
  ])
    await sql`delete from ${sql.table(table)}`.execute(db.kysely);
}

const stamp = '2024-01-01T00:00:00.000Z';

function precisionOf(birthDate: string): 'year' | 'month' | 'day' {
  return birthDate.length === 4 ? 'year' : birthDate.length === 7 ? 'month' : 'day';
}

/**
 * Writes a world: its persons, their households and current memberships, and for every
 * other person also a former membership (left) in a household of its own, which no rule
 * may see; plus the cycle members and the run's health values.
 */
export async function insertWorld(db: Database, world: RuleWorld): Promise<void> {
  const k = db.kysely;
  const persons = world.persons.map((p) => ({
    id: p.id,
    registry_number: `rn-${p.id}`,
    external_id: null,
    given_names: 'Test',
    surname1: null,
    surname2: null,
    birth_date: p.birthDate,
    birth_date_precision: precisionOf(p.birthDate),
    sex: p.sex,
    birth_place: null,
    region_code: p.regionCode,
    locality: p.locality,
    address_line: null,
    phone: null,
    status: p.status,
    merged_into: null,
    household_id: p.householdId,
    attributes: JSON.stringify(p.attributes),
    health_attributes: null,
    search_name: 'test',
    version: 1,
    created_at: stamp,
    created_by: 'test',
    updated_at: stamp,
    updated_by: 'test',
  }));
  if (persons.length > 0) await k.insertInto('persons').values(persons).execute();
  const households = [
    ...new Set(world.persons.flatMap((p) => (p.householdId ? [p.householdId] : []))),
  ];
  const former = world.persons.filter((_, i) => i % 2 === 1);
  const allHouseholds = [...households, ...former.map((p) => `${p.id}-former`)];
  if (allHouseholds.length > 0)
    await k
      .insertInto('households')
      .values(
        allHouseholds.map((id) => ({
          id,
          external_ref: null,
          region_code: 'VE-A',
          locality: null,
          address_line: null,
          created_at: stamp,
          created_by: 'test',
        })),
      )
      .execute();
  const membership = (id: string, household: string, relationship: string, left: boolean) => ({
    id,
    household_id: household,
    person_id: id.split('~')[0]!,
    relationship,
    joined_at: stamp,
    joined_reason: 'test',
    left_at: left ? stamp : null,
    left_reason: left ? 'test' : null,
    recorded_by: 'test',
  });
  const members = [
    ...world.persons.flatMap((p) =>
      p.householdId && p.relationship
        ? [membership(`${p.id}~now`, p.householdId, p.relationship, false)]
        : [],
    ),
    ...former.map((p) => membership(`${p.id}~former`, `${p.id}-former`, 'head', true)),
  ];
  if (members.length > 0) await k.insertInto('household_members').values(members).execute();
  const cycles = [...(world.cycleMembers?.entries() ?? [])].flatMap(([cycle, entries]) =>
    entries.map(
      (e) => sql`(${cycle}, ${e.personId}, ${e.householdId}, ${'VE-A'}, ${'2000-01-01'})`,
    ),
  );
  if (cycles.length > 0)
    await sql`insert into cycle_members (cycle_id, person_id, household_id, region_code, birth_date) values ${sql.join(cycles)}`.execute(
      k,
    );
  const health = world.persons.flatMap((p) =>
    p.health ? [sql`(${p.id}, ${JSON.stringify(p.health)})`] : [],
  );
  if (health.length > 0)
    await sql`insert into rule_health_values (person_id, attributes) values ${sql.join(health)}`.execute(
      k,
    );
}

/** The person ids the SQL of a rule selects. */
export async function selectedIds(
  db: Database,
  rule: CheckedRule,
  options: Omit<RuleSelectOptions, 'engine'>,
): Promise<Set<string>> {
  const query = ruleSelect(rule, { ...options, engine: db.engine });
  const { rows } = await sql<{ person_id: string }>`select person_id from (${query}) s`.execute(
    db.kysely,
  );
  return new Set(rows.map((r) => r.person_id));
}

/** A person with defaults, for building worlds by hand. */
export function person(
  id: string,
  fields: Partial<Omit<RuleWorldPerson, 'id'>> = {},
): RuleWorldPerson {
  return {
    id,
    birthDate: '1990-01-01',
    sex: null,
    regionCode: 'VE-A',
    locality: null,
    status: 'active',
    householdId: null,
    relationship: null,
    attributes: {},
    ...fields,
  };
}
