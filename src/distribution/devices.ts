// Devices of a point of service. An administrator registers one and gets a one-time
// enrolment code; an operator of that point, signed in on the device, enrols it with the code
// and the public half of an Ed25519 key pair the device made itself (its private half never
// leaves the device). Enrolment returns the device's token, shown once: scoped to the point
// and limited to what a device does. A lost device is revoked: its token stops working and its
// leases are released at once, so that its pack can no longer be the valid path for anything.
import { createHash, createPublicKey, randomInt } from 'node:crypto';
import { z } from 'zod';
import { issueDeviceToken, revokeDeviceToken } from '../auth';
import type { Queryable } from '../db';
import { appendAudit } from '../privacy';
import { humanOf, requirePermission, type Actor } from '../shared/access';
import type { AppContext, Caller } from '../shared/context';
import { DomainError } from '../shared/errors';
import { reason } from '../shared/schemas';
import { devicePermissions } from './permissions';
import { loadPoint, operatesPoint } from './points';
import {
  cachedServingPoint,
  forgetServingPoints,
  rememberServingPoint,
  servingCacheStamp,
  type ServingPoint,
} from './serving-cache';
import type { DevicesTable } from './tables';

/** How long an enrolment code stays usable. */
export const enrolmentCodeHours = 72;
/** How long a device token lasts before the device must be enrolled again. */
export const deviceTokenDays = 365;
/** Units a device may hand out offline per day unless its administrator sets otherwise. */
export const offlineDailyCapDefault = 300;
const codeAlphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/** Registering a device. */
export const deviceInput = z
  .object({
    pointId: z.string().min(1).max(64),
    name: z.string().trim().min(3).max(80),
    offlineDailyCap: z.number().int().min(0).max(100_000).default(offlineDailyCapDefault),
  })
  .strict();

/** Enrolling a device: the one-time code and the device's own public key. */
export const enrolmentInput = z
  .object({
    code: z
      .string()
      .trim()
      .transform((s) => s.toUpperCase().replace(/[\s-]/g, ''))
      .pipe(
        z.string().regex(/^[A-Z0-9]{12}$/, 'must be the 12-character code the administrator gave'),
      ),
    /** Ed25519 public key: the raw 32 bytes, base64url. */
    publicKey: z
      .string()
      .regex(/^[A-Za-z0-9_-]{43}$/, 'must be a raw Ed25519 public key in base64url'),
  })
  .strict();

/** Revoking a device. */
export const deviceRevokeInput = z.object({ reason }).strict();

/** A device as the API shows it (never its token). */
export interface Device {
  id: string;
  pointId: string;
  name: string;
  status: DevicesTable['status'];
  publicKey: string | null;
  offlineDailyCap: number;
  chainCounter: number;
  registeredAt: string;
  enrolledAt: string | null;
  lastSeenAt: string | null;
  revokedAt: string | null;
  revokeReason: string | null;
}

/** A device row as the API shows it. */
export function presentDevice(r: DevicesTable): Device {
  return {
    id: r.id,
    pointId: r.point_id,
    name: r.name,
    status: r.status,
    publicKey: r.public_key,
    offlineDailyCap: r.offline_daily_cap,
    chainCounter: r.chain_counter,
    registeredAt: r.registered_at,
    enrolledAt: r.enrolled_at,
    lastSeenAt: r.last_seen_at,
    revokedAt: r.revoked_at,
    revokeReason: r.revoke_reason,
  };
}

function hashCode(code: string): string {
  return createHash('sha256').update(`tessera-enrolment:${code}`).digest('hex');
}

/** Refuses anything but a valid raw Ed25519 public key. */
export function importDeviceKey(publicKey: string) {
  try {
    return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: publicKey }, format: 'jwk' });
  } catch {
    throw new DomainError(
      'VALIDATION_FAILED',
      'publicKey: not an Ed25519 public key.',
      'publicKey',
    );
  }
}

/** Registers a device at a point; returns it and its one-time enrolment code (shown once). */
export async function registerDevice(
  app: AppContext,
  caller: Caller,
  input: z.output<typeof deviceInput>,
): Promise<{ device: Device; enrolmentCode: string; expiresAt: string }> {
  requirePermission(caller.actor, 'device:manage');
  const code = Array.from({ length: 12 }, () => codeAlphabet[randomInt(codeAlphabet.length)]).join(
    '',
  );
  const at = app.now();
  const expiresAt = new Date(at.getTime() + enrolmentCodeHours * 3600_000).toISOString();
  const id = app.newId();
  await app.db.transaction(async (trx) => {
    const point = await loadPoint(trx, caller, input.pointId, 'device:manage');
    if (point.status !== 'active')
      throw new DomainError('INVALID_STATE', 'That point of service is closed.', 'pointId');
    await trx
      .insertInto('devices')
      .values({
        id,
        point_id: input.pointId,
        name: input.name,
        status: 'awaiting_enrolment',
        enrolment_code_hash: hashCode(code),
        enrolment_expires_at: expiresAt,
        public_key: null,
        token_id: null,
        offline_daily_cap: input.offlineDailyCap,
        chain_counter: 0,
        chain_head: null,
        registered_at: at.toISOString(),
        registered_by: caller.actor.id,
        enrolled_at: null,
        enrolled_by: null,
        last_seen_at: null,
        revoked_at: null,
        revoked_by: null,
        revoke_reason: null,
      })
      .execute();
    await appendAudit(trx, app, caller, {
      operation: 'device.register',
      permission: 'device:manage',
      details: { deviceId: id, pointId: input.pointId },
    });
  });
  const device = await app.db.kysely
    .selectFrom('devices')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
  return {
    device: presentDevice(device),
    enrolmentCode: `${code.slice(0, 4)}-${code.slice(4, 8)}-${code.slice(8)}`,
    expiresAt,
  };
}

/** Enrols a device with its code and public key; returns the device and its token (once). */
export async function enrolDevice(
  app: AppContext,
  caller: Caller,
  input: z.output<typeof enrolmentInput>,
): Promise<{ device: Device; token: string }> {
  requirePermission(caller.actor, 'device:enrol');
  if (caller.actor.kind !== 'staff')
    throw new DomainError('FORBIDDEN', 'A device is enrolled by an operator signed in on it.');
  importDeviceKey(input.publicKey);
  const staffId = humanOf(caller.actor);
  const now = app.now().toISOString();
  const result = await app.db.transaction(async (trx) => {
    const row = await trx
      .selectFrom('devices')
      .selectAll()
      .where('enrolment_code_hash', '=', hashCode(input.code))
      .executeTakeFirst();
    if (!row || row.status !== 'awaiting_enrolment' || (row.enrolment_expires_at ?? '') <= now)
      throw new DomainError(
        'NOT_FOUND',
        'That enrolment code is not valid (or has expired).',
        'code',
      );
    const point = await loadPoint(trx, caller, row.point_id, 'device:enrol');
    if (!(await operatesPoint(trx, staffId, row.point_id)))
      throw new DomainError(
        'FORBIDDEN',
        'Only an operator of this point may enrol its devices.',
        'code',
      );
    const expiresAt = new Date(app.now().getTime() + deviceTokenDays * 86400_000).toISOString();
    const { token, tokenId } = await issueDeviceToken(trx, app, {
      name: `device ${row.name} (${point.code})`,
      ownerStaffId: staffId,
      permissions: devicePermissions,
      regions: [point.regionCode],
      pointId: row.point_id,
      expiresAt,
    });
    forgetServingPoints(trx);
    const updated = await trx
      .updateTable('devices')
      .set({
        status: 'active',
        enrolment_code_hash: null,
        enrolment_expires_at: null,
        public_key: input.publicKey,
        token_id: tokenId,
        enrolled_at: now,
        enrolled_by: caller.actor.id,
      })
      .where('id', '=', row.id)
      .where('status', '=', 'awaiting_enrolment')
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) !== 1)
      throw new DomainError('CONFLICT', 'That device was enrolled at the same moment.', 'code');
    await appendAudit(trx, app, caller, {
      operation: 'device.enrol',
      permission: 'device:enrol',
      details: { deviceId: row.id, pointId: row.point_id },
    });
    return { id: row.id, token };
  });
  const device = await app.db.kysely
    .selectFrom('devices')
    .selectAll()
    .where('id', '=', result.id)
    .executeTakeFirstOrThrow();
  return { device: presentDevice(device), token: result.token };
}

/** Revokes a device: its token stops at once and its leases are released. */
export async function revokeDevice(
  app: AppContext,
  caller: Caller,
  deviceId: string,
  why: string,
): Promise<Device> {
  requirePermission(caller.actor, 'device:manage');
  await app.db.transaction(async (trx) => {
    const row = await trx
      .selectFrom('devices')
      .selectAll()
      .where('id', '=', deviceId)
      .executeTakeFirst();
    if (!row) throw new DomainError('NOT_FOUND', 'Device not found.', 'id');
    await loadPoint(trx, caller, row.point_id, 'device:manage');
    if (row.status === 'revoked')
      throw new DomainError('INVALID_STATE', 'That device is already revoked.', 'id');
    const now = app.now().toISOString();
    await trx
      .updateTable('devices')
      .set({ status: 'revoked', revoked_at: now, revoked_by: caller.actor.id, revoke_reason: why })
      .where('id', '=', deviceId)
      .execute();
    forgetServingPoints(trx);
    if (row.token_id) await revokeDeviceToken(trx, app, row.token_id, caller.actor.id);
    await trx
      .updateTable('leases')
      .set({ released_at: now, release_reason: 'device_revoked' })
      .where('device_id', '=', deviceId)
      .where('released_at', 'is', null)
      .execute();
    await appendAudit(trx, app, caller, {
      operation: 'device.revoke',
      permission: 'device:manage',
      details: { deviceId, pointId: row.point_id, reason: why },
    });
  });
  const device = await app.db.kysely
    .selectFrom('devices')
    .selectAll()
    .where('id', '=', deviceId)
    .executeTakeFirstOrThrow();
  return presentDevice(device);
}

/** The devices of a point. */
export async function listDevices(
  app: AppContext,
  caller: Caller,
  pointId: string,
): Promise<Device[]> {
  requirePermission(caller.actor, 'point:read');
  await loadPoint(app.db.kysely, caller, pointId, 'point:read');
  const rows = await app.db.kysely
    .selectFrom('devices')
    .selectAll()
    .where('point_id', '=', pointId)
    .orderBy('registered_at')
    .execute();
  return rows.map(presentDevice);
}

/** The active device an actor is, when it authenticated with a device token; else null. */
export async function deviceOfActor(db: Queryable, actor: Actor): Promise<DevicesTable | null> {
  if (actor.kind !== 'token' || !actor.pointId) return null;
  const tokenId = actor.id.replace(/^token:/, '');
  const row = await db
    .selectFrom('devices')
    .selectAll()
    .where('token_id', '=', tokenId)
    .executeTakeFirst();
  if (!row) return null;
  if (row.status !== 'active')
    throw new DomainError('FORBIDDEN', 'This device has been revoked.', 'device');
  return row;
}

/**
 * Where the caller hands over: its device's point, or — for an operator signed in without a
 * device — the point it names, which it must operate. Refuses a closed point. A device's
 * answer is kept for two seconds; revoking the device or closing its point forgets it at once
 * in this process (and revoking it ends its token, which is refused at once).
 */
export async function servingPoint(
  db: Queryable,
  caller: Caller,
  pointId: string | undefined,
): Promise<ServingPoint> {
  const deviceActor = caller.actor.kind === 'token' && caller.actor.pointId !== null;
  if (deviceActor) {
    const hit = cachedServingPoint(caller.actor.id);
    if (hit) {
      if (pointId && pointId !== hit.pointId)
        throw new DomainError('FORBIDDEN', 'A device serves only its own point.', 'pointId');
      return hit;
    }
  }
  const stamp = servingCacheStamp();
  const serving = await findServingPoint(db, caller, pointId);
  if (deviceActor && serving.device) rememberServingPoint(caller.actor.id, serving, stamp);
  return serving;
}

async function findServingPoint(
  db: Queryable,
  caller: Caller,
  pointId: string | undefined,
): Promise<ServingPoint> {
  const device = await deviceOfActor(db, caller.actor);
  const id = device?.point_id ?? pointId;
  if (!id)
    throw new DomainError('VALIDATION_FAILED', 'pointId: name the point you serve at.', 'pointId');
  if (device && pointId && pointId !== device.point_id)
    throw new DomainError('FORBIDDEN', 'A device serves only its own point.', 'pointId');
  if (
    !device &&
    !(caller.actor.kind === 'system' || (await operatesPoint(db, humanOf(caller.actor), id)))
  )
    throw new DomainError('FORBIDDEN', 'You do not operate this point of service.', 'pointId');
  const point = await db
    .selectFrom('points')
    .select(['status'])
    .where('id', '=', id)
    .executeTakeFirst();
  if (!point) throw new DomainError('NOT_FOUND', 'Point of service not found.', 'pointId');
  if (point.status !== 'active')
    throw new DomainError('INVALID_STATE', 'This point of service is closed.', 'pointId');
  return { pointId: id, device };
}
