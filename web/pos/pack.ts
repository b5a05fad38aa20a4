// The offline pack as the device uses it: its signature checked with the pack key learnt at
// enrolment before anything in it is trusted; the leases found by the salted hashes of the
// registry number (from a card) or of the number and the date of birth (without one); each
// lease's state today, counting what this device already handed over offline; the device's
// daily offline cap; and co-payments in whole minor units (bigint, never floating point).
// Pure and browser-safe (WebCrypto only).
import { canonicalJson } from '../../src/shared/canonical-json';
import { fromBase64url, sha256Hex } from './chain';

/** A programme the point serves, as the pack names it. */
export interface PackProgramme {
  id: string;
  code: string;
  name: { es: string; en: string };
  kind: string;
  unit: string;
  itemName: { es: string; en: string };
  coPaymentPerUnit: string;
  currency: string;
}

/** One entitlement leased to this device. */
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

/** The pack, as the server signs it. */
export interface Pack {
  v: 1;
  id: string;
  deviceId: string;
  pointId: string;
  pointCode: string;
  pointName?: string;
  createdAt: string;
  expiresAt: string;
  salt: string;
  dailyCap: number;
  trustList: unknown;
  revocationList: unknown;
  programmes: PackProgramme[];
  leases: PackLease[];
}

/** What a lease's entitlement is today, offline. */
export type LeaseState = 'redeemable' | 'not_yet_open' | 'redeemed' | 'closed' | 'pack_expired';

/** True when the pack's signature by the pack key (raw Ed25519, base64url) holds. */
export async function verifyPack(
  packKey: string,
  pack: unknown,
  signature: string,
): Promise<boolean> {
  try {
    const key = await crypto.subtle.importKey(
      'raw',
      fromBase64url(packKey),
      { name: 'Ed25519' },
      false,
      ['verify'],
    );
    return await crypto.subtle.verify(
      { name: 'Ed25519' },
      key,
      fromBase64url(signature),
      new TextEncoder().encode(canonicalJson(pack)),
    );
  } catch {
    return false;
  }
}

/** Checks the shape the device relies on; throws naming what is missing. */
export function asPack(value: unknown): Pack {
  const p = value as Partial<Pack> | null;
  if (
    !p ||
    p.v !== 1 ||
    typeof p.id !== 'string' ||
    typeof p.deviceId !== 'string' ||
    typeof p.salt !== 'string' ||
    typeof p.expiresAt !== 'string' ||
    typeof p.dailyCap !== 'number' ||
    !Array.isArray(p.leases) ||
    !Array.isArray(p.programmes)
  )
    throw new Error('the pack is not a version 1 pack');
  return p as Pack;
}

/** The salted hash a lease is found by: sha256 hex of salt:part:part… */
export function leaseHash(salt: string, ...parts: string[]): Promise<string> {
  return sha256Hex([salt, ...parts].join(':'));
}

/** The leases of the person with this registry number (from a verified card). */
export async function leasesByCard(pack: Pack, registryNumber: string): Promise<PackLease[]> {
  const rn = await leaseHash(pack.salt, registryNumber);
  return pack.leases.filter((l) => l.rn === rn);
}

/** The leases of the person with this registry number and date of birth (no card). */
export async function leasesByBirth(
  pack: Pack,
  registryNumber: string,
  birthDate: string,
): Promise<PackLease[]> {
  const rnDob = await leaseHash(pack.salt, registryNumber, birthDate);
  return pack.leases.filter((l) => l.rnDob === rnDob);
}

/** What is left of a lease after what this device handed over offline since the pack. */
export function leaseRemaining(lease: PackLease, usedOffline: number): number {
  return Math.max(0, lease.remaining - usedOffline);
}

/** A lease's state at `now` (the pack's own expiry included). */
export function leaseState(
  pack: Pack,
  lease: PackLease,
  usedOffline: number,
  now: Date,
): LeaseState {
  if (now.toISOString() >= pack.expiresAt) return 'pack_expired';
  const today = now.toISOString().slice(0, 10);
  if (today < lease.opensOn) return 'not_yet_open';
  if (today > lease.closesOn) return 'closed';
  if (leaseRemaining(lease, usedOffline) === 0) return 'redeemed';
  return 'redeemable';
}

/**
 * Refuses a quantity the lease cannot take offline: more than is left, a part of a benefit
 * that is handed over whole (only quotas are taken in parts), or beyond the daily cap.
 * Returns null when it may be recorded, else the reason.
 */
export function offlineRefusal(input: {
  kind: string;
  quantity: number;
  remaining: number;
  usedToday: number;
  dailyCap: number;
}): 'quantity' | 'whole' | 'daily_cap' | null {
  if (!Number.isSafeInteger(input.quantity) || input.quantity < 1) return 'quantity';
  if (input.quantity > input.remaining) return 'quantity';
  if (input.kind !== 'quota' && input.quantity !== input.remaining) return 'whole';
  if (input.usedToday + input.quantity > input.dailyCap) return 'daily_cap';
  return null;
}

/** The co-payment for `quantity` units, in minor units as a decimal string. */
export function coPaymentFor(perUnit: string, quantity: number): string {
  if (!/^\d{1,18}$/.test(perUnit)) throw new Error(`not whole minor units: ${perUnit}`);
  return (BigInt(perUnit) * BigInt(quantity)).toString();
}
