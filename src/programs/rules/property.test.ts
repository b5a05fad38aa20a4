// The SQL and the in-memory evaluator agree: random households (partial birth dates,
// 29 February, unrecorded sex, deceased members, former memberships, missing attributes) and
// random well-typed rules written as text from the grammar, run both ways on each engine.
import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import fc from 'fast-check';
import { forEachEngine } from '../../../test/support/engines';
import { validateRule } from './check';
import { evaluateRule, type RuleWorld, type RuleWorldPerson } from './evaluate';
import { clearWorld, createRuleTables, insertWorld, selectedIds, testEnvironment } from './testing';

const pad = (n: number) => String(n).padStart(2, '0');

const birthDate = fc.oneof(
  fc.constantFrom('2000-02-29', '2004-02-29', '2020-02-29', '1960', '1985-03', '2010-03-01'),
  fc
    .tuple(
      fc.integer({ min: 1930, max: 2024 }),
      fc.integer({ min: 1, max: 12 }),
      fc.integer({ min: 1, max: 28 }),
      fc.constantFrom('year', 'month', 'day', 'day'),
    )
    .map(([y, m, d, precision]) =>
      precision === 'year'
        ? `${y}`
        : precision === 'month'
          ? `${y}-${pad(m)}`
          : `${y}-${pad(m)}-${pad(d)}`,
    ),
);
const isoDate = fc.constantFrom('2010-06-01', '2020-02-29', '2024-01-01', '1999-12-31');
const maybe = <T>(a: fc.Arbitrary<T>) => fc.oneof(a, a, a, fc.constant(null));

const attributes = fc.record(
  {
    income: maybe(fc.integer({ min: -5, max: 200 })),
    employed: maybe(fc.boolean()),
    tier: fc.constantFrom('a', 'b', 'c'),
    school: fc.constantFrom('x', 'y'),
    registered_on: isoDate,
  },
  { requiredKeys: [] },
);

const member = fc.record({
  birthDate,
  sex: fc.constantFrom<RuleWorldPerson['sex']>('F', 'M', 'X', null),
  regionCode: fc.constantFrom('VE-A', 'VE-B', 'VE-C'),
  locality: fc.constantFrom('Maracay', 'Valencia', null),
  status: fc.constantFrom<RuleWorldPerson['status']>(
    'active',
    'active',
    'active',
    'deceased',
    'inactive',
    'merged',
  ),
  relationship: fc.constantFrom(
    'spouse',
    'partner',
    'child',
    'stepchild',
    'parent',
    'sibling',
    'grandchild',
    'other_relative',
    'non_relative',
  ),
  attributes,
  inFood: fc.integer({ min: 0, max: 5 }),
});

const household = fc.record({
  solo: fc.boolean(),
  headless: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
  members: fc.array(member, { minLength: 1, maxLength: 6 }),
});

const worldArb = fc
  .array(household, { minLength: 1, maxLength: 5 })
  .map((households): RuleWorld => {
    const persons: RuleWorldPerson[] = [];
    const food: { personId: string; householdId: string | null }[] = [];
    households.forEach((h, i) => {
      const members = h.solo ? h.members.slice(0, 1) : h.members;
      members.forEach((m, j) => {
        const id = `p${i}-${j}`;
        const householdId = h.solo ? null : `h${i}`;
        const relationship = h.solo ? null : j === 0 && !h.headless ? 'head' : m.relationship;
        persons.push({
          id,
          birthDate: m.birthDate,
          sex: m.sex,
          regionCode: m.regionCode,
          locality: m.locality,
          status: m.status,
          householdId,
          relationship,
          attributes: m.attributes,
        });
        if (m.inFood === 0) food.push({ personId: id, householdId });
        if (m.inFood === 1) food.push({ personId: id, householdId: null });
      });
    });
    return { persons, target: 'person', cycleMembers: new Map([['cyc-food', food]]) };
  });

// Rules, as text, by type and depth. Keywords come in any case; every compound is
// parenthesised so that the text means what the generator meant.
const kw = (word: string) => fc.constantFrom(word, word.toUpperCase());
const int = fc.integer({ min: 0, max: 90 }).map(String);
const literalList = (items: fc.Arbitrary<string>) =>
  fc.array(items, { minLength: 1, maxLength: 4 }).map((xs) => `[${xs.join(', ')}]`);
const cache = new Map<string, fc.Arbitrary<string>>();

function intRule(depth: number, inCount: boolean): fc.Arbitrary<string> {
  const key = `i${depth}${inCount}`;
  const known = cache.get(key);
  if (known) return known;
  const leaves: fc.Arbitrary<string>[] = [int, fc.constantFrom('age', 'income', 'age', '-3')];
  if (!inCount) {
    leaves.push(fc.constant('household_size'));
    leaves.push(boolRule(1, true).map((c) => `count(${c})`));
  }
  const arb =
    depth <= 0
      ? fc.oneof(...leaves)
      : fc.oneof(
          { arbitrary: fc.oneof(...leaves), weight: 3 },
          fc
            .tuple(
              intRule(depth - 1, inCount),
              fc.constantFrom('+', '-', '*'),
              intRule(depth - 1, inCount),
            )
            .map(([a, op, b]) => `(${a} ${op} ${b})`),
          intRule(depth - 1, inCount).map((a) => `-(${a})`),
        );
  cache.set(key, arb);
  return arb;
}

function boolRule(depth: number, inCount: boolean): fc.Arbitrary<string> {
  const key = `b${depth}${inCount}`;
  const known = cache.get(key);
  if (known) return known;
  const i = intRule(Math.min(depth, 2) - 1, inCount);
  const leaves = fc.oneof(
    fc.constantFrom('employed', 'true', 'FALSE', 'in_programme("food")', 'In_Programme("shelter")'),
    fc
      .tuple(i, fc.constantFrom('=', '!=', '<', '<=', '>', '>='), i)
      .map(([a, op, b]) => `${a} ${op} ${b}`),
    fc
      .tuple(
        i,
        fc.constantFrom('in', 'not in', 'NOT IN'),
        literalList(fc.integer({ min: -3, max: 90 }).map(String)),
      )
      .map(([a, op, list]) => `${a} ${op} ${list}`),
    fc
      .tuple(fc.constantFrom('=', '!='), fc.constantFrom('"F"', '"M"', '"X"'))
      .map(([op, v]) => `sex ${op} ${v}`),
    literalList(fc.constantFrom('"F"', '"M"', '"X"')).map((l) => `sex in ${l}`),
    fc.constantFrom('"VE-A"', '"VE-B"').map((v) => `region != ${v}`),
    fc.constantFrom(
      'locality = "Maracay"',
      'locality != "Valencia"',
      'school = "x"',
      'tier in ["a", "b"]',
      'tier not in ["c"]',
    ),
    literalList(fc.constantFrom('"head"', '"child"', '"spouse"', '"parent"')).map(
      (l) => `relationship in ${l}`,
    ),
    fc
      .tuple(fc.constantFrom('<', '>=', '='), isoDate)
      .map(([op, d]) => `registered_on ${op} "${d}"`),
    fc.constantFrom(
      'employed = true',
      'employed != false',
      'employed in [false]',
      'employed = (age > 40)',
    ),
  );
  const arb =
    depth <= 0
      ? leaves
      : fc.oneof(
          { arbitrary: leaves, weight: 3 },
          fc
            .tuple(
              boolRule(depth - 1, inCount),
              fc.oneof(kw('and'), kw('or')),
              boolRule(depth - 1, inCount),
            )
            .map(([a, op, b]) => `(${a}) ${op} (${b})`),
          fc.tuple(kw('not'), boolRule(depth - 1, inCount)).map(([not, a]) => `${not} (${a})`),
        );
  cache.set(key, arb);
  return arb;
}

const referenceDate = fc.constantFrom(
  '2024-02-28',
  '2024-02-29',
  '2023-02-28',
  '2023-03-01',
  '2025-06-15',
);
const regions = fc.constantFrom<readonly string[] | '*'>('*', '*', ['VE-A'], ['VE-B', 'VE-C']);

forEachEngine('eligibility rules: SQL agrees with the evaluator', ({ db }) => {
  before(async () => {
    await createRuleTables(db());
  });

  it('selects the same persons for random households and random rules', async () => {
    await fc.assert(
      fc.asyncProperty(
        worldArb,
        boolRule(3, false),
        referenceDate,
        regions,
        async (world, text, ref, scope) => {
          const checked = validateRule(text, testEnvironment);
          fc.pre(checked.ok || checked.problems.some((p) => p.code !== 'RULE_TOO_LARGE'));
          assert.ok(checked.ok, `${text}: ${checked.ok ? '' : checked.problems[0]?.message}`);
          await clearWorld(db());
          await insertWorld(db(), world);
          for (const target of ['person', 'household'] as const) {
            const sqlIds = await selectedIds(db(), checked.rule, {
              referenceDate: ref,
              regions: scope,
              target,
            });
            const memoryIds = evaluateRule(checked.rule, { ...world, target, regions: scope }, ref);
            assert.deepEqual([...sqlIds].sort(), [...memoryIds].sort(), `${target}: ${text}`);
          }
        },
      ),
      { numRuns: 100 },
    );
  });
});
