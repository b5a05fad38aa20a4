// Who is acting and what they may do: staff roles, the permission vocabulary, and the checks
// every operation makes. Domains declare their own permissions (each in its `permissions.ts`,
// merged into `PermissionRegistry` below); the module list assembles the role → permission
// matrix from those declarations, and an actor carries the permissions its grants resolve to,
// so that the checks here are pure functions of the actor.
import { DomainError } from './errors';

/** Staff roles. A person may hold several, each scoped to regions or national. */
export const roles = [
  'registrar',
  'programme_admin',
  'operator',
  'auditor',
  'analyst',
  'admin',
  'finance',
  'grievance_officer',
] as const;
/** A staff role. */
export type Role = (typeof roles)[number];

/** True when `value` names a role (use on untrusted input). */
export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (roles as readonly string[]).includes(value);
}

/**
 * Every permission of every domain. Empty here on purpose: each domain merges its own names
 * in (`declare module '../shared/access' { interface PermissionRegistry … }`), the way
 * Fastify's plugins add their decorators, so that a misspelt permission fails to compile.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface PermissionRegistry {}
/** A permission name, e.g. `person:read`. */
export type Permission = keyof PermissionRegistry & string;

/** How a domain declares one permission: what it allows, in both languages, and who holds it. */
export interface PermissionDeclaration {
  en: string;
  es: string;
  /** The roles that hold it. Least privilege: nothing is granted that is not listed. */
  roles: readonly Role[];
}

/** A domain's permissions, by name. */
export type PermissionTable = Readonly<Record<string, PermissionDeclaration>>;

/** What each role may do, assembled from every domain's permissions. */
export type PermissionMatrix = Readonly<Record<Role, readonly Permission[]>>;

/** A role held in some regions, or nationally ('*'): what is stored. */
export interface RoleGrant {
  role: Role;
  regions: readonly string[] | '*';
}

/** A grant as an actor carries it: with the permissions its role resolves to. */
export interface ActorGrant extends RoleGrant {
  permissions: readonly Permission[];
}

/**
 * Who is acting: a staff member (via session), a device or integration (via token), the
 * system, or a cardholder in their own portal (no grants: no permission anywhere).
 */
export interface Actor {
  kind: 'staff' | 'token' | 'system' | 'cardholder';
  /** Stable id: staff id, token id, `system:<what>`, or `person:<person id>`. */
  id: string;
  /** For tokens: the staff member who owns it. */
  staffId?: string;
  grants: readonly ActorGrant[];
  /** For tokens: the only permissions it may use, whatever its owner's roles. */
  permissionsLimit?: readonly Permission[];
  pointId?: string | null;
  /** For staff: the session that authenticated this request. */
  sessionId?: string;
}

/**
 * The person behind an actor: a staff member's id however they signed in (session or any of
 * their API tokens), or the system actor's own id. Four-eyes compares this, never the
 * credential, so that one person cannot approve with a token what they asked for with a
 * session, or with a second token.
 */
export function humanOf(actor: Actor): string {
  if (actor.kind === 'token') {
    if (!actor.staffId) throw new Error(`invariant violated: token ${actor.id} has no owner`);
    return actor.staffId;
  }
  return actor.staffId ?? actor.id;
}

/** Resolves stored grants against the matrix: what the actor built from them may do. */
export function resolveGrants(
  matrix: PermissionMatrix,
  grants: readonly RoleGrant[],
): ActorGrant[] {
  return grants.map((g) => ({ role: g.role, regions: g.regions, permissions: matrix[g.role] }));
}

/** Builds the role → permission matrix from every domain's permission table. */
export function buildPermissionMatrix(tables: readonly PermissionTable[]): PermissionMatrix {
  const matrix = Object.fromEntries(roles.map((r) => [r, [] as Permission[]])) as Record<
    Role,
    Permission[]
  >;
  const seen = new Set<string>();
  for (const table of tables) {
    for (const [name, declaration] of Object.entries(table)) {
      if (seen.has(name)) throw new Error(`permission ${name} is declared by two domains`);
      seen.add(name);
      for (const role of declaration.roles) matrix[role].push(name as Permission);
    }
  }
  return matrix;
}

/** The system itself (CLI, demo loader, jobs): every permission, nationally. */
export function systemActor(what: string): Actor {
  return { kind: 'system', id: `system:${what}`, grants: [] };
}

/** A cardholder acting in their own portal: no grants, no permission anywhere. */
export function cardholderActor(personId: string): Actor {
  return Object.freeze({
    kind: 'cardholder',
    id: `person:${personId}`,
    grants: Object.freeze([]),
    permissionsLimit: Object.freeze([]),
  });
}

/** Nobody: the caller of a public route. */
export const anonymousActor: Actor = Object.freeze({
  kind: 'system',
  id: 'anonymous',
  grants: Object.freeze([]),
  permissionsLimit: Object.freeze([]),
});

/** Where an actor may use a permission: every region, a list of regions, or nowhere (empty). */
export function regionsFor(actor: Actor, permission: Permission): '*' | string[] {
  if (actor.permissionsLimit && !actor.permissionsLimit.includes(permission)) return [];
  if (actor.kind === 'system') return '*';
  const regions = new Set<string>();
  for (const grant of actor.grants) {
    if (!grant.permissions.includes(permission)) continue;
    if (grant.regions === '*') return '*';
    for (const r of grant.regions) regions.add(r);
  }
  return [...regions];
}

/** The role under which an actor uses a permission (recorded in the audit log). */
export function roleFor(actor: Actor, permission: Permission): Role | null {
  if (actor.kind === 'system') return 'admin';
  return actor.grants.find((g) => g.permissions.includes(permission))?.role ?? null;
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
 * regions is reported as not found, so that probing ids reveals nothing: the caller passes the
 * same `what` and `field` as its own "not found" for a missing record, so that both answers
 * are identical (status, code, message and field).
 */
export function requireRegion(
  actor: Actor,
  permission: Permission,
  regionCode: string,
  what = 'Record',
  field?: string,
): void {
  const r = regionsFor(actor, permission);
  if (r === '*' || r.includes(regionCode)) return;
  if (r.length === 0)
    throw new DomainError('FORBIDDEN', `This action needs the permission ${permission}.`);
  throw new DomainError('NOT_FOUND', `${what} not found.`, field);
}

/** The permission matrix as a Markdown table (for the README), in declaration order. */
export function permissionMatrixMarkdown(
  permissions: Readonly<Record<string, PermissionDeclaration>>,
): string {
  const header = `| permission | ${roles.join(' | ')} |\n|---|${roles.map(() => ':-:').join('|')}|`;
  const rows = Object.entries(permissions).map(
    ([name, d]) =>
      `| \`${name}\` — ${d.en} | ${roles.map((r) => (d.roles.includes(r) ? '✔' : '')).join(' | ')} |`,
  );
  return [header, ...rows].join('\n');
}
