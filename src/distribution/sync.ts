// Sync of what a device handed over offline. Each entry the device recorded is signed with its
// own key and chained: a counter that only grows, and the hash of the entry before. The server
// checks a whole upload before applying any of it — a removed entry (a gap in the counter), a
// reordered one, or an altered one (its signature fails, or it differs from the entry already
// accepted with that counter) refuses the upload, naming the first bad entry. Entries already
// accepted are skipped, so a retried upload applies nothing twice. Each new entry is then
// either a valid delivery — the device held the entitlement's lease when it handed over, what
// it took still fits, and it stays within the device's daily offline cap — or a conflict for
// review. Never two valid deliveries: a conflict moves no stock and no entitlement.
import { createHash, createPublicKey, verify } from 'node:crypto';
import { sql } from 'kysely';
import { z } from 'zod';
import type { Queryable } from '../db';
import { coPaymentTransferId, takeOfflineWalletPayment } from '../ledger';
import { appendAudit } from '../privacy';
import { parseEntitlementId } from '../programs';
import { humanOf, requirePermission } from '../shared/access';
import { canonicalJson } from '../shared/canonical-json';
import type { AppContext, Caller } from '../shared/context';
import { DomainError } from '../shared/errors';
import { applyRedemption, loadHeldEntitlement } from './apply-redemption';
import { deviceOfActor } from './devices';
import { documentTypes } from './proofs';
import type { DevicesTable } from './tables';

/** Entries one upload may carry. */
export const syncEntriesMax = 500;
/** The `prev` of a device's first entry. */
export const chainStart = '0'.repeat(64);

const digits = z.string().regex(/^\d{1,18}$/, 'must be whole minor units as a string');

/** One offline entry, as the device signs it. */
export const offlineEntry = z
  .object({
    v: z.literal(1),
    deviceId: z.string().min(1).max(64),
    counter: z.number().int().min(1),
    prev: z.string().regex(/^[0-9a-f]{64}$/, 'must be the previous entry’s hash (hex)'),
    entitlementId: z.string().min(3).max(140),
    leaseId: z.string().min(1).max(64),
    quantity: z.number().int().min(1).max(1_000_000),
    proof: z.discriminatedUnion('kind', [
      z
        .object({
          kind: z.literal('card'),
          serial: z.string().max(40),
          kid: z.string().max(100),
        })
        .strict(),
      z
        .object({
          kind: z.literal('document'),
          documentType: z.enum(documentTypes),
          documentNumber: z.string().min(3).max(40),
          reason: z.string().min(5).max(300),
        })
        .strict(),
    ]),
    coPayment: z.object({ method: z.enum(['none', 'cash', 'wallet']), amount: digits }).strict(),
    redeemedAt: z.iso.datetime({ offset: false }),
  })
  .strict();
/** One offline entry, validated. */
export type OfflineEntry = z.output<typeof offlineEntry>;

/** An upload: entries in counter order, each with the device's signature. */
export const syncInput = z
  .object({
    entries: z
      .array(
        z
          .object({
            entry: offlineEntry,
            signature: z
              .string()
              .regex(/^[A-Za-z0-9_-]{86}$/, 'must be an Ed25519 signature in base64url'),
          })
          .strict(),
      )
      .min(1)
      .max(syncEntriesMax),
  })
  .strict();

/** The hash the next entry names as `prev`. */
export function entryHash(entry: OfflineEntry, signature: string): string {
  return createHash('sha256')
    .update(`${canonicalJson(entry)}.${signature}`, 'utf8')
    .digest('hex');
}

function broken(index: number, counter: number, reason: string, message: string): DomainError {
  return new DomainError(
    'CHAIN_BROKEN',
    `Entry ${index + 1} (counter ${counter}): ${message}`,
    `entries[${index}]`,
    {
      index,
      counter,
      reason,
    },
  );
}

/** Checks the whole upload against the device's chain; returns the entries not yet accepted. */
async function checkChain(
  db: Queryable,
  device: DevicesTable,
  entries: z.output<typeof syncInput>['entries'],
): Promise<{
  fresh: { entry: OfflineEntry; signature: string; hash: string }[];
  head: { counter: number; hash: string };
}> {
  const key = createPublicKey({
    key: { kty: 'OKP', crv: 'Ed25519', x: device.public_key ?? '' },
    format: 'jwk',
  });
  let counter = device.chain_counter;
  let head = device.chain_head ?? chainStart;
  const fresh = [];
  for (const [i, { entry, signature }] of entries.entries()) {
    if (entry.deviceId !== device.id)
      throw broken(i, entry.counter, 'wrong_device', 'it was recorded by another device.');
    if (
      !verify(
        null,
        Buffer.from(canonicalJson(entry), 'utf8'),
        key,
        Buffer.from(signature, 'base64url'),
      )
    )
      throw broken(
        i,
        entry.counter,
        'bad_signature',
        'its signature does not match its contents (altered).',
      );
    const hash = entryHash(entry, signature);
    if (entry.counter <= device.chain_counter) {
      const kept = await db
        .selectFrom('offline_entries')
        .select('hash')
        .where('device_id', '=', device.id)
        .where('counter', '=', entry.counter)
        .executeTakeFirst();
      if (kept?.hash !== hash)
        throw broken(
          i,
          entry.counter,
          'changed',
          'it differs from the entry already accepted with this counter.',
        );
      continue;
    }
    if (entry.counter !== counter + 1) {
      const later = entries.slice(i + 1).some((x) => x.entry.counter === counter + 1);
      throw later
        ? broken(i, entry.counter, 'out_of_order', `expected counter ${counter + 1} here.`)
        : broken(i, entry.counter, 'gap', `entry ${counter + 1} is missing (removed).`);
    }
    if (entry.prev !== head)
      throw broken(i, entry.counter, 'prev_mismatch', 'it does not follow the entry before it.');
    fresh.push({ entry, signature, hash });
    counter = entry.counter;
    head = hash;
  }
  return { fresh, head: { counter, hash: head } };
}

/** Why an offline entry cannot be a valid delivery, or null when it can. */
async function conflictReason(
  trx: Queryable,
  device: DevicesTable,
  entry: OfflineEntry,
  day: string,
  usedToday: number,
): Promise<string | null> {
  const { cycleId, personId } = parseEntitlementId(entry.entitlementId);
  const lease = await trx
    .selectFrom('leases')
    .select(['device_id', 'cycle_id', 'person_id', 'leased_at', 'expires_at'])
    .where('id', '=', entry.leaseId)
    .executeTakeFirst();
  if (
    !lease ||
    lease.device_id !== device.id ||
    lease.cycle_id !== cycleId ||
    lease.person_id !== personId
  )
    return 'not_leased';
  if (entry.redeemedAt < lease.leased_at) return 'before_lease';
  if (entry.redeemedAt > lease.expires_at) return 'lease_expired';
  if (usedToday + entry.quantity > device.offline_daily_cap) return 'over_daily_cap';
  const held = await loadHeldEntitlement(trx, cycleId, personId, device.point_id, day).catch(
    () => null,
  );
  if (!held) return 'no_entitlement';
  if (!held.pointServes) return 'not_served_here';
  if (held.state === 'redeemed') return 'already_redeemed';
  if (held.state !== 'redeemable') return `not_redeemable:${held.state}`;
  const left = held.quantity - held.redeemed;
  if (entry.quantity > left) return 'already_redeemed';
  if (held.terms.kind !== 'quota' && entry.quantity !== left) return 'wrong_quantity';
  return null;
}

/** What a sync did. */
export interface SyncResult {
  accepted: number;
  redeemed: { counter: number; redemptionId: string; receiptCode: string }[];
  conflicts: { counter: number; conflictId: string; reason: string }[];
  head: { counter: number; hash: string };
}

/** Accepts a device's offline entries: each exactly once, as a delivery or a conflict. */
export async function syncOffline(
  app: AppContext,
  caller: Caller,
  input: z.output<typeof syncInput>,
): Promise<SyncResult> {
  requirePermission(caller.actor, 'sync:upload');
  const device = await deviceOfActor(app.db.kysely, caller.actor);
  if (!device) throw new DomainError('FORBIDDEN', 'Only a device uploads offline records.');
  if (!device.public_key) throw new DomainError('INVALID_STATE', 'This device is not enrolled.');
  return app.db.transaction(async (trx) => {
    const current = await trx
      .selectFrom('devices')
      .selectAll()
      .where('id', '=', device.id)
      .executeTakeFirstOrThrow();
    const { fresh, head } = await checkChain(trx, current, input.entries);
    const result: SyncResult = { accepted: fresh.length, redeemed: [], conflicts: [], head };
    const now = app.now().toISOString();
    const used = new Map<string, number>();
    for (const { entry, signature, hash } of fresh) {
      const day = entry.redeemedAt.slice(0, 10);
      if (!used.has(day)) {
        const { n } = await trx
          .selectFrom('redemptions')
          .select(sql<number>`coalesce(sum(quantity), 0)`.as('n'))
          .where('device_id', '=', device.id)
          .where('channel', '=', 'offline')
          .where('redeemed_at', '>=', `${day}T00:00:00.000Z`)
          .where('redeemed_at', '<=', `${day}T23:59:59.999Z`)
          .executeTakeFirstOrThrow();
        used.set(day, Number(n));
      }
      let reason = await conflictReason(trx, current, entry, day, used.get(day)!);
      const { cycleId, personId } = parseEntitlementId(entry.entitlementId);
      // A wallet co-payment taken offline (no PIN: the device's signature authorises it) is
      // posted now if it fits the device's daily limit and the wallet holds it; else a conflict.
      if (reason === null && entry.coPayment.method === 'wallet')
        reason = await takeOfflineWalletPayment(trx, app, {
          deviceId: device.id,
          pointId: device.point_id,
          personId,
          amount: BigInt(entry.coPayment.amount),
          redemptionId: `off-${device.id}-${entry.counter}`,
          redeemedAt: entry.redeemedAt,
          caller,
        });
      let redemptionId: string | null = null;
      let conflictId: string | null = null;
      if (reason === null) {
        redemptionId = `off-${device.id}-${entry.counter}`;
        const held = await loadHeldEntitlement(trx, cycleId, personId, device.point_id, day);
        const done = await applyRedemption(
          trx,
          app,
          caller,
          {
            id: redemptionId,
            cycleId,
            personId,
            quantity: entry.quantity,
            pointId: device.point_id,
            deviceId: device.id,
            operatorId: humanOf(caller.actor),
            proofKind: entry.proof.kind,
            proofDetails:
              entry.proof.kind === 'card'
                ? { serial: entry.proof.serial, kid: entry.proof.kid }
                : {
                    documentType: entry.proof.documentType,
                    documentNumber: entry.proof.documentNumber,
                    reason: entry.proof.reason,
                  },
            collectedByPersonId: null,
            collectedAs: 'holder',
            channel: 'offline',
            coPaymentMethod: entry.coPayment.method,
            coPaymentMinor: BigInt(entry.coPayment.amount),
            coPaymentId:
              entry.coPayment.method === 'wallet' && entry.coPayment.amount !== '0'
                ? coPaymentTransferId(redemptionId)
                : null,
            redeemedAt: entry.redeemedAt,
            offlineCounter: entry.counter,
          },
          held,
        );
        used.set(day, used.get(day)! + entry.quantity);
        result.redeemed.push({
          counter: entry.counter,
          redemptionId,
          receiptCode: done.receiptCode,
        });
      } else {
        conflictId = app.newId();
        const valid = await trx
          .selectFrom('redemptions')
          .select('id')
          .where('cycle_id', '=', cycleId)
          .where('person_id', '=', personId)
          .orderBy('recorded_at', 'desc')
          .executeTakeFirst();
        await trx
          .insertInto('conflicts')
          .values({
            id: conflictId,
            cycle_id: cycleId,
            person_id: personId,
            point_id: device.point_id,
            device_id: device.id,
            reason,
            redemption_id: valid?.id ?? null,
            quantity: entry.quantity,
            offline_counter: entry.counter,
            details: JSON.stringify({ entry }),
            status: 'open',
            resolution: null,
            resolution_note: null,
            created_at: now,
            resolved_at: null,
            resolved_by: null,
          })
          .execute();
        result.conflicts.push({ counter: entry.counter, conflictId, reason });
      }
      await trx
        .insertInto('offline_entries')
        .values({
          device_id: device.id,
          counter: entry.counter,
          hash,
          prev_hash: entry.prev,
          entry: canonicalJson(entry),
          signature,
          outcome: reason === null ? 'redeemed' : 'conflict',
          redemption_id: redemptionId,
          conflict_id: conflictId,
          received_at: now,
        })
        .execute();
    }
    if (fresh.length > 0) {
      // Optimistic: a second upload racing this one finds the head moved and is refused whole.
      const moved = await trx
        .updateTable('devices')
        .set({ chain_counter: head.counter, chain_head: head.hash, last_seen_at: now })
        .where('id', '=', device.id)
        .where('chain_counter', '=', current.chain_counter)
        .executeTakeFirst();
      if (Number(moved.numUpdatedRows) !== 1)
        throw new DomainError(
          'CONFLICT',
          'Another upload from this device was applied meanwhile; retry.',
          'entries',
        );
    }
    await appendAudit(trx, app, caller, {
      operation: 'sync.upload',
      permission: 'sync:upload',
      details: {
        deviceId: device.id,
        entries: input.entries.length,
        redeemed: result.redeemed.length,
        conflicts: result.conflicts.length,
      },
    });
    return result;
  });
}
