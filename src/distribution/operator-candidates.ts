// Whom a point's administrator may assign as its operator: active staff whose operator role
// covers the point's region, by username. A programme administrator defines points but may
// not list staff accounts (staff:read is an administrator's and auditor's); this shows them
// only what assigning needs, for one point, and nothing about anyone's other roles.
import { z } from 'zod';
import { requirePermission } from '../shared/access';
import type { AppContext, Caller } from '../shared/context';
import { readStoredJson } from '../shared/stored-json';
import { loadPoint } from './points';

/** Most candidates listed. */
export const operatorCandidatesMax = 500;

/** A staff member who could operate a point. */
export interface OperatorCandidate {
  staffId: string;
  username: string;
  displayName: string;
  /** Operates this point now. */
  assigned: boolean;
}

/** The active staff whose operator role covers the point's region, by username. */
export async function operatorCandidates(
  app: AppContext,
  caller: Caller,
  pointId: string,
): Promise<{ items: OperatorCandidate[] }> {
  requirePermission(caller.actor, 'point:write');
  const db = app.db.kysely;
  const point = await loadPoint(db, caller, pointId, 'point:write');
  const rows = await db
    .selectFrom('role_grants as g')
    .innerJoin('staff as s', 's.id', 'g.staff_id')
    .leftJoin('point_operators as o', (j) =>
      j
        .onRef('o.staff_id', '=', 's.id')
        .on('o.point_id', '=', pointId)
        .on('o.removed_at', 'is', null),
    )
    .select(['s.id', 's.username', 's.display_name', 'g.regions', 'o.point_id'])
    .where('g.role', '=', 'operator')
    .where('g.revoked_at', 'is', null)
    .where('s.status', '=', 'active')
    .orderBy('s.username')
    .execute();
  const seen = new Map<string, OperatorCandidate>();
  for (const r of rows) {
    const regions = readStoredJson(z.array(z.string()), r.regions, `role_grants of ${r.id}`);
    if (!regions.includes('*') && !regions.includes(point.regionCode)) continue;
    if (seen.has(r.id)) continue;
    seen.set(r.id, {
      staffId: r.id,
      username: r.username,
      displayName: r.display_name,
      assigned: r.point_id !== null,
    });
    if (seen.size >= operatorCandidatesMax) break;
  }
  return { items: [...seen.values()] };
}
