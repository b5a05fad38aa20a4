import { DomainError } from '../shared/errors';
import { roleGrants, type Permission, type Role } from './permissions';

/** A role held in some regions, or nationally ('*'). */
export interface RoleGrant {
  role: Role;
  regions: readonly string[] | '*';
}

/** Who is acting: a staff member (via session), a device or integration (via token), or the system. */
export interface Actor {
  kind: 'staff' | 'token' | 'system';
  /** Stable id: staff id, token id, or `system:<what>`. */
  id: string;
  /** For tokens: the staff member who owns it. */
  staffId?: string;
  grants: readonly RoleGrant[];
  /** For tokens: the only permissions it may use, whatever its owner's roles. */
  permissionsLimit?: readonly Permission[];
  pointId?: string | null;
  /** For staff: the session that authenticated this request. */
  sessionId?: string;
}

/** The system itself (CLI, demo loader, jobs): every permission, nationally. */
export function systemActor(what: string): Actor {
  return {
    kind: 'system',
    id: `system:${what}`,
    grants: [
      { role: 'admin', regions: '*' },
      { role: 'registrar', regions: '*' },
      { role: 'auditor', regions: '*' },
    ],
  };
}

/** Where an actor may use a permission: every region, a list of regions, or nowhere (empty). */
export function regionsFor(actor: Actor, permission: Permission): '*' | string[] {
  if (actor.permissionsLimit && !actor.permissionsLimit.includes(permission)) return [];
  if (actor.kind === 'system') return '*';
  const regions = new Set<string>();
  for (const grant of actor.grants) {
    if (!roleGrants(grant.role, permission)) continue;
    if (grant.regions === '*') return '*';
    for (const r of grant.regions) regions.add(r);
  }
  return [...regions];
}

/** The role under which an actor uses a permission (recorded in the audit log). */
export function roleFor(actor: Actor, permission: Permission): Role | null {
  if (actor.kind === 'system') return 'admin';
  return actor.grants.find((g) => roleGrants(g.role, permission))?.role ?? null;
}

/** True when the actor holds the permission somewhere. */
export function can(actor: Actor, permission: Permission): boolean {
  const r = regionsFor(actor, permission);
  return r === '*' || r.length > 0;
}

/** Refuses unless the actor holds the permission somewhere. */
export function requirePermission(actor: Actor, permission: Permission): void {
  if (!can(actor, permission)) {
    throw new DomainError('FORBIDDEN', `This action needs the permission ${permission}.`);
  }
}

/**
 * Refuses unless the actor holds the permission in the region. A person outside the actor's
 * regions is reported as not found, so that probing ids reveals nothing.
 */
export function requireRegion(
  actor: Actor,
  permission: Permission,
  regionCode: string,
  what = 'Record',
): void {
  const r = regionsFor(actor, permission);
  if (r === '*' || r.includes(regionCode)) return;
  if (r.length === 0)
    throw new DomainError('FORBIDDEN', `This action needs the permission ${permission}.`);
  throw new DomainError('NOT_FOUND', `${what} not found.`);
}
