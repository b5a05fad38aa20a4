// A checked rule as one SELECT over the registry: the active persons of the chosen regions
// for whom the rule is TRUE. Household terms come from one aggregate over the members,
// computed in a single pass and joined once, so a rule costs one scan whatever it counts.
import { sql, type RawBuilder } from 'kysely';
import type { CheckedRule } from './checked';
import { isIsoDate } from './dates';
import { countConditions, exprSql, type CompileContext, type Fragment } from './sql-expr';

/** How to compile a rule. */
export interface RuleSelectOptions {
  engine: 'sqlite' | 'postgres';
  /** The date ages are counted at: YYYY-MM-DD. */
  referenceDate: string;
  /** The regions the run covers, or every region. */
  regions: readonly string[] | '*';
  /** Every matching person, or one row per household (its head, or a person living alone). */
  target: 'person' | 'household';
  /** Health attributes are read from `rule_health_values`, filled by the caller for the run. */
  healthTable?: boolean;
}

/** One selected person, as the SELECT returns it. */
export interface RuleSelectRow {
  person_id: string;
  household_id: string | null;
  region_code: string;
  sex: 'F' | 'M' | 'X' | null;
  birth_date: string;
}

const person = { person: 'p', membership: 'r' } as const;
const member = { person: 'm', membership: 'mr' } as const;

function caseOne(condition: Fragment): Fragment {
  return sql`case when ${condition} then 1 else 0 end`;
}

/**
 * The SELECT (no trailing semicolon) of the persons a rule selects, with the columns
 * person_id, household_id, region_code, sex and birth_date. Throws when the options cannot
 * run the rule (a bad reference date, or health attributes without `healthTable`).
 */
export function ruleSelect(
  rule: CheckedRule,
  options: RuleSelectOptions,
): RawBuilder<RuleSelectRow> {
  if (!isIsoDate(options.referenceDate))
    throw new Error(`reference date ${options.referenceDate} is not a YYYY-MM-DD date`);
  if (rule.uses.health.length > 0 && options.healthTable !== true)
    throw new Error('this rule reads health attributes: run it with healthTable');
  const conditions = countConditions(rule.root);
  const ctx: CompileContext = {
    engine: options.engine,
    referenceDate: options.referenceDate,
    count: (index) => {
      const condition = conditions[index];
      if (!condition) throw new Error(`invariant violated: no count number ${index}`);
      return sql`coalesce(${sql.ref(`hh.c${index}`)}, ${caseOne(exprSql(condition, ctx, person))})`;
    },
  };
  const where = exprSql(rule.root, ctx, person);

  const joins: Fragment[] = [];
  if (rule.usesRelationship)
    joins.push(sql`left join household_members r on r.person_id = p.id and r.left_at is null`);
  if (rule.uses.health.length > 0)
    joins.push(sql`left join rule_health_values ph on ph.person_id = p.id`);
  if (rule.uses.household) {
    const sums = conditions.map(
      (c, i) => sql`, sum(${caseOne(exprSql(c, ctx, member))}) as ${sql.ref(`c${i}`)}`,
    );
    const memberships = rule.usesRelationship
      ? sql` left join household_members mr on mr.person_id = m.id and mr.left_at is null`
      : sql``;
    joins.push(
      sql`left join (select m.household_id, count(*) as size${sql.join(sums, sql``)} from persons m${memberships} where m.status = 'active' and m.household_id is not null group by m.household_id) hh on hh.household_id = p.household_id`,
    );
  }

  const filters: Fragment[] = [sql`p.status = 'active'`];
  if (options.regions !== '*')
    filters.push(
      options.regions.length === 0
        ? sql`1 = 0`
        : sql`p.region_code in (${sql.join(options.regions.map((r) => sql`cast(${r} as text)`))})`,
    );
  if (options.target === 'household')
    filters.push(
      sql`(p.household_id is null or exists (select 1 from household_members hm where hm.person_id = p.id and hm.left_at is null and hm.relationship = 'head'))`,
    );
  filters.push(sql`(${where})`);

  return sql<RuleSelectRow>`select p.id as person_id, p.household_id, p.region_code, p.sex, p.birth_date from persons p ${sql.join(joins, sql` `)} where ${sql.join(filters, sql` and `)}`;
}
