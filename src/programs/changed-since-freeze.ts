// What changed in the registry after a cycle was frozen. The cycle itself never changes — its
// snapshot is what was decided — but the administrator sees how many records of its regions
// changed since, how many of those are in the snapshot, how many died or left, and how many
// the rule would select today that the snapshot does not hold (they count in the next cycle).
import { sql } from 'kysely';
import { requirePermission } from '../shared/access';
import type { AppContext, Caller } from '../shared/context';
import { DomainError } from '../shared/errors';
import { loadCycle, requireCycleRegions } from './cycle-store';
import { checkedRule } from './rule-environment';
import { ruleSelect } from './rules';

/** Counts of registry changes since a cycle's freeze. */
export interface ChangesSinceFreeze {
  frozenAt: string;
  /** Records of the cycle's regions changed after the freeze. */
  changed: number;
  /** Of those, in the snapshot. */
  inSnapshot: number;
  /** In the snapshot, but no longer active (died, merged, deactivated). */
  noLongerActive: number;
  /** Selected by the rule today, changed since the freeze, and not in the snapshot. */
  newlyEligible: number;
  /** In the snapshot, changed since, and not selected by the rule today. */
  noLongerEligible: number;
}

/** Counts what changed since the cycle's freeze (health rules are not re-run here). */
export async function changesSinceFreeze(
  app: AppContext,
  caller: Caller,
  cycleId: string,
): Promise<ChangesSinceFreeze> {
  requirePermission(caller.actor, 'cycle:manage');
  const cycle = await loadCycle(app.db.kysely, cycleId);
  requireCycleRegions(caller, 'cycle:manage', cycle);
  const frozenAt = cycle.row.frozen_at;
  if (!frozenAt) throw new DomainError('INVALID_STATE', 'The cycle is not frozen yet.', 'status');
  const { rule, uses } = await checkedRule(
    app.db.kysely,
    app,
    cycle.programme.kind,
    cycle.version.rule,
  );
  const counts = await sql<{ changed: number; in_snapshot: number; gone: number }>`
    select count(*) as changed,
      sum(case when m.person_id is null then 0 else 1 end) as in_snapshot,
      sum(case when m.person_id is not null and p.status <> 'active' then 1 else 0 end) as gone
    from persons p
    left join cycle_members m on m.cycle_id = ${cycleId} and m.person_id = p.id
    where p.updated_at > ${frozenAt} and p.region_code in (${sql.join(cycle.regions)})`.execute(
    app.db.kysely,
  );
  const row = counts.rows[0]!;
  let newlyEligible = 0;
  let noLongerEligible = 0;
  if (uses.health.length === 0) {
    const today = ruleSelect(rule, {
      engine: app.db.engine,
      referenceDate: cycle.row.reference_date,
      regions: cycle.regions,
      target: cycle.programme.target,
    });
    const diff = await sql<{ newly: number; dropped: number }>`
      select
        (select count(*) from (${today}) r join persons p on p.id = r.person_id
          where p.updated_at > ${frozenAt}
            and not exists (select 1 from cycle_members m where m.cycle_id = ${cycleId} and m.person_id = r.person_id)) as newly,
        (select count(*) from cycle_members m join persons p on p.id = m.person_id
          where m.cycle_id = ${cycleId} and p.updated_at > ${frozenAt}
            and not exists (select 1 from (${today}) r where r.person_id = m.person_id)) as dropped`.execute(
      app.db.kysely,
    );
    newlyEligible = Number(diff.rows[0]!.newly);
    noLongerEligible = Number(diff.rows[0]!.dropped);
  }
  return {
    frozenAt,
    changed: Number(row.changed),
    inSnapshot: Number(row.in_snapshot ?? 0),
    noLongerActive: Number(row.gone ?? 0),
    newlyEligible,
    noLongerEligible,
  };
}
