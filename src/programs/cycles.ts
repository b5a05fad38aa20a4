// A cycle's life: opened as a draft for a period; frozen (the eligible set computed once by the
// rule inside the database and stored as the cycle's snapshot); its entitlements generated
// (generate-entitlements.ts); approved by a second administrator; redeemable in staggered
// windows; closed with its exclusion report. Each step is one guarded transition, audited and
// written to the cycle's timeline.
import { sql } from 'kysely';
import { z } from 'zod';
import { appendAudit } from '../privacy';
import { humanOf, requirePermission } from '../shared/access';
import type { AppContext, Caller } from '../shared/context';
import { DomainError } from '../shared/errors';
import { reason } from '../shared/schemas';
import {
  loadCycle,
  moveCycle,
  presentCycle,
  recordCycleEvent,
  requireCycleRegions,
  requireStatus,
  cycleTimeline,
  cycleRegions,
  type Cycle,
  type CycleEvent,
} from './cycle-store';
import { storeExclusionReport, type ExclusionReport } from './exclusion-report';
import { dropHealthValues, openHealthValues } from './health-values';
import { loadProgramme } from './programmes';
import { checkedRule } from './rule-environment';
import { ruleSelect } from './rules';

const isoDate = z.iso.date();

/** A new cycle: its period label and dates. */
export const cycleInput = z
  .object({
    programmeId: z.string().min(1).max(64),
    label: z
      .string()
      .regex(/^[0-9A-Za-z][0-9A-Za-z._-]{0,39}$/, 'must be a short label such as 2026-12'),
    /** Ages and household sizes are taken at this date (default: the opening day). */
    referenceDate: isoDate.optional(),
    opensOn: isoDate,
    closesOn: isoDate,
  })
  .strict()
  .refine((c) => c.closesOn >= c.opensOn, {
    message: 'must not be before opensOn',
    path: ['closesOn'],
  });
/** A new cycle, validated. */
export type CycleInput = z.output<typeof cycleInput>;

/** A cancellation, with its reason. */
export const cancelInput = z.object({ reason }).strict();

/** Opens a draft cycle of a programme's current version. */
export async function createCycle(
  app: AppContext,
  caller: Caller,
  input: CycleInput,
): Promise<Cycle> {
  requirePermission(caller.actor, 'cycle:manage');
  return app.db.transaction(async (trx) => {
    const programme = await loadProgramme(trx, input.programmeId);
    if (programme.status !== 'active')
      throw new DomainError(
        'INVALID_STATE',
        'The programme is retired; it opens no new cycles.',
        'programmeId',
      );
    const days = (Date.parse(input.closesOn) - Date.parse(input.opensOn)) / 86_400_000;
    if (days > 366)
      throw new DomainError(
        'VALIDATION_FAILED',
        'closesOn: a cycle lasts at most a year',
        'closesOn',
      );
    const id = app.newId();
    const at = app.now().toISOString();
    const row = {
      id,
      programme_id: programme.id,
      programme_version: programme.currentVersion,
      label: input.label,
      reference_date: input.referenceDate ?? input.opensOn,
      opens_on: input.opensOn,
      closes_on: input.closesOn,
      status: 'draft' as const,
      eligible_count: null,
      entitlement_count: null,
      frozen_at: null,
      frozen_by: null,
      generated_at: null,
      generated_by: null,
      approved_at: null,
      approved_by: null,
      closed_at: null,
      closed_by: null,
      cancelled_at: null,
      cancelled_by: null,
      cancel_reason: null,
      reduced_at: null,
      created_at: at,
      created_by: humanOf(caller.actor),
    };
    const context = {
      row,
      programme,
      version: programme.current,
      regions: cycleRegions(programme.current),
    };
    requireCycleRegions(caller, 'cycle:manage', context);
    const clash = await trx
      .selectFrom('cycles')
      .select('id')
      .where('programme_id', '=', programme.id)
      .where('label', '=', input.label)
      .where('status', '<>', 'cancelled')
      .executeTakeFirst();
    if (clash)
      throw new DomainError(
        'ALREADY_EXISTS',
        `The programme already has a cycle "${input.label}".`,
        'label',
      );
    await trx.insertInto('cycles').values(row).execute();
    await recordCycleEvent(trx, app, caller, id, 'created', { version: programme.currentVersion });
    await appendAudit(trx, app, caller, {
      operation: 'cycle.create',
      permission: 'cycle:manage',
      details: { cycleId: id, programmeId: programme.id, label: input.label },
    });
    return presentCycle(row);
  });
}

/**
 * Freezes a draft: the rule runs once, inside the database, over the registry as it is now,
 * and the eligible set is stored. Later registry changes never alter it.
 */
export async function freezeCycle(
  app: AppContext,
  caller: Caller,
  cycleId: string,
): Promise<Cycle> {
  requirePermission(caller.actor, 'cycle:manage');
  return app.db.transaction(async (trx) => {
    const cycle = await loadCycle(trx, cycleId);
    requireCycleRegions(caller, 'cycle:manage', cycle);
    requireStatus(cycle.row, ['draft'], 'freeze');
    const { rule, uses } = await checkedRule(
      trx,
      app,
      cycle.programme.kind,
      cycle.version.rule,
      'rule',
    );
    const health = uses.health.length > 0;
    if (health)
      await openHealthValues(trx, app, caller, app.db.engine, cycle.regions, {
        cycleId,
        freeze: true,
      });
    const eligible = ruleSelect(rule, {
      engine: app.db.engine,
      referenceDate: cycle.row.reference_date,
      regions: cycle.regions,
      target: cycle.programme.target,
      healthTable: health,
    });
    const benefit = cycle.version.benefit;
    const needsSize = benefit.kind === 'cash' && (benefit.perMember ?? 0n) > 0n;
    const insert = needsSize
      ? sql`insert into cycle_members (cycle_id, person_id, household_id, region_code, sex, birth_date, household_size)
          select ${cycleId}, r.person_id, r.household_id, r.region_code, r.sex, r.birth_date, coalesce(hs.size, 1)
          from (${eligible}) r
          left join (select household_id, count(*) as size from persons
                     where status = 'active' and household_id is not null group by household_id) hs
            on hs.household_id = r.household_id`
      : sql`insert into cycle_members (cycle_id, person_id, household_id, region_code, sex, birth_date, household_size)
          select ${cycleId}, r.person_id, r.household_id, r.region_code, r.sex, r.birth_date, null
          from (${eligible}) r`;
    const result = await insert.execute(trx);
    if (health) await dropHealthValues(trx);
    const count = Number(result.numAffectedRows ?? 0n);
    // Millions of rows just arrived: let PostgreSQL's planner see them before generation
    // ranges over them (sampled, so it costs well under a second).
    if (app.db.engine === 'postgres') await sql`analyze cycle_members`.execute(trx);
    const at = app.now().toISOString();
    await moveCycle(trx, cycleId, ['draft'], {
      status: 'frozen',
      eligible_count: count,
      frozen_at: at,
      frozen_by: humanOf(caller.actor),
    });
    await recordCycleEvent(trx, app, caller, cycleId, 'frozen', { eligible: count });
    await appendAudit(trx, app, caller, {
      operation: 'cycle.freeze',
      permission: 'cycle:manage',
      details: { cycleId, eligible: count },
    });
    return presentCycle((await loadCycle(trx, cycleId)).row);
  });
}

/**
 * Approves a generated cycle: only now do its entitlements become redeemable (each from its
 * window's first day). The approver must be someone other than who froze or generated it.
 */
export async function approveCycle(
  app: AppContext,
  caller: Caller,
  cycleId: string,
): Promise<Cycle> {
  requirePermission(caller.actor, 'cycle:approve');
  return app.db.transaction(async (trx) => {
    const cycle = await loadCycle(trx, cycleId);
    requireCycleRegions(caller, 'cycle:approve', cycle);
    requireStatus(cycle.row, ['generated'], 'approve');
    const me = humanOf(caller.actor);
    if (me === cycle.row.frozen_by || me === cycle.row.generated_by)
      throw new DomainError(
        'FORBIDDEN',
        'A cycle must be approved by someone other than the person who froze or generated it.',
      );
    await moveCycle(trx, cycleId, ['generated'], {
      status: 'approved',
      approved_at: app.now().toISOString(),
      approved_by: me,
    });
    await recordCycleEvent(trx, app, caller, cycleId, 'approved');
    await appendAudit(trx, app, caller, {
      operation: 'cycle.approve',
      permission: 'cycle:approve',
      details: { cycleId, entitlements: cycle.row.entitlement_count },
    });
    return presentCycle((await loadCycle(trx, cycleId)).row);
  });
}

/**
 * Closes an approved cycle on or after its closing day: what was not collected expires, and
 * the final exclusion report is computed and stored in the same transaction, so that no cycle
 * is ever closed without one.
 */
export async function closeCycle(
  app: AppContext,
  caller: Caller,
  cycleId: string,
): Promise<{ cycle: Cycle; report: ExclusionReport; expired: number }> {
  requirePermission(caller.actor, 'cycle:manage');
  return app.db.transaction(async (trx) => {
    const cycle = await loadCycle(trx, cycleId);
    requireCycleRegions(caller, 'cycle:manage', cycle);
    requireStatus(cycle.row, ['approved'], 'close');
    const today = app.now().toISOString().slice(0, 10);
    if (today < cycle.row.closes_on)
      throw new DomainError(
        'INVALID_STATE',
        `The cycle is open for collection until ${cycle.row.closes_on}; close it on or after that day.`,
        'closesOn',
      );
    const at = app.now().toISOString();
    const expired = await trx
      .updateTable('entitlements')
      .set({
        status: 'expired',
        status_reason: 'cycle_closed',
        status_changed_at: at,
        status_changed_by: humanOf(caller.actor),
      })
      .where('cycle_id', '=', cycleId)
      .where('status', '=', 'issued')
      .executeTakeFirst();
    await moveCycle(trx, cycleId, ['approved'], {
      status: 'closed',
      closed_at: at,
      closed_by: humanOf(caller.actor),
    });
    const report = await storeExclusionReport(trx, app, caller, cycleId, true);
    const count = Number(expired.numUpdatedRows);
    await recordCycleEvent(trx, app, caller, cycleId, 'closed', {
      expired: count,
      reportId: report.id,
    });
    await appendAudit(trx, app, caller, {
      operation: 'cycle.close',
      permission: 'cycle:manage',
      details: { cycleId, expired: count, reportId: report.id },
    });
    return { cycle: presentCycle((await loadCycle(trx, cycleId)).row), report, expired: count };
  });
}

/** Cancels a cycle that is not yet approved; its entitlements, if any, become void. */
export async function cancelCycle(
  app: AppContext,
  caller: Caller,
  cycleId: string,
  why: string,
): Promise<Cycle> {
  requirePermission(caller.actor, 'cycle:manage');
  return app.db.transaction(async (trx) => {
    const cycle = await loadCycle(trx, cycleId);
    requireCycleRegions(caller, 'cycle:manage', cycle);
    requireStatus(cycle.row, ['draft', 'frozen', 'generated'], 'cancel');
    const at = app.now().toISOString();
    const me = humanOf(caller.actor);
    await trx
      .updateTable('entitlements')
      .set({
        status: 'void',
        status_reason: 'cycle_cancelled',
        status_changed_at: at,
        status_changed_by: me,
      })
      .where('cycle_id', '=', cycleId)
      .where('status', 'in', ['issued', 'paused'])
      .execute();
    await moveCycle(trx, cycleId, ['draft', 'frozen', 'generated'], {
      status: 'cancelled',
      cancelled_at: at,
      cancelled_by: me,
      cancel_reason: why,
    });
    await recordCycleEvent(trx, app, caller, cycleId, 'cancelled', { reason: why });
    await appendAudit(trx, app, caller, {
      operation: 'cycle.cancel',
      permission: 'cycle:manage',
      details: { cycleId, reason: why },
    });
    return presentCycle((await loadCycle(trx, cycleId)).row);
  });
}

/** A cycle with its timeline. */
export async function getCycle(
  app: AppContext,
  caller: Caller,
  cycleId: string,
): Promise<Cycle & { timeline: CycleEvent[]; regions: string[] }> {
  requirePermission(caller.actor, 'programme:read');
  const cycle = await loadCycle(app.db.kysely, cycleId);
  return {
    ...presentCycle(cycle.row),
    regions: cycle.regions,
    timeline: await cycleTimeline(app.db.kysely, cycleId),
  };
}

/** The cycles of a programme (or all), newest first. */
export async function listCycles(
  app: AppContext,
  caller: Caller,
  programmeId?: string,
): Promise<Cycle[]> {
  requirePermission(caller.actor, 'programme:read');
  let q = app.db.kysely.selectFrom('cycles').selectAll().orderBy('created_at', 'desc').limit(500);
  if (programmeId) q = q.where('programme_id', '=', programmeId);
  return (await q.execute()).map(presentCycle);
}
