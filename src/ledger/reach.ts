// Regions. An account is national (region null) unless it belongs to a point of service or a
// person in a region. A national grant reaches every account; a regional grant reaches only
// accounts of its regions, so that national money (programme funds, provider clearing) is
// moved only by national staff.
import { regionsFor, type Actor, type Permission } from '../shared/access';

/** True when the actor may use the permission on an account of this region (null: national). */
export function canReachAccount(
  actor: Actor,
  permission: Permission,
  regionCode: string | null,
): boolean {
  const regions = regionsFor(actor, permission);
  if (regions === '*') return true;
  return regionCode !== null && regions.includes(regionCode);
}
