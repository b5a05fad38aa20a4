// Reading and presenting cycles, and writing their timeline. Every transition of a cycle goes
// through `moveCycle`, an update guarded by the status it expects, so that two administrators
// acting at once cannot both move it (the loser is told someone else did).
import type { Queryable } from '../db';
import type { AppContext, Caller } from '../shared/context';
import { humanOf, requireRegion, type Permission } from '../shared/access';
import { DomainError } from '../shared/errors';
import { readStoredJson, storedObject } from '../shared/stored-json';
import type { CyclesTable } from './tables';
import { loadProgramme, loadVersion, type Programme, type ProgrammeVersion } from './programmes';

/** A cycle's status. */
export type CycleStatus = CyclesTable['status'];

/** A cycle as the API shows it. */
export interface Cycle {
  id: string;
  programmeId: string;
  programmeVersion: number;
  label: string;
  referenceDate: string;
  opensOn: string;
  closesOn: string;
  status: CycleStatus;
  eligibleCount: number | null;
  entitlementCount: number | null;
  frozenAt: string | null;
  frozenBy: string | null;
  generatedAt: string | null;
  generatedBy: string | null;
  approvedAt: string | null;
  approvedBy: string | null;
  closedAt: string | null;
  closedBy: string | null;
  cancelledAt: string | null;
  cancelReason: string | null;
  reducedAt: string | null;
  createdAt: string;
  createdBy: string;
}

/** One step of a cycle's timeline. */
export interface CycleEvent {
  at: string;
  actorId: string;
  /** The staff member's username (staff names are not personal data of beneficiaries). */
  actorUsername: string | null;
  event: string;
  details: Record<string, unknown>;
}

/** A cycle row as the API shows it. */
export function presentCycle(row: CyclesTable): Cycle {
  return {
    id: row.id,
    programmeId: row.programme_id,
    programmeVersion: row.programme_version,
    label: row.label,
    referenceDate: row.reference_date,
    opensOn: row.opens_on,
    closesOn: row.closes_on,
    status: row.status,
    eligibleCount: row.eligible_count,
    entitlementCount: row.entitlement_count,
    frozenAt: row.frozen_at,
    frozenBy: row.frozen_by,
    generatedAt: row.generated_at,
    generatedBy: row.generated_by,
    approvedAt: row.approved_at,
    approvedBy: row.approved_by,
    closedAt: row.closed_at,
    closedBy: row.closed_by,
    cancelledAt: row.cancelled_at,
    cancelReason: row.cancel_reason,
    reducedAt: row.reduced_at,
    createdAt: row.created_at,
    createdBy: row.created_by,
  };
}

/** A cycle with its programme and the version it runs. */
export interface CycleContext {
  row: CyclesTable;
  programme: Programme;
  version: ProgrammeVersion;
  /** The regions the cycle covers: those of the version's service areas. */
  regions: string[];
}

/** Reads a cycle with its programme and version. */
export async function loadCycle(db: Queryable, cycleId: string): Promise<CycleContext> {
  const row = await db
    .selectFrom('cycles')
    .selectAll()
    .where('id', '=', cycleId)
    .executeTakeFirst();
  if (!row) throw new DomainError('NOT_FOUND', 'Cycle not found.', 'cycleId');
  const programme = await loadProgramme(db, row.programme_id);
  const version = await loadVersion(db, row.programme_id, row.programme_version);
  return { row, programme, version, regions: cycleRegions(version) };
}

/** The regions a version serves, each once, sorted. */
export function cycleRegions(version: ProgrammeVersion): string[] {
  return [...new Set(version.serviceAreas.map((a) => a.regionCode))].sort();
}

/**
 * Refuses unless the caller holds `permission` in every region of the cycle: a regional
 * administrator may not freeze, approve or close what reaches beyond their regions.
 */
export function requireCycleRegions(
  caller: Caller,
  permission: Permission,
  cycle: CycleContext,
): void {
  for (const region of cycle.regions)
    requireRegion(caller.actor, permission, region, 'Cycle', 'cycleId');
}

/** Moves a cycle from `from` to the values in `set`, or refuses if it is no longer there. */
export async function moveCycle(
  trx: Queryable,
  cycleId: string,
  from: readonly CycleStatus[],
  set: Partial<CyclesTable>,
): Promise<void> {
  const updated = await trx
    .updateTable('cycles')
    .set(set)
    .where('id', '=', cycleId)
    .where('status', 'in', [...from])
    .executeTakeFirst();
  if (Number(updated.numUpdatedRows) !== 1)
    throw new DomainError('CONFLICT', 'Someone else changed this cycle meanwhile; reload it.');
}

/** Refuses unless the cycle is in one of `allowed`, saying what it is and what is needed. */
export function requireStatus(
  cycle: CyclesTable,
  allowed: readonly CycleStatus[],
  action: string,
): void {
  if (!allowed.includes(cycle.status))
    throw new DomainError(
      'INVALID_STATE',
      `The cycle is ${cycle.status}; to ${action} it must be ${allowed.join(' or ')}.`,
      'status',
      { status: cycle.status },
    );
}

/** Adds a step to the cycle's timeline. */
export async function recordCycleEvent(
  trx: Queryable,
  app: AppContext,
  caller: Caller,
  cycleId: string,
  event: string,
  details: Record<string, unknown> = {},
): Promise<void> {
  await trx
    .insertInto('cycle_events')
    .values({
      id: app.newId(),
      cycle_id: cycleId,
      at: app.now().toISOString(),
      actor_id: humanOf(caller.actor),
      event,
      details: JSON.stringify(details),
    })
    .execute();
}

/** The cycle's timeline, oldest first. */
export async function cycleTimeline(db: Queryable, cycleId: string): Promise<CycleEvent[]> {
  const rows = await db
    .selectFrom('cycle_events')
    .leftJoin('staff', 'staff.id', 'cycle_events.actor_id')
    .select([
      'cycle_events.id',
      'cycle_events.at',
      'cycle_events.actor_id',
      'cycle_events.event',
      'cycle_events.details',
      'staff.username',
    ])
    .where('cycle_events.cycle_id', '=', cycleId)
    .orderBy('cycle_events.at')
    .orderBy('cycle_events.id')
    .execute();
  return rows.map((r) => ({
    at: r.at,
    actorId: r.actor_id,
    actorUsername: r.username,
    event: r.event,
    details: readStoredJson(storedObject, r.details, `cycle_events ${r.id} details`),
  }));
}
