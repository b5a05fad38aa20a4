// What a rule may name, read from the database at the moment it is checked: the declared
// attributes (not retired), the other programmes with their latest frozen cycle, and the
// deployment's regions. A rule is checked again at every freeze, so that an attribute retired
// since the programme was written stops the freeze with its position rather than selecting
// nobody in silence.
import type { Queryable } from '../db';
import type { AppContext } from '../shared/context';
import { DomainError } from '../shared/errors';
import { readStoredJson, storedTextList } from '../shared/stored-json';
import type { ProgrammeKind } from './programme-input';
import { validateRule, type CheckedRule, type RuleEnvironment, type RuleUses } from './rules';

/** Cycles whose eligible set exists: what `in_programme(...)` looks at. */
export const frozenStatuses = ['frozen', 'generated', 'approved', 'closed'] as const;

/** The environment a rule of a programme of `kind` is checked in. */
export async function ruleEnvironment(
  db: Queryable,
  app: AppContext,
  kind: ProgrammeKind,
): Promise<RuleEnvironment> {
  const attributes = await db
    .selectFrom('attribute_definitions')
    .select(['name', 'type', 'category', 'enum_values'])
    .where('retired_at', 'is', null)
    .execute();
  const programmes = await db.selectFrom('programmes').select(['id', 'code']).execute();
  const latest = await db
    .selectFrom('cycles')
    .select(['programme_id', 'id', 'frozen_at'])
    .where('status', 'in', [...frozenStatuses])
    .orderBy('frozen_at', 'desc')
    .execute();
  const latestOf = new Map<string, string>();
  for (const c of latest) if (!latestOf.has(c.programme_id)) latestOf.set(c.programme_id, c.id);
  return {
    attributes: new Map(
      attributes.map((a) => [
        a.name,
        {
          type: a.type,
          category: a.category,
          ...(a.enum_values
            ? {
                enumValues: readStoredJson(
                  storedTextList,
                  a.enum_values,
                  `attribute ${a.name} enum_values`,
                ),
              }
            : {}),
        },
      ]),
    ),
    programmeKind: kind,
    programmes: new Map(programmes.map((p) => [p.code, latestOf.get(p.id) ?? null])),
    regions: Object.keys(app.config.regions),
  };
}

/** Checks a rule; a rule with problems is refused with every problem and its position. */
export async function checkedRule(
  db: Queryable,
  app: AppContext,
  kind: ProgrammeKind,
  text: string,
  field = 'rule',
): Promise<{ rule: CheckedRule; uses: RuleUses }> {
  const result = validateRule(text, await ruleEnvironment(db, app, kind));
  if (result.ok) return { rule: result.rule, uses: result.uses };
  const first = result.problems[0]!;
  throw new DomainError(
    'INVALID_RULE',
    `${first.message} (line ${first.line}, column ${first.column})`,
    field,
    { problems: result.problems },
  );
}
