// The checker without a database: names, types and values, the refusals of the project's
// principles (cards, prohibited topics, health data), suggestions, and what a rule reads.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RuleEnvironment } from './checked';
import { checkRule, validateRule } from './check';
import { RuleError, type RuleProblem } from './problems';
import { medicineEnvironment, testAttributes, testEnvironment } from './testing';

/** The problems a rule is refused with, as [code, line, column]. */
function problems(text: string, env: RuleEnvironment = testEnvironment): RuleProblem[] {
  const result = validateRule(text, env);
  assert.ok(!result.ok, `expected ${JSON.stringify(text)} to be refused`);
  return result.problems;
}
function where(text: string, env?: RuleEnvironment): [string, number, number][] {
  return problems(text, env).map((p) => [p.code, p.line, p.column]);
}
function only(text: string, env?: RuleEnvironment): RuleProblem {
  const all = problems(text, env);
  assert.equal(all.length, 1, JSON.stringify(all));
  return all[0]!;
}

describe('rule checker', () => {
  it('accepts well-typed rules of every construct', () => {
    for (const text of [
      'age >= 18 and sex = "F"',
      'region in ["VE-A", "VE-B"] or locality = "Maracay"',
      'relationship != "head"',
      'household_size + 1 > count(age < 18) * 2',
      '-income < -10',
      'employed',
      'employed = (age > 60)',
      'employed not in [false]',
      'tier in ["a", "c"]',
      'school = "x"',
      'registered_on >= "2024-02-29" and registered_on in ["2020-01-01"]',
      '"2020-01-01" < registered_on',
      'in_programme("food") or not in_programme("shelter")',
      'count(relationship = "child" and in_programme("food")) = 0',
    ])
      assert.ok(validateRule(text, testEnvironment).ok, text);
  });

  it('reports what a rule reads', () => {
    const result = validateRule(
      'diabetic and income > 1 and count(tier = "a") > 0 and in_programme("shelter") and in_programme("food") and income < 9',
      medicineEnvironment,
    );
    assert.ok(result.ok);
    assert.deepEqual(result.uses, {
      household: true,
      health: ['diabetic'],
      programmes: ['food', 'shelter'],
      attributes: ['income', 'tier'],
    });
    const plain = checkRule('age > 1', testEnvironment);
    assert.deepEqual(plain.uses, { household: false, health: [], programmes: [], attributes: [] });
    assert.equal(checkRule('household_size = 2', testEnvironment).uses.household, true);
  });

  it('refuses any name about identity cards, declared or not (principle 2)', () => {
    const env: RuleEnvironment = {
      ...testEnvironment,
      attributes: new Map([...testAttributes, ['card_number', { type: 'string', category: 'x' }]]),
    };
    for (const name of [
      'card',
      'card_status',
      'has_card',
      'card_number',
      'tiene_tarjeta',
      'tarjeta',
      'carnet_patria',
      'idcard',
      'uses_cards',
    ]) {
      const p = only(`${name} = "active"`, env);
      assert.equal(p.code, 'RULE_CARD_GATE', name);
      assert.equal(
        p.message,
        `\`${name}\` refers to identity cards: eligibility may never depend on having or using a card (principle 2)`,
      );
    }
    const p = only('age > 1 and\n   card_status = "active"');
    assert.deepEqual([p.line, p.column, p.offset, p.length], [2, 4, 15, 11]);
    // A word that only starts like "card" is not a card.
    const health: RuleEnvironment = {
      ...medicineEnvironment,
      attributes: new Map([['cardiac_risk', { type: 'boolean', category: 'health' }]]),
    };
    assert.ok(validateRule('cardiac_risk', health).ok);
  });

  it('refuses prohibited topics before looking the name up (principle 1)', () => {
    const party = only('party_member = true');
    assert.equal(party.code, 'RULE_PROHIBITED');
    assert.match(party.message, /party membership/);
    assert.match(party.message, /principle 1/);
    assert.match(only('religion = "x"').message, /^`religion` refers to religion/);
    for (const name of ['voted_2024', 'sindicato', 'militante', 'church_member'])
      assert.equal(only(`${name} = 1`).code, 'RULE_PROHIBITED', name);
    const env: RuleEnvironment = {
      ...testEnvironment,
      attributes: new Map([['partido', { type: 'string', category: 'socioeconomic' }]]),
    };
    assert.equal(only('partido = "x"', env).code, 'RULE_PROHIBITED');
  });

  it('keeps health data to medicine programmes and to the person themself', () => {
    const outside = only('age > 1 and diabetic');
    assert.deepEqual([outside.code, outside.column], ['RULE_HEALTH_OUTSIDE_MEDICINE', 13]);
    assert.match(
      outside.message,
      /only a medicine programme may read health data, and this is a basket programme/,
    );
    assert.ok(validateRule('diabetic and insulin_units > 10', medicineEnvironment).ok);
    const others = only('count(diabetic) > 0', medicineEnvironment);
    assert.deepEqual([others.code, others.column], ['RULE_HEALTH_OF_OTHERS', 7]);
    assert.equal(only('count(diabetic) > 0').code, 'RULE_HEALTH_OUTSIDE_MEDICINE');
  });

  it('suggests the nearest name for an unknown one', () => {
    const p = only('houshold_size = 1');
    assert.deepEqual(
      {
        code: p.code,
        message: p.message,
        suggestion: p.suggestion,
        line: p.line,
        column: p.column,
      },
      {
        code: 'RULE_UNKNOWN_NAME',
        message: 'unknown name `houshold_size` at line 1, column 1; did you mean `household_size`?',
        suggestion: 'household_size',
        line: 1,
        column: 1,
      },
    );
    assert.equal(only('incme > 1').suggestion, 'income');
    const far = only('zzzzzzzz = 1');
    assert.equal(far.suggestion, undefined);
    assert.equal(far.message, 'unknown name `zzzzzzzz` at line 1, column 1');
    const programme = only('in_programme("fod")');
    assert.deepEqual(
      [programme.code, programme.column, programme.suggestion],
      ['RULE_UNKNOWN_NAME', 14, 'food'],
    );
  });

  it('types every operator', () => {
    const sex = only('sex < "F"');
    assert.deepEqual([sex.code, sex.column], ['RULE_TYPE', 1]);
    assert.equal(
      sex.message,
      '`sex` is a string, cannot be compared with <; ordering works on integers and dates',
    );
    assert.equal(only('employed >= true').code, 'RULE_TYPE');
    const mixed = only('age = "18"');
    assert.deepEqual([mixed.code, mixed.column], ['RULE_TYPE', 5]);
    assert.equal(
      mixed.message,
      '`age` is an integer and `"18"` is a string: `=` compares two values of the same type',
    );
    assert.equal(only('sex + 1 > 2').message, '`+` works on integers, but `sex` is a string');
    assert.equal(only('-employed').code, 'RULE_TYPE');
    assert.equal(only('not age').message, '`not` works on true or false, but `age` is an integer');
    assert.equal(only('age and employed').code, 'RULE_TYPE');
    assert.equal(only('age in ["1"]').column, 9);
    assert.equal(only('registered_on > 5').code, 'RULE_TYPE');
    assert.equal(only('registered_on = school').code, 'RULE_TYPE');
    assert.equal(
      only('age + 1').message,
      'the rule must be true or false for each person, but `age + 1` is an integer',
    );
    assert.equal(only('count(age)').code, 'RULE_TYPE');
    assert.match(only('count(count(age > 1) > 1) > 1').message, /inside another `count/);
    assert.match(only('count(household_size > 1) > 1').message, /outside `count/);
  });

  it('checks values against their closed sets', () => {
    const sex = only('sex = "W"');
    assert.deepEqual([sex.code, sex.column], ['RULE_VALUE', 7]);
    assert.equal(sex.message, '"W" is not a value of `sex`, which is one of "F", "M" or "X"');
    const region = only('region in ["VE-A", "VE-Z"]');
    assert.deepEqual([region.code, region.column, region.suggestion], ['RULE_VALUE', 20, 'VE-A']);
    assert.equal(only('"cousin" = relationship').code, 'RULE_VALUE');
    assert.match(only('tier = "d"').message, /one of "a", "b" or "c"/);
    assert.equal(only('registered_on < "2023-02-29"').code, 'RULE_VALUE');
    assert.equal(only('registered_on in ["2024-1-1"]').code, 'RULE_VALUE');
    assert.ok(validateRule('locality = "anything"', testEnvironment).ok);
  });

  it('collects every problem of a rule, in order, and throws them together', () => {
    const text = 'foo = 1 and sex < 2\n  and card = 1 and tier = "z" and religion = 1';
    assert.deepEqual(where(text), [
      ['RULE_UNKNOWN_NAME', 1, 1],
      ['RULE_TYPE', 1, 13],
      ['RULE_CARD_GATE', 2, 7],
      ['RULE_VALUE', 2, 27],
      ['RULE_PROHIBITED', 2, 35],
    ]);
    assert.throws(
      () => checkRule(text, testEnvironment),
      (e: unknown) =>
        e instanceof RuleError && e.problems.length === 5 && /unknown name/.test(e.message),
    );
    assert.deepEqual(where('age >'), [['RULE_SYNTAX', 1, 6]]);
  });
});
