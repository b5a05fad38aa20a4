// A checked rule evaluated in memory over a small world of persons, with exactly the SQL's
// three-valued logic: a missing value is null, null propagates through arithmetic and
// comparisons, `and`/`or`/`not` are Kleene's, and a person is selected only when TRUE.
// The property test holds the SQL to this; small checks and previews use it directly.
import type { LiteralValue } from './ast';
import { ageAt } from './age';
import type { CheckedExpr, CheckedRule, RuleValueType } from './checked';

/** A person as the evaluator sees them. */
export interface RuleWorldPerson {
  id: string;
  birthDate: string;
  sex: 'F' | 'M' | 'X' | null;
  regionCode: string;
  locality: string | null;
  status: 'active' | 'deceased' | 'merged' | 'inactive';
  householdId: string | null;
  /** Relationship to the head in the current household; null without a household. */
  relationship: string | null;
  attributes: Record<string, unknown>;
  /** Decrypted health attributes, for medicine rules. */
  health?: Record<string, unknown>;
}

/** The persons to evaluate over, the members of other programmes' cycles, and the target. */
export interface RuleWorld {
  persons: readonly RuleWorldPerson[];
  /** Cycle id → its members. */
  cycleMembers?: ReadonlyMap<string, readonly { personId: string; householdId: string | null }[]>;
  target: 'person' | 'household';
  /** The regions covered; every region when absent. */
  regions?: readonly string[] | '*';
}

type Value = LiteralValue | null;

const jsType: Record<RuleValueType, string> = {
  integer: 'number',
  boolean: 'boolean',
  string: 'string',
  date: 'string',
};

interface Context {
  readonly referenceDate: string;
  readonly world: RuleWorld;
  /** Active persons by household id. */
  readonly households: ReadonlyMap<string, readonly RuleWorldPerson[]>;
}

function attributeValue(
  bag: Record<string, unknown> | undefined,
  name: string,
  type: RuleValueType,
) {
  const v = bag?.[name];
  return typeof v === jsType[type] ? (v as LiteralValue) : null;
}

function compare(op: string, a: Value, b: Value): Value {
  if (a === null || b === null) return null;
  switch (op) {
    case '=':
      return a === b;
    case '!=':
      return a !== b;
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    default:
      return a >= b;
  }
}

function value(expr: CheckedExpr, p: RuleWorldPerson, ctx: Context): Value {
  switch (expr.kind) {
    case 'literal':
      return expr.value;
    case 'field':
      switch (expr.field) {
        case 'age':
          return ageAt(p.birthDate, ctx.referenceDate);
        case 'sex':
          return p.sex;
        case 'region':
          return p.regionCode;
        case 'locality':
          return p.locality;
        case 'relationship':
          return p.relationship;
      }
      break;
    case 'household_size':
      return p.householdId === null ? 1 : (ctx.households.get(p.householdId)?.length ?? 1);
    case 'attribute':
      return attributeValue(expr.health ? p.health : p.attributes, expr.name, expr.type);
    case 'negate': {
      const v = value(expr.operand, p, ctx);
      return v === null ? null : -Number(v);
    }
    case 'arithmetic': {
      const a = value(expr.left, p, ctx);
      const b = value(expr.right, p, ctx);
      if (a === null || b === null) return null;
      const [x, y] = [Number(a), Number(b)];
      return expr.op === '+' ? x + y : expr.op === '-' ? x - y : x * y;
    }
    case 'compare':
      return compare(expr.op, value(expr.left, p, ctx), value(expr.right, p, ctx));
    case 'logic': {
      const a = value(expr.left, p, ctx);
      const b = value(expr.right, p, ctx);
      if (expr.op === 'and')
        return a === false || b === false ? false : a === null || b === null ? null : true;
      return a === true || b === true ? true : a === null || b === null ? null : false;
    }
    case 'not': {
      const v = value(expr.operand, p, ctx);
      return v === null ? null : !v;
    }
    case 'in': {
      const v = value(expr.operand, p, ctx);
      if (v === null) return null;
      return expr.values.includes(v) !== expr.negated;
    }
    case 'count': {
      const members = p.householdId === null ? undefined : ctx.households.get(p.householdId);
      return (members ?? [p]).filter((m) => value(expr.condition, m, ctx) === true).length;
    }
    case 'programme': {
      if (expr.cycleId === null) return false;
      const entries = ctx.world.cycleMembers?.get(expr.cycleId) ?? [];
      return entries.some(
        (e) => e.personId === p.id || (e.householdId !== null && e.householdId === p.householdId),
      );
    }
  }
  throw new Error('invariant violated: unknown rule expression');
}

/** The ids of the active persons (of the world's regions and target) for whom the rule is TRUE. */
export function evaluateRule(
  rule: CheckedRule,
  world: RuleWorld,
  referenceDate: string,
): Set<string> {
  const households = new Map<string, RuleWorldPerson[]>();
  for (const p of world.persons) {
    if (p.status !== 'active' || p.householdId === null) continue;
    const list = households.get(p.householdId) ?? [];
    list.push(p);
    households.set(p.householdId, list);
  }
  const ctx: Context = { referenceDate, world, households };
  const regions = world.regions ?? '*';
  const selected = new Set<string>();
  for (const p of world.persons) {
    if (p.status !== 'active') continue;
    if (regions !== '*' && !regions.includes(p.regionCode)) continue;
    if (world.target === 'household' && p.householdId !== null && p.relationship !== 'head')
      continue;
    if (value(rule.root, p, ctx) === true) selected.add(p.id);
  }
  return selected;
}
