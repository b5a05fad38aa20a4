// The offline pack: what a device needs to hand over with no network for a while — the signed
// trust and revocation lists (to verify cards itself), the programmes it serves, and the
// entitlements leased to it. A lease makes the device the one valid offline path for that
// entitlement until it expires or is released; the database allows one live lease per
// entitlement, so no entitlement is in two packs at once. The pack names nobody: each lease
// carries salted hashes of the registry number (found from the card) and of the number with
// the date of birth (found without a card), the item, quantity and window. The whole pack is
// signed with the pack key, which the device learned at enrolment.
import { createHash, randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { currentRevocationList, currentTrustList } from '../credentials';
import { offlineWalletAllowance, presentAllowance } from '../ledger';
import { appendAudit } from '../privacy';
import { entitlementId } from '../programs';
import { requirePermission } from '../shared/access';
import { canonicalJson } from '../shared/canonical-json';
import type { AppContext, Caller } from '../shared/context';
import { DomainError } from '../shared/errors';
import { deviceOfActor } from './devices';
import { signWithPackKey } from './pack-key';
import { loadPoint } from './points';
import { programmeTerms } from './terms';

/** How long a pack's leases last. */
export const packHours = 36;
/** The most entitlements one pack leases (bounds what a stolen device could claim). */
export const packLeasesMax = 5000;

/** One leased entitlement, as the device sees it. */
export interface PackLease {
  leaseId: string;
  entitlementId: string;
  programmeId: string;
  rn: string;
  rnDob: string;
  quantity: number;
  remaining: number;
  opensOn: string;
  closesOn: string;
}

/** The hash a lease is found by: salt, registry number (and date of birth). */
export function leaseHash(salt: string, ...parts: string[]): string {
  return createHash('sha256')
    .update([salt, ...parts].join(':'), 'utf8')
    .digest('hex');
}

/** Builds, records and signs a fresh pack for the calling device. */
export async function downloadPack(app: AppContext, caller: Caller) {
  requirePermission(caller.actor, 'pack:download');
  const db = app.db.kysely;
  const device = await deviceOfActor(db, caller.actor);
  if (!device) throw new DomainError('FORBIDDEN', 'Only a device downloads a pack.');
  const point = await loadPoint(db, caller, device.point_id, 'pack:download');
  if (point.status !== 'active')
    throw new DomainError('INVALID_STATE', 'This point of service is closed.', 'point');
  const at = app.now();
  const now = at.toISOString();
  const today = now.slice(0, 10);
  const expiresAt = new Date(at.getTime() + packHours * 3600_000).toISOString();
  const horizon = expiresAt.slice(0, 10);
  const salt = randomBytes(16).toString('base64url');
  const packId = app.newId();
  const [trustList, revocationList] = [
    await currentTrustList(app),
    await currentRevocationList(app),
  ];

  const leases = await app.db.transaction(async (trx) => {
    const candidates = trx
      .selectFrom('entitlements as e')
      .innerJoin('cycles as c', 'c.id', 'e.cycle_id')
      .innerJoin('programmes as p', 'p.id', 'e.programme_id')
      .select(['e.cycle_id', 'e.person_id'])
      .where('c.status', '=', 'approved')
      .where('c.closes_on', '>=', today)
      .where('e.opens_on', '<=', horizon)
      .where('e.status', '=', 'issued')
      .where(sql<boolean>`e.redeemed_quantity < e.quantity`)
      .where('e.region_code', '=', point.regionCode)
      .where('p.kind', 'in', ['basket', 'quota', 'medicine'])
      .where('e.programme_id', 'in', point.programmeIds.length > 0 ? point.programmeIds : [''])
      .where(
        sql<boolean>`not exists (select 1 from leases l where l.cycle_id = e.cycle_id
          and l.person_id = e.person_id and l.released_at is null and l.device_id <> ${device.id}
          and l.expires_at > ${now})`,
      )
      .orderBy('e.opens_on')
      .orderBy('e.person_id')
      .limit(packLeasesMax);
    // Leases that lapsed are released first, so that the one-live-lease index lets them go.
    await trx
      .updateTable('leases')
      .set({ released_at: now, release_reason: 'expired' })
      .where('released_at', 'is', null)
      .where('expires_at', '<=', now)
      .where('device_id', '<>', device.id)
      .execute();
    // This device's own live leases carry over into the new pack (its unsynced offline
    // records stay valid); those no longer wanted are released.
    const wanted = await candidates.execute();
    const wantedKeys = new Set(wanted.map((w) => `${w.cycle_id}.${w.person_id}`));
    const own = await trx
      .selectFrom('leases')
      .select(['id', 'cycle_id', 'person_id'])
      .where('device_id', '=', device.id)
      .where('released_at', 'is', null)
      .execute();
    const ownKeys = new Set<string>();
    for (const l of own) {
      const key = `${l.cycle_id}.${l.person_id}`;
      if (wantedKeys.has(key)) ownKeys.add(key);
      else
        await trx
          .updateTable('leases')
          .set({ released_at: now, release_reason: 'superseded' })
          .where('id', '=', l.id)
          .execute();
    }
    await trx
      .updateTable('leases')
      .set({ pack_id: packId, expires_at: expiresAt })
      .where('device_id', '=', device.id)
      .where('released_at', 'is', null)
      .execute();
    const fresh = wanted.filter((w) => !ownKeys.has(`${w.cycle_id}.${w.person_id}`));
    for (const w of fresh) {
      // A lease another device took since the candidates were read is skipped, never doubled
      // (and the one-live-lease index would refuse it anyway).
      const id = app.newId();
      await sql`insert into leases (id, cycle_id, person_id, device_id, pack_id, leased_at, expires_at)
        select ${id}, ${w.cycle_id}, ${w.person_id}, ${device.id}, ${packId}, ${now}, ${expiresAt}
        where not exists (select 1 from leases where cycle_id = ${w.cycle_id} and person_id = ${w.person_id} and released_at is null)`.execute(
        trx,
      );
    }
    const rows = await trx
      .selectFrom('leases as l')
      .innerJoin('entitlements as e', (j) =>
        j.onRef('e.cycle_id', '=', 'l.cycle_id').onRef('e.person_id', '=', 'l.person_id'),
      )
      .innerJoin('cycles as c', 'c.id', 'e.cycle_id')
      .innerJoin('persons as ps', 'ps.id', 'e.person_id')
      .select([
        'l.id',
        'l.cycle_id',
        'l.person_id',
        'e.programme_id',
        'e.quantity',
        'e.redeemed_quantity',
        'e.opens_on',
        'c.closes_on',
        'ps.registry_number',
        'ps.birth_date',
      ])
      .where('l.device_id', '=', device.id)
      .where('l.released_at', 'is', null)
      .orderBy('l.person_id')
      .execute();
    await trx
      .insertInto('packs')
      .values({
        id: packId,
        device_id: device.id,
        salt,
        created_at: now,
        expires_at: expiresAt,
        lease_count: rows.length,
      })
      .execute();
    await trx
      .updateTable('devices')
      .set({ last_seen_at: now })
      .where('id', '=', device.id)
      .execute();
    await appendAudit(trx, app, caller, {
      operation: 'pack.download',
      permission: 'pack:download',
      details: { deviceId: device.id, packId, leases: rows.length },
    });
    return rows.map((r): PackLease => ({
      leaseId: r.id,
      entitlementId: entitlementId(r.cycle_id, r.person_id),
      programmeId: r.programme_id,
      rn: leaseHash(salt, r.registry_number),
      rnDob: leaseHash(salt, r.registry_number, r.birth_date),
      quantity: r.quantity,
      remaining: r.quantity - r.redeemed_quantity,
      opensOn: r.opens_on,
      closesOn: r.closes_on,
    }));
  });

  const programmes = [];
  for (const programmeId of point.programmeIds) {
    const row = await db
      .selectFrom('programmes')
      .select(['current_version', 'kind'])
      .where('id', '=', programmeId)
      .executeTakeFirst();
    if (!row) continue;
    const t = await programmeTerms(db, programmeId, row.current_version);
    programmes.push({
      id: programmeId,
      code: t.code,
      name: t.name,
      kind: t.kind,
      unit: t.unit,
      itemName: t.itemName,
      coPaymentPerUnit: t.coPaymentPerUnit.toString(),
      currency: t.currency,
    });
  }
  const pack = {
    v: 1,
    id: packId,
    deviceId: device.id,
    pointId: point.id,
    pointCode: point.code,
    pointName: point.name,
    createdAt: now,
    expiresAt,
    salt,
    dailyCap: device.offline_daily_cap,
    // What the device may still take from wallets offline today (minor units; 0: refuse).
    walletLimit: presentAllowance(await offlineWalletAllowance(db, app, device.id)),
    trustList,
    revocationList,
    programmes,
    leases,
  };
  return { pack, signature: signWithPackKey(app, canonicalJson(pack)) };
}

/** Releases every lease of the calling device (it is handed back, or goes online for good). */
export async function releaseLeases(
  app: AppContext,
  caller: Caller,
): Promise<{ released: number }> {
  requirePermission(caller.actor, 'pack:download');
  const device = await deviceOfActor(app.db.kysely, caller.actor);
  if (!device) throw new DomainError('FORBIDDEN', 'Only a device releases its leases.');
  const r = await app.db.kysely
    .updateTable('leases')
    .set({ released_at: app.now().toISOString(), release_reason: 'released' })
    .where('device_id', '=', device.id)
    .where('released_at', 'is', null)
    .executeTakeFirst();
  return { released: Number(r.numUpdatedRows) };
}
