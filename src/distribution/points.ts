// Points of service: where benefits are handed over, what each serves, and who operates it.
// A point names the programmes it serves; an operator is a staff member assigned to it whose
// operator role covers its region. Points are closed, never deleted.
import { z } from 'zod';
import type { Queryable } from '../db';
import { appendAudit } from '../privacy';
import { loadGrants } from '../auth';
import { regionsFor, requirePermission, requireRegion } from '../shared/access';
import type { AppContext, Caller } from '../shared/context';
import { DomainError } from '../shared/errors';
import { readStoredJson } from '../shared/stored-json';
import type { PointsTable } from './tables';
import { forgetServingPoints } from './serving-cache';

/** Kinds of point of service. */
export const pointKinds = [
  'food_depot',
  'pharmacy',
  'fuel_station',
  'bank_agent',
  'registration_office',
] as const;

const programmeIds = z.array(z.string().min(1).max(64)).max(50);

/** A new point of service. */
export const pointInput = z
  .object({
    code: z
      .string()
      .regex(/^[A-Z0-9][A-Z0-9-]{2,31}$/, 'must be 3 to 32 capital letters, digits or -'),
    name: z.string().trim().min(3).max(120),
    kind: z.enum(pointKinds),
    regionCode: z.string().regex(/^[A-Z]{2}-[A-Z0-9]{1,3}$/, 'must be a region code like VE-A'),
    locality: z.string().trim().min(1).max(120).optional(),
    programmeIds: programmeIds.default([]),
    merchantAccountId: z.string().min(1).max(64).optional(),
  })
  .strict();
/** A new point of service, validated. */
export type PointInput = z.output<typeof pointInput>;

/** A change to a point: the programmes it serves, or closing it. */
export const pointChangeInput = z
  .object({
    programmeIds: programmeIds.optional(),
    status: z.enum(['active', 'closed']).optional(),
  })
  .strict();

/** A point of service as the API shows it. */
export interface Point {
  id: string;
  code: string;
  name: string;
  kind: PointsTable['kind'];
  regionCode: string;
  locality: string | null;
  programmeIds: string[];
  merchantAccountId: string | null;
  status: PointsTable['status'];
  createdAt: string;
}

/** A point row as the API shows it. */
export function presentPoint(r: PointsTable): Point {
  return {
    id: r.id,
    code: r.code,
    name: r.name,
    kind: r.kind,
    regionCode: r.region_code,
    locality: r.locality,
    programmeIds: readStoredJson(programmeIds, r.programmes, `points ${r.id} programmes`),
    merchantAccountId: r.merchant_account_id,
    status: r.status,
    createdAt: r.created_at,
  };
}

/** Loads a point, or refuses as not found (also when it is outside the caller's regions). */
export async function loadPoint(
  db: Queryable,
  caller: Caller,
  pointId: string,
  permission: Parameters<typeof requireRegion>[1],
): Promise<Point> {
  const row = await db
    .selectFrom('points')
    .selectAll()
    .where('id', '=', pointId)
    .executeTakeFirst();
  if (!row) throw new DomainError('NOT_FOUND', 'Point of service not found.', 'pointId');
  requireRegion(caller.actor, permission, row.region_code, 'Point of service', 'pointId');
  return presentPoint(row);
}

async function requireProgrammes(db: Queryable, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  const found = await db.selectFrom('programmes').select('id').where('id', 'in', ids).execute();
  const missing = ids.filter((id) => !found.some((f) => f.id === id));
  if (missing.length > 0)
    throw new DomainError('VALIDATION_FAILED', `Unknown programme ${missing[0]}.`, 'programmeIds');
}

/** Defines a point of service in a region the caller administers. */
export async function createPoint(
  app: AppContext,
  caller: Caller,
  input: PointInput,
): Promise<Point> {
  requirePermission(caller.actor, 'point:write');
  if (!Object.hasOwn(app.config.regions, input.regionCode))
    throw new DomainError('VALIDATION_FAILED', `Unknown region ${input.regionCode}.`, 'regionCode');
  requireRegion(caller.actor, 'point:write', input.regionCode, 'Region', 'regionCode');
  const id = app.newId();
  const now = app.now().toISOString();
  await app.db.transaction(async (trx) => {
    await requireProgrammes(trx, input.programmeIds);
    const taken = await trx
      .selectFrom('points')
      .select('id')
      .where('code', '=', input.code)
      .executeTakeFirst();
    if (taken)
      throw new DomainError('ALREADY_EXISTS', `A point with code ${input.code} exists.`, 'code');
    await trx
      .insertInto('points')
      .values({
        id,
        code: input.code,
        name: input.name,
        kind: input.kind,
        region_code: input.regionCode,
        locality: input.locality ?? null,
        programmes: JSON.stringify([...new Set(input.programmeIds)]),
        merchant_account_id: input.merchantAccountId ?? null,
        status: 'active',
        created_at: now,
        created_by: caller.actor.id,
        closed_at: null,
        closed_by: null,
      })
      .execute();
    await appendAudit(trx, app, caller, {
      operation: 'point.create',
      permission: 'point:write',
      details: { pointId: id, code: input.code, kind: input.kind, regionCode: input.regionCode },
    });
  });
  return loadPoint(app.db.kysely, caller, id, 'point:write');
}

/** Changes what a point serves, or closes (or reopens) it. */
export async function changePoint(
  app: AppContext,
  caller: Caller,
  pointId: string,
  input: z.output<typeof pointChangeInput>,
): Promise<Point> {
  requirePermission(caller.actor, 'point:write');
  await app.db.transaction(async (trx) => {
    await loadPoint(trx, caller, pointId, 'point:write');
    const now = app.now().toISOString();
    if (input.programmeIds) await requireProgrammes(trx, input.programmeIds);
    forgetServingPoints(trx);
    await trx
      .updateTable('points')
      .set({
        ...(input.programmeIds
          ? { programmes: JSON.stringify([...new Set(input.programmeIds)]) }
          : {}),
        ...(input.status === 'closed'
          ? { status: 'closed', closed_at: now, closed_by: caller.actor.id }
          : {}),
        ...(input.status === 'active'
          ? { status: 'active', closed_at: null, closed_by: null }
          : {}),
      })
      .where('id', '=', pointId)
      .execute();
    await appendAudit(trx, app, caller, {
      operation: 'point.change',
      permission: 'point:write',
      details: { pointId, ...input },
    });
  });
  return loadPoint(app.db.kysely, caller, pointId, 'point:write');
}

/** The points in the caller's regions (at most 1,000, by code), optionally of one region. */
export async function listPoints(
  app: AppContext,
  caller: Caller,
  regionCode?: string,
): Promise<Point[]> {
  requirePermission(caller.actor, 'point:read');
  const regions = regionsFor(caller.actor, 'point:read');
  let q = app.db.kysely.selectFrom('points').selectAll().orderBy('code').limit(1000);
  if (regions !== '*') q = q.where('region_code', 'in', regions);
  if (regionCode) q = q.where('region_code', '=', regionCode);
  return (await q.execute()).map(presentPoint);
}

/** The operators of a point. */
export async function pointOperators(
  db: Queryable,
  pointId: string,
): Promise<{ staffId: string; username: string; assignedAt: string }[]> {
  const rows = await db
    .selectFrom('point_operators as o')
    .innerJoin('staff as s', 's.id', 'o.staff_id')
    .select(['o.staff_id', 's.username', 'o.assigned_at'])
    .where('o.point_id', '=', pointId)
    .where('o.removed_at', 'is', null)
    .orderBy('s.username')
    .execute();
  return rows.map((r) => ({
    staffId: r.staff_id,
    username: r.username,
    assignedAt: r.assigned_at,
  }));
}

/** Assigns (or removes) an operator: their operator role must cover the point's region. */
export async function setPointOperator(
  app: AppContext,
  caller: Caller,
  pointId: string,
  staffId: string,
  assigned: boolean,
): Promise<void> {
  requirePermission(caller.actor, 'point:write');
  await app.db.transaction(async (trx) => {
    const point = await loadPoint(trx, caller, pointId, 'point:write');
    const now = app.now().toISOString();
    if (assigned) {
      const covers = (await loadGrants(trx, staffId)).some(
        (g) => g.role === 'operator' && (g.regions === '*' || g.regions.includes(point.regionCode)),
      );
      if (!covers)
        throw new DomainError(
          'VALIDATION_FAILED',
          `That staff member has no operator role in ${point.regionCode}.`,
          'staffId',
        );
      const live = await trx
        .selectFrom('point_operators')
        .select('staff_id')
        .where('point_id', '=', pointId)
        .where('staff_id', '=', staffId)
        .where('removed_at', 'is', null)
        .executeTakeFirst();
      if (!live)
        await trx
          .insertInto('point_operators')
          .values({
            point_id: pointId,
            staff_id: staffId,
            assigned_at: now,
            assigned_by: caller.actor.id,
            removed_at: null,
            removed_by: null,
          })
          .execute();
    } else {
      const r = await trx
        .updateTable('point_operators')
        .set({ removed_at: now, removed_by: caller.actor.id })
        .where('point_id', '=', pointId)
        .where('staff_id', '=', staffId)
        .where('removed_at', 'is', null)
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) === 0)
        throw new DomainError(
          'NOT_FOUND',
          'That staff member does not operate this point.',
          'staffId',
        );
    }
    await appendAudit(trx, app, caller, {
      operation: 'point.operator',
      permission: 'point:write',
      details: { pointId, staffId, assigned },
    });
  });
}

/** True when the staff member operates the point now. */
export async function operatesPoint(
  db: Queryable,
  staffId: string,
  pointId: string,
): Promise<boolean> {
  const row = await db
    .selectFrom('point_operators')
    .select('staff_id')
    .where('point_id', '=', pointId)
    .where('staff_id', '=', staffId)
    .where('removed_at', 'is', null)
    .executeTakeFirst();
  return row !== undefined;
}
