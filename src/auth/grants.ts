import type { Queryable } from '../db';
import { isRole, type RoleGrant } from '../shared/access';
import { z } from 'zod';
import type { Permission } from '../shared/access';
import { readStoredJson } from '../shared/stored-json';

/** The active role grants of a staff member. */
export async function loadGrants(db: Queryable, staffId: string): Promise<RoleGrant[]> {
  const rows = await db
    .selectFrom('role_grants')
    .select(['role', 'regions'])
    .where('staff_id', '=', staffId)
    .where('revoked_at', 'is', null)
    .execute();
  // A role no longer in the closed list grants nothing (fail closed).
  return rows.flatMap((r) => {
    if (!isRole(r.role)) return [];
    const regions = readStoredJson(regionList, r.regions, `role_grants of ${staffId} regions`);
    return [{ role: r.role, regions: regions.includes('*') ? '*' : regions }];
  });
}

/** Stored region lists: codes, or '*' for national. */
export const regionList = z.array(z.string());

/** Stored permission names that this deployment still declares; others are dropped. */
export function knownPermissions(
  declared: Readonly<Record<string, unknown>>,
  text: string,
  where: string,
): Permission[] {
  return readStoredJson(z.array(z.string()), text, where).filter((p): p is Permission =>
    Object.hasOwn(declared, p),
  );
}
