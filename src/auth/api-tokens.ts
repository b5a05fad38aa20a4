// API tokens for devices and integrations: shown once, stored hashed, limited to named
// permissions (never more than the owner holds) and optionally to one point of service, and
// expiring (90 days unless asked otherwise, a year at most).
import { z } from 'zod';
import type { Queryable } from '../db';
import { appendAudit } from '../privacy';
import type { AppContext, Caller } from '../shared/context';
import { DomainError } from '../shared/errors';
import {
  regionsFor,
  requirePermission,
  resolveGrants,
  type Actor,
  type Permission,
  type RoleGrant,
} from '../shared/access';
import { knownPermissions, loadGrants, regionList } from './grants';
import {
  cachedToken,
  forgetCachedTokens,
  rememberToken,
  tokenCacheStamp,
  type CachedToken,
} from './token-cache';
import { generateToken, hashToken } from './tokens';
import { readStoredJson } from '../shared/stored-json';
import { reason } from '../shared/schemas';

/** How long a token lasts unless its creator asks for less or more. */
export const apiTokenDaysDefault = 90;
/** The longest a token may last. */
export const apiTokenDaysMax = 365;
const dayMs = 24 * 60 * 60 * 1000;

/** A token request. */
export const apiTokenInput = z
  .object({
    name: z.string().trim().min(3).max(100),
    permissions: z
      .array(z.string().max(64))
      .min(1)
      .max(20)
      .transform((names) => names as Permission[]),
    regions: z.union([
      z.literal('*'),
      z
        .array(z.string().regex(/^[A-Z]{2}-[A-Z0-9]{1,3}$/))
        .min(1)
        .max(50),
    ]),
    pointId: z.string().max(64).optional(),
    /** Days until the token is refused. */
    expiresInDays: z.number().int().min(1).max(apiTokenDaysMax).default(apiTokenDaysDefault),
  })
  .strict();
/** A token request, validated. */
export type ApiTokenInput = z.output<typeof apiTokenInput>;

/** A token as listed (never the token itself). */
export interface ApiTokenInfo {
  id: string;
  name: string;
  permissions: Permission[];
  regions: string[] | '*';
  pointId: string | null;
  createdAt: string;
  lastUsedAt: string | null;
  /** When the token stops working (null: a token with no recorded expiry, refused). */
  expiresAt: string | null;
  revokedAt: string | null;
}

/** Creates a token owned by the caller; the token text is returned this once. */
export async function createApiToken(
  app: AppContext,
  caller: Caller,
  input: ApiTokenInput,
): Promise<{ token: string; info: ApiTokenInfo }> {
  requirePermission(caller.actor, 'token:manage');
  for (const p of input.permissions) {
    if (!Object.hasOwn(app.permissions, p))
      throw new DomainError('VALIDATION_FAILED', `Unknown permission ${p}.`, 'permissions');
    const where = regionsFor(caller.actor, p);
    const covered =
      where === '*' || (input.regions !== '*' && input.regions.every((r) => where.includes(r)));
    if (!covered)
      throw new DomainError(
        'FORBIDDEN',
        `You cannot give a token ${p} where you do not hold it yourself.`,
        'permissions',
      );
  }
  const token = generateToken('api');
  const at = app.now();
  const now = at.toISOString();
  const expiresAt = new Date(at.getTime() + input.expiresInDays * dayMs).toISOString();
  const id = app.newId();
  const ownerId = caller.actor.staffId ?? caller.actor.id;
  await app.db.transaction(async (trx) => {
    await trx
      .insertInto('api_tokens')
      .values({
        id,
        token_hash: hashToken(token),
        name: input.name,
        staff_id: ownerId,
        permissions: JSON.stringify(input.permissions),
        regions: JSON.stringify(input.regions === '*' ? ['*'] : input.regions),
        point_id: input.pointId ?? null,
        created_at: now,
        created_by: caller.actor.id,
        last_used_at: null,
        expires_at: expiresAt,
        revoked_at: null,
        revoked_by: null,
      })
      .execute();
    await appendAudit(trx, app, caller, {
      operation: 'token.create',
      permission: 'token:manage',
      details: { tokenId: id, permissions: input.permissions, expiresAt },
    });
  });
  return {
    token,
    info: {
      id,
      name: input.name,
      permissions: input.permissions,
      regions: input.regions,
      pointId: input.pointId ?? null,
      createdAt: now,
      lastUsedAt: null,
      expiresAt,
      revokedAt: null,
    },
  };
}

/** Revoking a token: why, for the audit log (optional for older clients). */
export const tokenRevokeInput = z.object({ reason: reason.optional() }).strict();

/** Revokes a token at once. */
export async function revokeApiToken(
  app: AppContext,
  caller: Caller,
  id: string,
  why?: string,
): Promise<void> {
  requirePermission(caller.actor, 'token:manage');
  await app.db.transaction(async (trx) => {
    const r = await trx
      .updateTable('api_tokens')
      .set({ revoked_at: app.now().toISOString(), revoked_by: caller.actor.id })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    forgetCachedTokens(trx);
    if (Number(r.numUpdatedRows) === 0)
      throw new DomainError('NOT_FOUND', 'No active token with that id.', 'id');
    await appendAudit(trx, app, caller, {
      operation: 'token.revoke',
      permission: 'token:manage',
      details: why ? { tokenId: id, reason: why } : { tokenId: id },
    });
  });
}

/** Lists tokens. */
export async function listApiTokens(app: AppContext, caller: Caller): Promise<ApiTokenInfo[]> {
  requirePermission(caller.actor, 'token:manage');
  const rows = await app.db.kysely
    .selectFrom('api_tokens')
    .selectAll()
    .orderBy('created_at', 'desc')
    .limit(500)
    .execute();
  return rows.map((r) => {
    const regions = readStoredJson(regionList, r.regions, `api_tokens ${r.id} regions`);
    return {
      id: r.id,
      name: r.name,
      permissions: knownPermissions(
        app.permissions,
        r.permissions,
        `api_tokens ${r.id} permissions`,
      ),
      regions: regions.includes('*') ? '*' : regions,
      pointId: r.point_id,
      createdAt: r.created_at,
      lastUsedAt: r.last_used_at,
      expiresAt: r.expires_at,
      revokedAt: r.revoked_at,
    };
  });
}

function narrow(grants: RoleGrant[], regions: string[]): RoleGrant[] {
  if (regions.includes('*')) return grants;
  return grants
    .map((g) => ({
      role: g.role,
      regions: g.regions === '*' ? regions : g.regions.filter((r) => regions.includes(r)),
    }))
    .filter((g) => g.regions.length > 0);
}

/**
 * Resolves a bearer token to an actor: the owner's current roles, narrowed to the token's
 * scope. A revoked or expired token, or one whose owner is disabled, resolves to nobody.
 */
export async function resolveApiToken(app: AppContext, token: string): Promise<Actor | null> {
  const hash = hashToken(token);
  const now = app.now();
  const cached = cachedToken(hash);
  if (cached) {
    if (cached.expiresAt <= now.toISOString()) return null;
    await noteUse(app, cached, now);
    return cached.actor;
  }
  const stamp = tokenCacheStamp();
  const row = await app.db.kysely
    .selectFrom('api_tokens')
    .innerJoin('staff', 'staff.id', 'api_tokens.staff_id')
    .select([
      'api_tokens.id',
      'api_tokens.staff_id',
      'api_tokens.permissions',
      'api_tokens.regions',
      'api_tokens.point_id',
      'api_tokens.revoked_at',
      'api_tokens.last_used_at',
      'api_tokens.expires_at',
      'staff.status',
    ])
    .where('api_tokens.token_hash', '=', hash)
    .executeTakeFirst();
  if (!row || row.revoked_at || row.status !== 'active') return null;
  if (!row.expires_at || row.expires_at <= now.toISOString()) return null;
  const grants = resolveGrants(
    app.permissionMatrix,
    narrow(
      await loadGrants(app.db.kysely, row.staff_id),
      readStoredJson(regionList, row.regions, `api_tokens ${row.id} regions`),
    ),
  );
  const entry = rememberToken(
    hash,
    {
      tokenId: row.id,
      expiresAt: row.expires_at,
      lastUsedAt: row.last_used_at ? new Date(row.last_used_at).getTime() : 0,
      actor: {
        kind: 'token',
        id: `token:${row.id}`,
        staffId: row.staff_id,
        grants,
        permissionsLimit: knownPermissions(
          app.permissions,
          row.permissions,
          `api_tokens ${row.id} permissions`,
        ),
        pointId: row.point_id,
      },
    },
    stamp,
  );
  await noteUse(app, entry, now);
  return entry.actor;
}

/** Records when a token was last used, at most once a minute. */
async function noteUse(app: AppContext, entry: CachedToken, now: Date): Promise<void> {
  if (now.getTime() - entry.lastUsedAt <= 60_000) return;
  entry.lastUsedAt = now.getTime();
  await app.db.kysely
    .updateTable('api_tokens')
    .set({ last_used_at: now.toISOString() })
    .where('id', '=', entry.tokenId)
    .execute();
}

/**
 * Issues a token for a device another domain registered (a point of service's device): owned
 * by the staff member who enrolled it, limited to `permissions` and to one point. The caller
 * has already checked that the owner may enrol it; the token text is returned this once.
 */
export async function issueDeviceToken(
  trx: Queryable,
  app: AppContext,
  input: {
    name: string;
    ownerStaffId: string;
    permissions: readonly Permission[];
    regions: readonly string[];
    pointId: string;
    expiresAt: string;
  },
): Promise<{ token: string; tokenId: string }> {
  const token = generateToken('api');
  const tokenId = app.newId();
  await trx
    .insertInto('api_tokens')
    .values({
      id: tokenId,
      token_hash: hashToken(token),
      name: input.name,
      staff_id: input.ownerStaffId,
      permissions: JSON.stringify(input.permissions),
      regions: JSON.stringify(input.regions),
      point_id: input.pointId,
      created_at: app.now().toISOString(),
      created_by: input.ownerStaffId,
      last_used_at: null,
      expires_at: input.expiresAt,
      revoked_at: null,
      revoked_by: null,
    })
    .execute();
  return { token, tokenId };
}

/** Revokes a device's token inside the caller's transaction (the device was revoked). */
export async function revokeDeviceToken(
  trx: Queryable,
  app: AppContext,
  tokenId: string,
  by: string,
): Promise<void> {
  await trx
    .updateTable('api_tokens')
    .set({ revoked_at: app.now().toISOString(), revoked_by: by })
    .where('id', '=', tokenId)
    .where('revoked_at', 'is', null)
    .execute();
  forgetCachedTokens(trx);
}
