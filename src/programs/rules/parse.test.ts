// The grammar without a database: every construct parses to the tree it should, precedence
// is the documented one, and syntax errors point at the right line and column.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RuleNode } from './ast';
import { maxListItems, maxRuleLength, maxRuleNodes } from './limits';
import { parseRule } from './parser';
import { RuleError, type RuleProblem } from './problems';

/** A parsed tree as a compact S-expression. */
function show(node: RuleNode): string {
  switch (node.kind) {
    case 'integer':
    case 'boolean':
      return String(node.value);
    case 'string':
      return JSON.stringify(node.value);
    case 'name':
      return node.name;
    case 'negate':
      return `(- ${show(node.operand)})`;
    case 'not':
      return `(not ${show(node.operand)})`;
    case 'arithmetic':
    case 'compare':
    case 'logic':
      return `(${node.op} ${show(node.left)} ${show(node.right)})`;
    case 'in':
      return `(${node.negated ? 'not-in' : 'in'} ${show(node.operand)} [${node.items.map((i) => JSON.stringify(i.value)).join(' ')}])`;
    case 'count':
      return `(count ${show(node.condition)})`;
    case 'in_programme':
      return `(in_programme ${JSON.stringify(node.code)})`;
  }
}

const tree = (text: string) => show(parseRule(text).root);

/** The single problem a parse refuses with. */
function parseProblem(text: string): RuleProblem {
  try {
    parseRule(text);
  } catch (error) {
    assert.ok(error instanceof RuleError);
    assert.equal(error.problems.length, 1);
    return error.problems[0]!;
  }
  assert.fail(`expected ${JSON.stringify(text)} to be refused`);
}

describe('rule parser', () => {
  it('parses every construct', () => {
    assert.equal(tree('age >= 18'), '(>= age 18)');
    assert.equal(tree('sex = "F"'), '(= sex "F")');
    assert.equal(
      tree('employed = true or employed = false'),
      '(or (= employed true) (= employed false))',
    );
    assert.equal(
      tree('a != 1 and b < 2 and c <= 3 and d > 4 and e >= 5').includes('(!= a 1)'),
      true,
    );
    assert.equal(tree('income + 2 * 3 - 1 > 0'), '(> (- (+ income (* 2 3)) 1) 0)');
    assert.equal(tree('-age < --3'), '(< (- age) (- (- 3)))');
    assert.equal(tree('region in ["VE-A", "VE-B"]'), '(in region ["VE-A" "VE-B"])');
    assert.equal(tree('income not in [-1, 2]'), '(not-in income [-1 2])');
    assert.equal(tree('flag in [true, false]'), '(in flag [true false])');
    assert.equal(tree('count(age < 18) >= 2'), '(>= (count (< age 18)) 2)');
    assert.equal(tree('in_programme("food")'), '(in_programme "food")');
    assert.equal(tree('(age)'), 'age');
    assert.equal(tree('true'), 'true');
    assert.equal(tree('school = "say \\"hi\\" \\\\ bye"'), '(= school "say \\"hi\\" \\\\ bye")');
  });

  it('binds not tighter than and, and and tighter than or', () => {
    assert.equal(tree('not a = 1 and b = 2 or c = 3'), '(or (and (not (= a 1)) (= b 2)) (= c 3))');
    assert.equal(tree('a = 1 or b = 2 and c = 3'), '(or (= a 1) (and (= b 2) (= c 3)))');
    assert.equal(tree('not not a'), '(not (not a))');
    assert.equal(tree('not a in [1]'), '(not (in a [1]))');
    assert.equal(tree('(a = 1 or b = 2) and c = 3'), '(and (or (= a 1) (= b 2)) (= c 3))');
  });

  it('reads keywords in any case, comments and newlines as space', () => {
    assert.equal(
      tree('# who qualifies\nage >= 18 AND\n  Not In_Programme("food") # not twice\nOR TRUE'),
      '(or (and (>= age 18) (not (in_programme "food"))) true)',
    );
  });

  it('keeps spans: line, column, offset and length', () => {
    const p = parseProblem('age > 1\n  and )');
    assert.deepEqual(
      { ...p },
      {
        code: 'RULE_SYNTAX',
        message:
          'expected a number, a string, `true`, `false`, a name, `(`, `count(...)` or `in_programme(...)`, found `)`',
        line: 2,
        column: 7,
        offset: 14,
        length: 1,
        expected: [
          'a number',
          'a string',
          '`true`',
          '`false`',
          'a name',
          '`(`',
          '`count(...)`',
          '`in_programme(...)`',
        ],
      },
    );
  });

  it('names what was expected after an expression', () => {
    assert.equal(
      parseProblem('age )').message,
      'expected a comparison operator, `and`, `or` or the end of the rule, found `)`',
    );
    assert.equal(
      parseProblem('age > 1 )').message,
      'expected `and`, `or` or the end of the rule, found `)`',
    );
    const chained = parseProblem('1 < age < 5');
    assert.match(chained.message, /comparisons do not chain/);
    assert.equal(chained.column, 9);
    assert.deepEqual(
      [parseProblem('(age > 1').message, parseProblem('(age > 1').column],
      ['expected `and`, `or` or `)`, found the end of the rule', 9],
    );
    assert.equal(parseProblem('count age').message, 'expected `(` after `count`, found `age`');
    assert.equal(
      parseProblem('in_programme(food)').message,
      'expected a programme code in double quotes, found `food`',
    );
    assert.equal(parseProblem('age not 5').message, 'expected `in` after `not`, found `5`');
    assert.equal(parseProblem('age in [1, age]').column, 12);
    assert.equal(parseProblem('age in [1 2]').message, 'expected `,` or `]`, found `2`');
    assert.equal(parseProblem('age in 1').message, 'expected `[` to start a list, found `1`');
  });

  it('refuses malformed tokens where they are', () => {
    const open = parseProblem('sex = "F\nand age > 1');
    assert.deepEqual([open.code, open.line, open.column], ['RULE_SYNTAX', 1, 7]);
    assert.match(open.message, /not closed/);
    assert.deepEqual(
      [parseProblem('a = "x\\n"').column, parseProblem('a = "x\\n"').message],
      [7, 'in a string, `\\` may only be followed by `"` or `\\`'],
    );
    const bang = parseProblem('\n\n   !age');
    assert.deepEqual([bang.line, bang.column, bang.offset], [3, 4, 5]);
    assert.match(bang.message, /`!=`/);
    assert.equal(parseProblem('age > 1 ; x').message, 'unexpected character `;`');
    assert.match(parseProblem('houseHold = 1').message, /lower_snake_case, like `household`/);
    assert.equal(parseProblem('age > 12abc').message, '`12abc` is neither a number nor a name');
  });

  it('enforces the limits', () => {
    const long = parseProblem(`age > 1 ${' '.repeat(maxRuleLength)}`);
    assert.deepEqual([long.code, long.offset], ['RULE_TOO_LARGE', maxRuleLength]);
    parseRule(`age > 1${' '.repeat(maxRuleLength - 7)}`);
    const terms = Array.from({ length: 60 }, () => 'age = 1').join(' or ');
    const many = parseProblem(terms);
    assert.equal(many.code, 'RULE_TOO_LARGE');
    assert.match(many.message, new RegExp(`more than ${maxRuleNodes} parts`));
    parseRule(Array.from({ length: 50 }, () => 'age = 1').join(' or '));
    const items = (n: number) => `age in [${Array.from({ length: n }, (_, i) => i).join(', ')}]`;
    parseRule(items(maxListItems));
    const list = parseProblem(items(maxListItems + 1));
    assert.deepEqual(
      [list.code, list.message],
      ['RULE_TOO_LARGE', `this list has more than ${maxListItems} items`],
    );
    const big = parseProblem('income > 9007199254740993');
    assert.deepEqual([big.code, big.column], ['RULE_TOO_LARGE', 10]);
  });
});
