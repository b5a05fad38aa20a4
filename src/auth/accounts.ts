// Staff accounts: created by an administrator, disabled rather than deleted. Granting a role,
// and taking away or disabling the power to administer staff or approve requests, are
// four-eyes operations.
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { Queryable } from '../db';
import { appendAudit, requestApproval, type Approval } from '../privacy';
import { approvalExecutor, type AppContext, type Caller } from '../shared/context';
import { DomainError } from '../shared/errors';
import { reason, type ReasonBody } from '../shared/schemas';
import {
  requirePermission,
  roles,
  type PermissionMatrix,
  type Role,
  type RoleGrant,
} from '../shared/access';
import { loadGrants } from './grants';
import { forgetCachedTokens } from './token-cache';
import { hashPassword } from './password';

/**
 * A role that guards four-eyes: it may approve requests or administer staff. Taking one away,
 * or disabling an account that holds one, needs a second approver, so that one stolen
 * administrator account cannot remove the people who would stop it.
 */
export function guardsFourEyes(matrix: PermissionMatrix, role: Role): boolean {
  const permissions = matrix[role];
  return permissions.includes('approval:decide') || permissions.includes('staff:manage');
}

function holdsGuardingRole(matrix: PermissionMatrix, grants: readonly RoleGrant[]): boolean {
  return grants.some((g) => guardsFourEyes(matrix, g.role));
}

const revokeAdminOperation = 'staff.revoke_admin';

/** A staff account as shown to administrators (never the hash or the TOTP secret). */
export interface StaffAccount {
  id: string;
  username: string;
  displayName: string;
  status: string;
  hasSecondFactor: boolean;
  lockedUntil: string | null;
  createdAt: string;
  roles: { role: string; regions: readonly string[] | '*' }[];
}

const regionList = z.union([
  z.literal('*'),
  z
    .array(z.string().regex(/^[A-Z]{2}-[A-Z0-9]{1,3}$/))
    .min(1)
    .max(50),
]);
/** A new account. */
export const staffInput = z
  .object({
    username: z
      .string()
      .regex(/^[a-z][a-z0-9._-]{2,39}$/, 'lower-case letters, digits, . _ -; 3 to 40 characters'),
    displayName: z.string().trim().min(1).max(100),
  })
  .strict();
/** A new account, validated. */
export type StaffInput = z.output<typeof staffInput>;
/** A role grant request. */
export const grantInput = z
  .object({
    role: z.enum(roles),
    regions: regionList,
    reason,
  })
  .strict();
/** A role grant request, validated. */
export type GrantInput = z.output<typeof grantInput>;
/** Ending a role grant: a reason, needed when the role guards four-eyes. */
export const revokeInput = z.object({ reason: reason.optional() }).strict();
/** Ending a role grant, validated. */
export type RevokeInput = z.output<typeof revokeInput>;

/** A one-time password that passes the policy: 20 characters from an unambiguous alphabet. */
export function oneTimePassword(): string {
  const alphabet = 'abcdefghjkmnpqrstuvwxyzACDEFGHJKLMNPQRTUVWXY3479';
  return [...randomBytes(20)]
    .map((b) => alphabet[b % alphabet.length])
    .join('')
    .replace(/(.{5})(?!$)/g, '$1-');
}

async function present(
  db: Queryable,
  row: {
    id: string;
    username: string;
    display_name: string;
    status: string;
    totp_secret: string | null;
    locked_until: string | null;
    created_at: string;
  },
): Promise<StaffAccount> {
  return {
    id: row.id,
    username: row.username,
    displayName: row.display_name,
    status: row.status,
    hasSecondFactor: row.totp_secret !== null,
    lockedUntil: row.locked_until,
    createdAt: row.created_at,
    roles: await loadGrants(db, row.id),
  };
}

/** Inserts an account with a one-time password; returns it once. */
export async function insertStaff(
  trx: Queryable,
  app: AppContext,
  caller: Caller,
  input: StaffInput,
): Promise<{ account: StaffAccount; oneTimePassword: string }> {
  const taken = await trx
    .selectFrom('staff')
    .select('id')
    .where('username', '=', input.username)
    .executeTakeFirst();
  if (taken)
    throw new DomainError('ALREADY_EXISTS', `The username ${input.username} is taken.`, 'username');
  const password = oneTimePassword();
  const row = {
    id: app.newId(),
    username: input.username,
    display_name: input.displayName,
    password_hash: await hashPassword(password),
    totp_secret: null,
    totp_last_step: null,
    status: 'active' as const,
    must_change_password: 1,
    failed_attempts: 0,
    locked_until: null,
    created_at: app.now().toISOString(),
    created_by: caller.actor.id,
    disabled_at: null,
    disabled_by: null,
  };
  await trx.insertInto('staff').values(row).execute();
  await appendAudit(trx, app, caller, {
    operation: 'staff.create',
    permission: 'staff:manage',
    details: { staffId: row.id },
  });
  return { account: await present(trx, row), oneTimePassword: password };
}

/** Creates a staff account (no roles yet: granting one needs a second approver). */
export async function createStaff(
  app: AppContext,
  caller: Caller,
  input: StaffInput,
): Promise<{ account: StaffAccount; oneTimePassword: string }> {
  requirePermission(caller.actor, 'staff:manage');
  return app.db.transaction((trx) => insertStaff(trx, app, caller, input));
}

/** Grants a role directly: only for the bootstrap administrator and approved requests. */
export async function insertGrant(
  trx: Queryable,
  app: AppContext,
  caller: Caller,
  staffId: string,
  role: Role,
  regions: readonly string[] | '*',
): Promise<void> {
  await trx
    .insertInto('role_grants')
    .values({
      id: app.newId(),
      staff_id: staffId,
      role,
      regions: JSON.stringify(regions === '*' ? ['*'] : regions),
      granted_at: app.now().toISOString(),
      granted_by: caller.actor.id,
      revoked_at: null,
      revoked_by: null,
    })
    .execute();
  forgetCachedTokens(trx);
  await appendAudit(trx, app, caller, {
    operation: 'staff.grant_role',
    details: { staffId, role, regions },
  });
}

/** Asks for a role to be granted; a different administrator or auditor must approve. */
export async function requestRoleGrant(
  app: AppContext,
  caller: Caller,
  staffId: string,
  input: GrantInput,
): Promise<Approval> {
  requirePermission(caller.actor, 'staff:manage');
  const target = await app.db.kysely
    .selectFrom('staff')
    .select(['id', 'status'])
    .where('id', '=', staffId)
    .executeTakeFirst();
  if (!target) throw new DomainError('NOT_FOUND', 'Staff account not found.', 'id');
  if (target.status !== 'active')
    throw new DomainError('INVALID_STATE', 'The account is disabled.');
  return requestApproval(app, caller, {
    operation: 'staff.grant_role',
    payload: { staffId, role: input.role, regions: input.regions },
    reason: input.reason,
  });
}

/** Ends a role grant; audited (used directly, and by an approved request). */
export async function applyRevoke(
  trx: Queryable,
  app: AppContext,
  caller: Caller,
  staffId: string,
  role: string,
): Promise<void> {
  const r = await trx
    .updateTable('role_grants')
    .set({ revoked_at: app.now().toISOString(), revoked_by: caller.actor.id })
    .where('staff_id', '=', staffId)
    .where('role', '=', role)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  if (Number(r.numUpdatedRows) === 0)
    throw new DomainError('NOT_FOUND', 'No such active role on that account.', 'role');
  forgetCachedTokens(trx);
  await appendAudit(trx, app, caller, {
    operation: 'staff.revoke_role',
    permission: 'staff:manage',
    details: { staffId, role },
  });
}

/**
 * Ends a role grant. Most take effect at once; taking away a role that can approve requests
 * or administer staff (administrator, auditor) needs a second approver, as disabling does.
 */
export async function revokeRoleGrant(
  app: AppContext,
  caller: Caller,
  staffId: string,
  role: string,
  input: RevokeInput = {},
): Promise<{ revoked: true } | { approval: Approval }> {
  requirePermission(caller.actor, 'staff:manage');
  const held = (await loadGrants(app.db.kysely, staffId)).find((g) => g.role === role);
  if (held && guardsFourEyes(app.permissionMatrix, held.role)) {
    const { reason } = input;
    if (!reason)
      throw new DomainError(
        'VALIDATION_FAILED',
        `reason: taking the role ${held.role} away needs a second approver; say why`,
        'reason',
      );
    return {
      approval: await requestApproval(app, caller, {
        operation: revokeAdminOperation,
        payload: { staffId, role: held.role },
        reason,
      }),
    };
  }
  await app.db.transaction((trx) => applyRevoke(trx, app, caller, staffId, role));
  return { revoked: true };
}

/** Disables an account and ends its sessions (used directly, and by an approved request). */
export async function applyDisable(
  trx: Queryable,
  app: AppContext,
  caller: Caller,
  staffId: string,
  reason: string,
): Promise<void> {
  const now = app.now().toISOString();
  const r = await trx
    .updateTable('staff')
    .set({ status: 'disabled', disabled_at: now, disabled_by: caller.actor.id })
    .where('id', '=', staffId)
    .where('status', '=', 'active')
    .executeTakeFirst();
  if (Number(r.numUpdatedRows) === 0)
    throw new DomainError('INVALID_STATE', 'The account is already disabled.');
  forgetCachedTokens(trx);
  await trx
    .updateTable('sessions')
    .set({ ended_at: now })
    .where('staff_id', '=', staffId)
    .where('ended_at', 'is', null)
    .execute();
  await appendAudit(trx, app, caller, { operation: 'staff.disable', details: { staffId, reason } });
}

/**
 * Disables an account. Disabling an account that can approve requests or administer staff
 * (an administrator, an auditor) needs a second approver, so that one stolen administrator
 * account cannot lock the others out (as happened in the breach).
 */
export async function disableStaff(
  app: AppContext,
  caller: Caller,
  staffId: string,
  { reason }: ReasonBody,
): Promise<{ disabled: true } | { approval: Approval }> {
  requirePermission(caller.actor, 'staff:manage');
  const target = await app.db.kysely
    .selectFrom('staff')
    .select(['id', 'status'])
    .where('id', '=', staffId)
    .executeTakeFirst();
  if (!target) throw new DomainError('NOT_FOUND', 'Staff account not found.', 'id');
  if (staffId === (caller.actor.staffId ?? caller.actor.id))
    throw new DomainError('FORBIDDEN', 'You cannot disable your own account.');
  const grants = await loadGrants(app.db.kysely, staffId);
  if (holdsGuardingRole(app.permissionMatrix, grants)) {
    return {
      approval: await requestApproval(app, caller, {
        operation: 'staff.disable_admin',
        payload: { staffId, reason },
        reason,
      }),
    };
  }
  await app.db.transaction((trx) => applyDisable(trx, app, caller, staffId, reason));
  return { disabled: true };
}

/** Lists staff accounts. */
export async function listStaff(app: AppContext, caller: Caller): Promise<StaffAccount[]> {
  requirePermission(caller.actor, 'staff:read');
  const rows = await app.db.kysely
    .selectFrom('staff')
    .selectAll()
    .orderBy('username')
    .limit(1000)
    .execute();
  return Promise.all(rows.map((r) => present(app.db.kysely, r)));
}

/** Registers what approved staff requests do. */
export function registerStaffApprovals(app: AppContext): void {
  app.approvalExecutors['staff.grant_role'] = approvalExecutor(
    z.object({ staffId: z.string(), role: z.enum(roles), regions: regionList }),
    async (trx, a, request, decider) => {
      const p = request.payload;
      await insertGrant(trx, a, decider, p.staffId, p.role, p.regions);
      return { granted: p.role };
    },
  );
  app.approvalExecutors['staff.disable_admin'] = approvalExecutor(
    z.object({ staffId: z.string(), reason: z.string() }),
    async (trx, a, request, decider) => {
      const p = request.payload;
      await applyDisable(trx, a, decider, p.staffId, p.reason);
      return { disabled: p.staffId };
    },
  );
  app.approvalExecutors[revokeAdminOperation] = approvalExecutor(
    z.object({ staffId: z.string(), role: z.enum(roles) }),
    async (trx, a, request, decider) => {
      const p = request.payload;
      await applyRevoke(trx, a, decider, p.staffId, p.role);
      return { revoked: p.role };
    },
  );
}
