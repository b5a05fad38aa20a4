// Every construct of the language run as SQL on both engines over one small, hand-made
// world, against the persons it should select; and the in-memory evaluator on the same world
// must give the same answer.
import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { forEachEngine } from '../../../test/support/engines';
import type { RuleEnvironment } from './checked';
import { checkRule } from './check';
import { evaluateRule, type RuleWorld } from './evaluate';
import { ruleSelect } from './select';
import {
  createRuleTables,
  insertWorld,
  medicineEnvironment,
  person,
  selectedIds,
  testEnvironment,
} from './testing';

const h1 = { householdId: 'h1', regionCode: 'VE-A' };
const h2 = { householdId: 'h2', regionCode: 'VE-B' };
const world: RuleWorld = {
  target: 'person',
  persons: [
    person('a1', {
      ...h1,
      relationship: 'head',
      sex: 'F',
      birthDate: '1980-05-10',
      attributes: { income: 100, employed: true, tier: 'a', registered_on: '2020-01-01' },
    }),
    person('a2', { ...h1, relationship: 'spouse', sex: 'M', birthDate: '1978' }),
    person('a3', { ...h1, relationship: 'child', sex: 'F', birthDate: '2010-03-01' }),
    person('a4', { ...h1, relationship: 'child', birthDate: '2020-02-29' }),
    person('a5', {
      ...h1,
      relationship: 'parent',
      sex: 'M',
      birthDate: '1940',
      status: 'deceased',
    }),
    person('b1', {
      ...h2,
      relationship: 'head',
      sex: 'M',
      birthDate: '1950-12',
      attributes: { income: 20, employed: false },
    }),
    person('b2', { ...h2, relationship: 'grandchild', sex: 'X', birthDate: '2018-07-15' }),
    person('c1', {
      sex: 'F',
      birthDate: '2000-02-29',
      attributes: { income: 50, tier: 'b' },
      health: { diabetic: true, insulin_units: 12 },
    }),
    person('c2', { regionCode: 'VE-C', status: 'inactive', sex: 'F' }),
    person('c3', {
      regionCode: 'VE-C',
      sex: 'M',
      locality: 'Maracay',
      attributes: { employed: true, school: 'say "hi"' },
    }),
  ],
  cycleMembers: new Map([
    [
      'cyc-food',
      [
        { personId: 'b2', householdId: 'h2' },
        { personId: 'c3', householdId: null },
      ],
    ],
  ]),
};

const everyone = 'a1 a2 a3 a4 b1 b2 c1 c3';

/** [rule, expected ids] on 2024-03-01, every region, target person. */
const cases: [string, string][] = [
  ['true', everyone],
  ['false', ''],
  ['age >= 18', 'a1 a2 b1 c1 c3'],
  ['age = 14', 'a3'],
  ['age = 4', 'a4'],
  ['age = 24 and sex = "F"', 'c1'],
  ['sex = "F"', 'a1 a3 c1'],
  ['sex != "F"', 'a2 b1 b2 c3'],
  ['not sex = "F"', 'a2 b1 b2 c3'],
  ['sex in ["F", "X"]', 'a1 a3 b2 c1'],
  ['sex not in ["F"]', 'a2 b1 b2 c3'],
  ['region = "VE-A"', 'a1 a2 a3 a4 c1'],
  ['locality = "Maracay"', 'c3'],
  ['relationship = "child"', 'a3 a4'],
  ['relationship in ["head"]', 'a1 b1'],
  ['household_size = 4', 'a1 a2 a3 a4'],
  ['household_size = 1', 'c1 c3'],
  ['household_size * 2 = 4', 'b1 b2'],
  ['count(age < 18) >= 2', 'a1 a2 a3 a4'],
  ['count(age < 18) >= 1', 'a1 a2 a3 a4 b1 b2'],
  ['count(sex = "F") = 1 and household_size = 1', 'c1'],
  ['count(relationship = "head") = 1', 'a1 a2 a3 a4 b1 b2'],
  ['count(age < 18) = 0 and count(sex = "M") = 1', 'c3'],
  ['income > 40', 'a1 c1'],
  ['not income > 40', 'b1'],
  ['employed', 'a1 c3'],
  ['employed = false', 'b1'],
  ['not employed', 'b1'],
  ['employed in [true]', 'a1 c3'],
  ['employed = (age > 60)', ''],
  ['employed != (age > 60)', 'a1 b1 c3'],
  ['(age > 10) = (sex = "F")', 'a1 a3 b2 c1'],
  ['tier in ["a", "b"]', 'a1 c1'],
  ['tier not in ["a"]', 'c1'],
  ['school = "say \\"hi\\""', 'c3'],
  ['registered_on < "2021-01-01"', 'a1'],
  ['registered_on >= "2021-01-01"', ''],
  ['income * 2 - 10 >= 190', 'a1'],
  ['-income < -60', 'a1'],
  ['income + age = 74', 'c1'],
  ['in_programme("food")', 'b1 b2 c3'],
  ['in_programme("shelter")', ''],
  ['not in_programme("shelter") and age > 70', 'b1'],
  ['count(in_programme("food")) >= 1', 'b1 b2 c3'],
  ['income > 40 or employed', 'a1 c1 c3'],
  ['income > 40 and employed', 'a1'],
  ['not (income > 40 or employed)', 'b1'],
  ['count(income > 0) = 1', 'a1 a2 a3 a4 b1 b2 c1'],
];

const ids = (s: string) => new Set(s.split(' ').filter(Boolean));

forEachEngine('eligibility rules as SQL', ({ db }) => {
  before(async () => {
    await createRuleTables(db());
    await insertWorld(db(), world);
  });

  const base = { referenceDate: '2024-03-01', regions: '*', target: 'person' } as const;

  it('selects what each construct means, as the evaluator does', async () => {
    for (const [text, expected] of cases) {
      const rule = checkRule(text, testEnvironment);
      assert.deepEqual(await selectedIds(db(), rule, base), ids(expected), text);
      assert.deepEqual(
        evaluateRule(rule, world, base.referenceDate),
        ids(expected),
        `memory: ${text}`,
      );
    }
  });

  it('counts ages at the reference date, 29 February included', async () => {
    const at = async (text: string, referenceDate: string) =>
      selectedIds(db(), checkRule(text, testEnvironment), { ...base, referenceDate });
    assert.deepEqual(await at('age = 3', '2024-02-28'), ids('a4'));
    assert.deepEqual(await at('age = 4', '2024-02-29'), ids('a4'));
    assert.deepEqual(await at('age = 23 and region = "VE-A"', '2024-02-28'), ids('c1'));
    assert.deepEqual(await at('age = 22 and region = "VE-A"', '2023-02-28'), ids('c1'));
    assert.deepEqual(await at('age = 23 and region = "VE-A"', '2023-03-01'), ids('c1'));
    assert.deepEqual(await at('age = 46', '2024-01-01'), ids('a2'));
    assert.deepEqual(await at('age = 45', '2023-12-31'), ids('a2'));
    assert.deepEqual(await at('age = 74', '2024-12-01'), ids('b1'));
    assert.deepEqual(await at('age = 73', '2024-11-30'), ids('b1'));
  });

  it('selects one row per household for a household target', async () => {
    const rule = (text: string) => checkRule(text, testEnvironment);
    const household = { ...base, target: 'household' } as const;
    assert.deepEqual(await selectedIds(db(), rule('true'), household), ids('a1 b1 c1 c3'));
    assert.deepEqual(
      await selectedIds(db(), rule('count(age < 18) >= 1'), household),
      ids('a1 b1'),
    );
    assert.deepEqual(
      evaluateRule(
        rule('count(age < 18) >= 1'),
        { ...world, target: 'household' },
        base.referenceDate,
      ),
      ids('a1 b1'),
    );
  });

  it('keeps to the regions of the run', async () => {
    const rule = checkRule('true', testEnvironment);
    assert.deepEqual(
      await selectedIds(db(), rule, { ...base, regions: ['VE-B', 'VE-C'] }),
      ids('b1 b2 c3'),
    );
    assert.deepEqual(await selectedIds(db(), rule, { ...base, regions: [] }), ids(''));
    assert.deepEqual(
      evaluateRule(rule, { ...world, regions: ['VE-B', 'VE-C'] }, base.referenceDate),
      ids('b1 b2 c3'),
    );
  });

  it('reads health values from the run table, for medicine rules only', async () => {
    const env: RuleEnvironment = medicineEnvironment;
    const rule = checkRule('diabetic and insulin_units > 10 and age > 18', env);
    assert.throws(() => ruleSelect(rule, { ...base, engine: db().engine }), /healthTable/);
    assert.deepEqual(await selectedIds(db(), rule, { ...base, healthTable: true }), ids('c1'));
    assert.deepEqual(evaluateRule(rule, world, base.referenceDate), ids('c1'));
  });

  it('binds every value: no rule text reaches the SQL', () => {
    const rule = checkRule(
      'school = "x\'); drop table persons; --" or region = "VE-D"',
      testEnvironment,
    );
    const compiled = ruleSelect(rule, { ...base, engine: db().engine }).compile(db().kysely);
    assert.ok(!compiled.sql.includes('drop table'));
    assert.ok(!compiled.sql.includes('VE-D'));
    assert.ok(compiled.parameters.includes("x'); drop table persons; --"));
    assert.ok(!compiled.sql.trimEnd().endsWith(';'));
    assert.throws(
      () => ruleSelect(rule, { ...base, engine: db().engine, referenceDate: '2024-2-1' }),
      /reference date/,
    );
  });
});
