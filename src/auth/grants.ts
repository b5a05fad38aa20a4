import type { Queryable } from '../db';
import type { RoleGrant } from '../shared/access';
import type { Role } from '../shared/access';

/** The active role grants of a staff member. */
export async function loadGrants(db: Queryable, staffId: string): Promise<RoleGrant[]> {
  const rows = await db
    .selectFrom('role_grants')
    .select(['role', 'regions'])
    .where('staff_id', '=', staffId)
    .where('revoked_at', 'is', null)
    .execute();
  return rows.map((r) => {
    const regions = JSON.parse(r.regions) as string[];
    return { role: r.role as Role, regions: regions.includes('*') ? '*' : regions };
  });
}
