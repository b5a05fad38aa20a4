// One checked expression as SQL, the same meaning on SQLite and PostgreSQL. Values are always
// bound parameters; the only identifiers are the fixed table aliases and columns below.
// Booleans are SQLite's 1/0 and PostgreSQL's true/false, so both engines agree on every
// comparison, and NULL flows through exactly as SQL's three-valued logic says.
import { sql, type RawBuilder } from 'kysely';
import type { LiteralValue } from './ast';
import type { CheckedExpr, RuleValueType } from './checked';

/** An SQL fragment. */
export type Fragment = RawBuilder<unknown>;

/** Whose row an expression reads: the selected person, or a household member in `count`. */
export interface Scope {
  readonly person: 'p' | 'm';
  /** The alias of the person's current household membership (for `relationship`). */
  readonly membership: 'r' | 'mr';
}

/** Everything an expression needs besides itself. */
export interface CompileContext {
  readonly engine: 'sqlite' | 'postgres';
  readonly referenceDate: string;
  /** The SQL for `count(...)` number `index`, at the top level. */
  readonly count: (index: number) => Fragment;
}

const columns = {
  id: 'id',
  sex: 'sex',
  region: 'region_code',
  locality: 'locality',
  household: 'household_id',
  birthDate: 'birth_date',
  attributes: 'attributes',
  relationship: 'relationship',
} as const;

function column(alias: string, name: (typeof columns)[keyof typeof columns]): Fragment {
  return sql.ref(`${alias}.${name}`);
}

/** A literal value of a type, bound (booleans are the engine's own constants). */
export function literalSql(
  engine: CompileContext['engine'],
  type: RuleValueType,
  value: LiteralValue,
): Fragment {
  if (type === 'boolean')
    return sql.raw(engine === 'sqlite' ? (value ? '1' : '0') : value ? 'true' : 'false');
  if (type === 'integer')
    return engine === 'sqlite' ? sql`cast(${value} as integer)` : sql`cast(${value} as bigint)`;
  return sql`cast(${value} as text)`;
}

/** Whole years from a stored birth date (YYYY, YYYY-MM or YYYY-MM-DD) to the reference date. */
export function ageSql(ctx: CompileContext, birthDate: Fragment): Fragment {
  const ref = sql`cast(${ctx.referenceDate} as text)`;
  const b = sql`substr(${birthDate} || '-01-01', 1, 10)`;
  const collate = ctx.engine === 'postgres' ? sql` collate "C"` : sql``;
  return sql`(cast(substr(${ref}, 1, 4) as integer) - cast(substr(${b}, 1, 4) as integer) - (case when substr(${ref}, 6, 5)${collate} < substr(${b}, 6, 5) then 1 else 0 end))`;
}

function attributeSql(
  ctx: CompileContext,
  source: Fragment,
  name: string,
  type: RuleValueType,
): Fragment {
  if (ctx.engine === 'sqlite') return sql`json_extract(${source}, ${`$.${name}`})`;
  const text = sql`(cast(${source} as jsonb) ->> cast(${name} as text))`;
  if (type === 'integer') return sql`cast(${text} as bigint)`;
  if (type === 'boolean') return sql`cast(${text} as boolean)`;
  return text;
}

const arithmetic = { '+': sql.raw('+'), '-': sql.raw('-'), '*': sql.raw('*') } as const;
const comparison = {
  '=': sql.raw('='),
  '!=': sql.raw('<>'),
  '<': sql.raw('<'),
  '<=': sql.raw('<='),
  '>': sql.raw('>'),
  '>=': sql.raw('>='),
} as const;

/** The SQL of a checked expression read over `scope`. */
export function exprSql(expr: CheckedExpr, ctx: CompileContext, scope: Scope): Fragment {
  const recur = (e: CheckedExpr) => exprSql(e, ctx, scope);
  switch (expr.kind) {
    case 'literal':
      return literalSql(ctx.engine, expr.type, expr.value);
    case 'field':
      switch (expr.field) {
        case 'age':
          return ageSql(ctx, column(scope.person, columns.birthDate));
        case 'sex':
          return column(scope.person, columns.sex);
        case 'region':
          return column(scope.person, columns.region);
        case 'locality':
          return column(scope.person, columns.locality);
        case 'relationship':
          return column(scope.membership, columns.relationship);
      }
      break;
    case 'household_size':
      return sql`coalesce(hh.size, 1)`;
    case 'attribute':
      return attributeSql(
        ctx,
        column(expr.health ? 'ph' : scope.person, columns.attributes),
        expr.name,
        expr.type,
      );
    case 'negate':
      return sql`(- ${recur(expr.operand)})`;
    case 'arithmetic':
      return sql`(${recur(expr.left)} ${arithmetic[expr.op]} ${recur(expr.right)})`;
    case 'compare': {
      const ordered = expr.op !== '=' && expr.op !== '!=';
      const collate =
        ctx.engine === 'postgres' && ordered && expr.operandType === 'date'
          ? sql` collate "C"`
          : sql``;
      return sql`(${recur(expr.left)}${collate} ${comparison[expr.op]} ${recur(expr.right)})`;
    }
    case 'logic':
      return expr.op === 'and'
        ? sql`(${recur(expr.left)} and ${recur(expr.right)})`
        : sql`(${recur(expr.left)} or ${recur(expr.right)})`;
    case 'not':
      return sql`(not ${recur(expr.operand)})`;
    case 'in': {
      const list = sql.join(expr.values.map((v) => literalSql(ctx.engine, expr.operand.type, v)));
      return expr.negated
        ? sql`(${recur(expr.operand)} not in (${list}))`
        : sql`(${recur(expr.operand)} in (${list}))`;
    }
    case 'count':
      return ctx.count(expr.index);
    case 'programme':
      if (expr.cycleId === null) return literalSql(ctx.engine, 'boolean', false);
      return sql`exists (select 1 from cycle_members e where e.cycle_id = cast(${expr.cycleId} as text) and (e.person_id = ${column(scope.person, columns.id)} or e.household_id = ${column(scope.person, columns.household)}))`;
  }
  throw new Error('invariant violated: unknown rule expression');
}

/** The `count(...)` conditions of an expression, in the order of their indexes. */
export function countConditions(expr: CheckedExpr, out: CheckedExpr[] = []): CheckedExpr[] {
  switch (expr.kind) {
    case 'count':
      out[expr.index] = expr.condition;
      break;
    case 'negate':
    case 'not':
      countConditions(expr.operand, out);
      break;
    case 'in':
      countConditions(expr.operand, out);
      break;
    case 'arithmetic':
    case 'compare':
    case 'logic':
      countConditions(expr.left, out);
      countConditions(expr.right, out);
      break;
    default:
      break;
  }
  return out;
}
