// Resolves every name of a parsed rule and types every node, collecting all problems rather
// than stopping at the first, so an author fixes a rule in one pass. The refusals of the
// project's principles (cards, prohibited topics, health data) are made here, by name.
import type { LiteralValue, ParsedRule, RuleNode } from './ast';
import type { CheckedExpr, CheckedRule, RuleEnvironment, RuleUses, RuleValueType } from './checked';
import { isIsoDate } from './dates';
import { builtinNames, refusalOf, relationshipValues, sexValues } from './names';
import { nearest } from './nearest';
import { parseRule } from './parser';
import {
  listWithOr,
  placeOf,
  problemAt,
  RuleError,
  snippet,
  type RuleProblem,
  type RuleProblemCode,
  type Span,
} from './problems';

const article: Record<RuleValueType, string> = {
  integer: 'an integer',
  boolean: 'true or false',
  string: 'a string',
  date: 'a date',
};

function typeOfLiteral(value: LiteralValue): RuleValueType {
  return typeof value === 'number' ? 'integer' : typeof value === 'boolean' ? 'boolean' : 'string';
}

/** The values a string expression may take, when they are a closed set. */
interface Domain {
  readonly label: string;
  readonly values: readonly string[];
  /** Suggest the nearest value (a long list) instead of listing them all. */
  readonly suggest: boolean;
}

class Checker {
  readonly problems: RuleProblem[] = [];
  private counts = 0;
  private usesRelationship = false;
  private readonly uses = {
    household: false,
    health: new Set<string>(),
    programmes: new Set<string>(),
    attributes: new Set<string>(),
  };

  constructor(
    private readonly text: string,
    private readonly env: RuleEnvironment,
  ) {}

  private report(
    span: Span,
    code: RuleProblemCode,
    message: string,
    extra: { suggestion?: string } = {},
  ): null {
    this.problems.push(problemAt(this.text, span, code, message, extra));
    return null;
  }

  private what(node: RuleNode): string {
    return `\`${snippet(this.text, node.span)}\``;
  }

  rule(parsed: ParsedRule): CheckedRule | null {
    const root = this.check(parsed.root, false);
    if (root && root.type !== 'boolean')
      this.report(
        parsed.root.span,
        'RULE_TYPE',
        `the rule must be true or false for each person, but ${this.what(parsed.root)} is ${article[root.type]}`,
      );
    this.problems.sort((a, b) => a.offset - b.offset);
    if (!root || this.problems.length > 0) return null;
    const sorted = (s: Set<string>) => [...s].sort();
    const uses: RuleUses = {
      household: this.uses.household,
      health: sorted(this.uses.health),
      programmes: sorted(this.uses.programmes),
      attributes: sorted(this.uses.attributes),
    };
    return { text: parsed.text, root, uses, usesRelationship: this.usesRelationship };
  }

  private check(node: RuleNode, inCount: boolean): CheckedExpr | null {
    switch (node.kind) {
      case 'integer':
        return { kind: 'literal', type: 'integer', value: node.value };
      case 'string':
        return { kind: 'literal', type: 'string', value: node.value };
      case 'boolean':
        return { kind: 'literal', type: 'boolean', value: node.value };
      case 'name':
        return this.name(node.name, node.span, inCount);
      case 'negate': {
        const operand = this.check(node.operand, inCount);
        if (!operand) return null;
        if (operand.type !== 'integer')
          return this.report(
            node.span,
            'RULE_TYPE',
            `\`-\` works on integers, but ${this.what(node.operand)} is ${article[operand.type]}`,
          );
        return { kind: 'negate', type: 'integer', operand };
      }
      case 'not': {
        const operand = this.check(node.operand, inCount);
        if (!operand) return null;
        if (operand.type !== 'boolean')
          return this.report(
            node.span,
            'RULE_TYPE',
            `\`not\` works on true or false, but ${this.what(node.operand)} is ${article[operand.type]}`,
          );
        return { kind: 'not', type: 'boolean', operand };
      }
      case 'arithmetic': {
        const left = this.check(node.left, inCount);
        const right = this.check(node.right, inCount);
        if (!left || !right) return null;
        for (const [side, typed] of [
          [node.left, left],
          [node.right, right],
        ] as const) {
          if (typed.type !== 'integer')
            return this.report(
              side.span,
              'RULE_TYPE',
              `\`${node.op}\` works on integers, but ${this.what(side)} is ${article[typed.type]}`,
            );
        }
        return { kind: 'arithmetic', type: 'integer', op: node.op, left, right };
      }
      case 'logic': {
        const left = this.check(node.left, inCount);
        const right = this.check(node.right, inCount);
        let ok = left !== null && right !== null;
        for (const [side, typed] of [
          [node.left, left],
          [node.right, right],
        ] as const) {
          if (typed && typed.type !== 'boolean') {
            ok = false;
            this.report(
              side.span,
              'RULE_TYPE',
              `\`${node.op}\` joins conditions that are true or false, but ${this.what(side)} is ${article[typed.type]}`,
            );
          }
        }
        if (!ok || !left || !right) return null;
        return { kind: 'logic', type: 'boolean', op: node.op, left, right };
      }
      case 'compare':
        return this.compare(node, inCount);
      case 'in':
        return this.inList(node, inCount);
      case 'count': {
        if (inCount)
          return this.report(
            node.span,
            'RULE_TYPE',
            '`count(...)` cannot be used inside another `count(...)`',
          );
        const condition = this.check(node.condition, true);
        if (!condition) return null;
        if (condition.type !== 'boolean')
          return this.report(
            node.condition.span,
            'RULE_TYPE',
            `\`count(...)\` counts the household members for whom a condition is true, but ${this.what(node.condition)} is ${article[condition.type]}`,
          );
        this.uses.household = true;
        return { kind: 'count', type: 'integer', index: this.counts++, condition };
      }
      case 'in_programme': {
        if (!this.env.programmes.has(node.code)) {
          const suggestion = nearest(node.code, this.env.programmes.keys());
          return this.report(
            node.codeSpan,
            'RULE_UNKNOWN_NAME',
            `unknown programme \`${node.code}\` at ${placeOf(this.text, node.codeSpan)}${suggestion ? `; did you mean \`${suggestion}\`?` : ''}`,
            suggestion ? { suggestion } : {},
          );
        }
        this.uses.programmes.add(node.code);
        return {
          kind: 'programme',
          type: 'boolean',
          code: node.code,
          cycleId: this.env.programmes.get(node.code) ?? null,
        };
      }
    }
  }

  private name(name: string, span: Span, inCount: boolean): CheckedExpr | null {
    const refusal = refusalOf(name);
    if (refusal) return this.report(span, refusal.code, refusal.message);
    const builtin = builtinNames.get(name);
    if (builtin?.kind === 'household_size') {
      if (inCount)
        return this.report(
          span,
          'RULE_TYPE',
          '`household_size` is the same for every member of a household: use it outside `count(...)`',
        );
      this.uses.household = true;
      return { kind: 'household_size', type: 'integer' };
    }
    if (builtin) {
      if (builtin.field === 'relationship') this.usesRelationship = true;
      return { kind: 'field', field: builtin.field, type: builtin.type };
    }
    const attribute = this.env.attributes.get(name);
    if (!attribute) {
      const suggestion = nearest(name, [...builtinNames.keys(), ...this.env.attributes.keys()]);
      return this.report(
        span,
        'RULE_UNKNOWN_NAME',
        `unknown name \`${name}\` at ${placeOf(this.text, span)}${suggestion ? `; did you mean \`${suggestion}\`?` : ''}`,
        suggestion ? { suggestion } : {},
      );
    }
    const health = attribute.category === 'health';
    if (health && this.env.programmeKind !== 'medicine')
      return this.report(
        span,
        'RULE_HEALTH_OUTSIDE_MEDICINE',
        `\`${name}\` is a health attribute: only a medicine programme may read health data, and this is a ${this.env.programmeKind} programme`,
      );
    if (health && inCount)
      return this.report(
        span,
        'RULE_HEALTH_OF_OTHERS',
        `\`${name}\` is a health attribute: a rule may read health data only about the person themself, not about other members inside \`count(...)\``,
      );
    (health ? this.uses.health : this.uses.attributes).add(name);
    const type = attribute.type === 'enum' ? 'string' : attribute.type;
    return { kind: 'attribute', type, name, health };
  }

  private domainOf(expr: CheckedExpr): Domain | null {
    if (expr.kind === 'field' && expr.field === 'sex')
      return { label: '`sex`', values: sexValues, suggest: false };
    if (expr.kind === 'field' && expr.field === 'relationship')
      return { label: '`relationship`', values: relationshipValues, suggest: false };
    if (expr.kind === 'field' && expr.field === 'region')
      return { label: '`region`', values: this.env.regions, suggest: true };
    if (expr.kind === 'attribute') {
      const values = this.env.attributes.get(expr.name)?.enumValues;
      if (values) return { label: `\`${expr.name}\``, values, suggest: values.length > 12 };
    }
    return null;
  }

  /** Checks a string literal against the closed set of values of the other side, if any. */
  private checkValue(domain: Domain | null, value: string, span: Span): boolean {
    if (!domain || domain.values.includes(value)) return true;
    if (domain.suggest) {
      const suggestion = nearest(value, domain.values);
      this.report(
        span,
        'RULE_VALUE',
        `"${value}" is not a value of ${domain.label}${suggestion ? `; did you mean "${suggestion}"?` : ''}`,
        suggestion ? { suggestion } : {},
      );
    } else {
      this.report(
        span,
        'RULE_VALUE',
        `"${value}" is not a value of ${domain.label}, which is one of ${listWithOr(domain.values.map((v) => `"${v}"`))}`,
      );
    }
    return false;
  }

  /** A string literal read as a date, when compared with a date. */
  private asDate(expr: CheckedExpr, node: RuleNode): CheckedExpr | null {
    if (expr.kind !== 'literal' || typeof expr.value !== 'string') return expr;
    if (!isIsoDate(expr.value))
      return this.report(
        node.span,
        'RULE_VALUE',
        `"${expr.value}" is not a date: write dates as "YYYY-MM-DD", like "2024-02-29"`,
      );
    return { kind: 'literal', type: 'date', value: expr.value };
  }

  private compare(node: Extract<RuleNode, { kind: 'compare' }>, inCount: boolean) {
    let left = this.check(node.left, inCount);
    let right = this.check(node.right, inCount);
    if (!left || !right) return null;
    if (left.type === 'date' && right.type === 'string') right = this.asDate(right, node.right);
    else if (right.type === 'date' && left.type === 'string') left = this.asDate(left, node.left);
    if (!left || !right) return null;
    const ordering = node.op !== '=' && node.op !== '!=';
    if (ordering) {
      for (const [side, typed] of [
        [node.left, left],
        [node.right, right],
      ] as const) {
        if (typed.type !== 'integer' && typed.type !== 'date')
          return this.report(
            side.span,
            'RULE_TYPE',
            `${this.what(side)} is ${article[typed.type]}, cannot be compared with ${node.op}; ordering works on integers and dates`,
          );
      }
    }
    if (left.type !== right.type)
      return this.report(
        node.opSpan,
        'RULE_TYPE',
        `${this.what(node.left)} is ${article[left.type]} and ${this.what(node.right)} is ${article[right.type]}: \`${node.op}\` compares two values of the same type`,
      );
    if (left.type === 'string') {
      const pairs = [
        [left, right, node.right],
        [right, left, node.left],
      ] as const;
      for (const [named, literal, literalNode] of pairs) {
        if (literal.kind === 'literal' && typeof literal.value === 'string')
          if (!this.checkValue(this.domainOf(named), literal.value, literalNode.span)) return null;
      }
    }
    return {
      kind: 'compare',
      type: 'boolean',
      op: node.op,
      operandType: left.type,
      left,
      right,
    } as const;
  }

  private inList(node: Extract<RuleNode, { kind: 'in' }>, inCount: boolean) {
    const operand = this.check(node.operand, inCount);
    if (!operand) return null;
    const domain = this.domainOf(operand);
    const values: LiteralValue[] = [];
    let ok = true;
    for (const item of node.items) {
      let type = typeOfLiteral(item.value);
      if (operand.type === 'date' && typeof item.value === 'string') {
        if (!isIsoDate(item.value)) {
          this.report(
            item.span,
            'RULE_VALUE',
            `"${item.value}" is not a date: write dates as "YYYY-MM-DD", like "2024-02-29"`,
          );
          ok = false;
          continue;
        }
        type = 'date';
      }
      if (type !== operand.type) {
        this.report(
          item.span,
          'RULE_TYPE',
          `${this.what(node.operand)} is ${article[operand.type]}, but the list item \`${snippet(this.text, item.span)}\` is ${article[type]}`,
        );
        ok = false;
        continue;
      }
      if (typeof item.value === 'string' && !this.checkValue(domain, item.value, item.span)) {
        ok = false;
        continue;
      }
      values.push(item.value);
    }
    if (!ok) return null;
    return { kind: 'in', type: 'boolean', negated: node.negated, operand, values } as const;
  }
}

/** Parses and checks a rule without throwing: the checked rule and what it reads, or why not. */
export function validateRule(
  text: string,
  env: RuleEnvironment,
): { ok: true; rule: CheckedRule; uses: RuleUses } | { ok: false; problems: RuleProblem[] } {
  let parsed: ParsedRule;
  try {
    parsed = parseRule(text);
  } catch (error) {
    if (error instanceof RuleError) return { ok: false, problems: error.problems };
    throw error;
  }
  const checker = new Checker(text, env);
  const rule = checker.rule(parsed);
  if (!rule) return { ok: false, problems: checker.problems };
  return { ok: true, rule, uses: rule.uses };
}

/** Parses and checks a rule against an environment; throws RuleError with every problem. */
export function checkRule(text: string, env: RuleEnvironment): CheckedRule {
  const result = validateRule(text, env);
  if (!result.ok) throw new RuleError(result.problems);
  return result.rule;
}
