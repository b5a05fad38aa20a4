// Who may act at one point of service. A programme administrator or auditor acts at every point
// in their regions; an operator acts only at the points they are assigned to (their operator
// role covers a region, their work a counter); a device acts only at its own point. Stock
// records and the redemption log are checked here, so that an operator of one depot cannot
// read another depot's log or record its deliveries.
import type { Queryable } from '../db';
import { humanOf, requireRegion, type Actor, type Permission } from '../shared/access';
import type { Caller } from '../shared/context';
import { DomainError } from '../shared/errors';
import { operatesPoint, type Point } from './points';

/**
 * True when the actor holds `permission` in `regionCode` only as an operator (or as a device):
 * it may then use it only at the points it operates.
 */
export function onlyAsOperator(actor: Actor, permission: Permission, regionCode: string): boolean {
  if (actor.kind === 'system') return false;
  if (actor.pointId) return true;
  if (actor.permissionsLimit && !actor.permissionsLimit.includes(permission)) return true;
  return !actor.grants.some(
    (g) =>
      g.role !== 'operator' &&
      g.permissions.includes(permission) &&
      (g.regions === '*' || g.regions.includes(regionCode)),
  );
}

/**
 * Refuses unless the caller may use `permission` at this point: in its region, and — for an
 * operator — at a point they operate, for a device at its own point.
 */
export async function requireActsAtPoint(
  db: Queryable,
  caller: Caller,
  point: Point,
  permission: Permission,
): Promise<void> {
  requireRegion(caller.actor, permission, point.regionCode, 'Point of service', 'pointId');
  if (!onlyAsOperator(caller.actor, permission, point.regionCode)) return;
  if (caller.actor.pointId) {
    if (caller.actor.pointId !== point.id)
      throw new DomainError('FORBIDDEN', 'A device acts only at its own point.', 'pointId');
    return;
  }
  if (!(await operatesPoint(db, humanOf(caller.actor), point.id)))
    throw new DomainError('FORBIDDEN', 'You do not operate this point of service.', 'pointId');
}

/** Which points' records a caller may list under `permission`: by region, plus points operated. */
export interface PointFilter {
  /** Regions where every point is open to the caller ('*': all). */
  regions: '*' | string[];
  /** Further points open to the caller (those it operates, or its device's). */
  pointIds: string[];
}

/** The points a caller may list records of, under `permission`. */
export async function listablePoints(
  db: Queryable,
  actor: Actor,
  permission: Permission,
): Promise<PointFilter> {
  if (actor.kind === 'system') return { regions: '*', pointIds: [] };
  if (actor.permissionsLimit && !actor.permissionsLimit.includes(permission))
    return { regions: [], pointIds: [] };
  if (actor.pointId) return { regions: [], pointIds: [actor.pointId] };
  const regions = new Set<string>();
  let all = false;
  let asOperator = false;
  for (const g of actor.grants) {
    if (!g.permissions.includes(permission)) continue;
    if (g.role === 'operator') {
      asOperator = true;
      continue;
    }
    if (g.regions === '*') all = true;
    else for (const r of g.regions) regions.add(r);
  }
  const operatorRegions = new Set<string>();
  for (const g of actor.grants)
    if (g.role === 'operator' && g.permissions.includes(permission))
      for (const r of g.regions === '*' ? ['*'] : g.regions) operatorRegions.add(r);
  const operated = asOperator
    ? (
        await db
          .selectFrom('point_operators as o')
          .innerJoin('points as p', 'p.id', 'o.point_id')
          .select(['o.point_id', 'p.region_code'])
          .where('o.staff_id', '=', humanOf(actor))
          .where('o.removed_at', 'is', null)
          .execute()
      )
        .filter((r) => operatorRegions.has('*') || operatorRegions.has(r.region_code))
        .map((r) => r.point_id)
    : [];
  return { regions: all ? '*' : [...regions], pointIds: operated };
}
