// Roles and the permissions each grants: least privilege, one table, printed in the README
// by `tessera permissions --markdown` so that the documentation cannot drift from the code.

/** Staff roles. A person may hold several, each scoped to regions or national. */
export const roles = [
  'registrar',
  'programme_admin',
  'operator',
  'auditor',
  'analyst',
  'admin',
] as const;
/** A staff role. */
export type Role = (typeof roles)[number];

/** Every permission a route or command can require. */
export const permissions = {
  'person:read': 'Read a person’s record (with a declared purpose)',
  'person:search': 'Search persons by registry number or name and birth date',
  'person:write': 'Enrol persons, correct records, record life events',
  'person:deactivate': 'Request deactivation or merge of a person (four-eyes)',
  'household:read': 'Read households and their members',
  'household:write': 'Create households, add and move members',
  'attribute:declare': 'Declare custom attributes in the closed schema',
  'attribute:read': 'List declared attributes',
  'registry:import': 'Bulk-import persons',
  'registry:export': 'Request a row-level export (four-eyes)',
  'dedup:review': 'Review possible duplicates',
  'card:issue': 'Issue, replace and revoke cards',
  'card:verify': 'Verify a card',
  'stats:read': 'Aggregate statistics with small cells suppressed',
  'audit:read': 'Query the audit log and verify it',
  'access-report:read': 'Read a person’s access report',
  'approval:decide': 'Approve or reject a four-eyes request made by someone else',
  'approval:read': 'List four-eyes requests',
  'staff:manage': 'Create and disable staff accounts, request role grants',
  'staff:read': 'List staff accounts',
  'token:manage': 'Create and revoke API tokens',
  'keys:manage': 'Request issuer key rotation (four-eyes)',
  'self:manage': 'Change own password, second factor, sign out',
} as const;
/** A permission name. */
export type Permission = keyof typeof permissions;

/** What each role may do. Nothing is granted that is not listed. */
export const rolePermissions: Record<Role, readonly Permission[]> = {
  registrar: [
    'person:read',
    'person:search',
    'person:write',
    'person:deactivate',
    'household:read',
    'household:write',
    'attribute:read',
    'registry:import',
    'dedup:review',
    'card:issue',
    'card:verify',
    'access-report:read',
    'self:manage',
  ],
  programme_admin: ['attribute:declare', 'attribute:read', 'stats:read', 'self:manage'],
  operator: ['person:search', 'card:verify', 'self:manage'],
  auditor: [
    'audit:read',
    'access-report:read',
    'approval:decide',
    'approval:read',
    'attribute:read',
    'staff:read',
    'self:manage',
  ],
  analyst: ['stats:read', 'attribute:read', 'self:manage'],
  admin: [
    'staff:manage',
    'staff:read',
    'token:manage',
    'keys:manage',
    'approval:decide',
    'approval:read',
    'registry:export',
    'attribute:declare',
    'attribute:read',
    'self:manage',
  ],
};

/** True when the role grants the permission. */
export function roleGrants(role: Role, permission: Permission): boolean {
  return rolePermissions[role].includes(permission);
}

/** The permission matrix as a Markdown table (for the README). */
export function permissionMatrixMarkdown(): string {
  const header = `| permission | ${roles.join(' | ')} |\n|---|${roles.map(() => ':-:').join('|')}|`;
  const rows = (Object.keys(permissions) as Permission[]).map(
    (p) =>
      `| \`${p}\` — ${permissions[p]} | ${roles.map((r) => (roleGrants(r, p) ? '✔' : '')).join(' | ')} |`,
  );
  return [header, ...rows].join('\n');
}
