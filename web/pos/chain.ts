// The chain of redemptions a point-of-service device records with no network, byte for byte
// as the server checks it (src/distribution/sync.ts): each entry carries a counter that only
// grows and the hash of the entry before; the device signs the entry's canonical JSON with its
// own Ed25519 key (WebCrypto, the private half never leaves the device), and the entry's hash
// is sha256 of the canonical JSON, a dot and the signature. Pure and browser-safe: the unit
// test runs it in Node with the same WebCrypto and checks it against Node's own crypto.
import { canonicalJson } from '../../src/shared/canonical-json';

/** The `prev` of a device's first entry. */
export const chainStart = '0'.repeat(64);

/** How the person was proven when the device handed over offline. */
export type OfflineProof =
  | { kind: 'card'; serial: string; kid: string }
  | {
      kind: 'document';
      documentType: 'national_id' | 'passport' | 'birth_certificate' | 'other';
      documentNumber: string;
      reason: string;
    };

/** One entry as the device signs it. */
export interface OfflineEntry {
  v: 1;
  deviceId: string;
  counter: number;
  prev: string;
  entitlementId: string;
  leaseId: string;
  quantity: number;
  proof: OfflineProof;
  coPayment: { method: 'none' | 'cash'; amount: string };
  redeemedAt: string;
}

/** An entry with the device's signature, as sync uploads it. */
export interface SignedEntry {
  entry: OfflineEntry;
  signature: string;
}

/** Where a device's chain stands: the last counter used and that entry's hash. */
export interface ChainHead {
  counter: number;
  hash: string;
}

/** What the device fills in for a new entry; the chain adds the rest. */
export type EntryFields = Omit<OfflineEntry, 'v' | 'deviceId' | 'counter' | 'prev'>;

const encoder = new TextEncoder();

function subtle(): SubtleCrypto {
  const found = globalThis.crypto?.subtle;
  if (!found) throw new Error('this browser has no WebCrypto (a secure context is needed)');
  return found;
}

/** Bytes as base64url without padding. */
export function toBase64url(bytes: ArrayBuffer | Uint8Array): string {
  const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  let text = '';
  for (const b of view) text += String.fromCharCode(b);
  return btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** base64url (padded or not) as bytes; throws on anything else. */
export function fromBase64url(text: string): Uint8Array<ArrayBuffer> {
  if (!/^[A-Za-z0-9_-]*={0,2}$/.test(text)) throw new Error('not base64url');
  const plain = atob(text.replace(/-/g, '+').replace(/_/g, '/').replace(/=+$/, ''));
  const out = new Uint8Array(plain.length);
  for (let i = 0; i < plain.length; i++) out[i] = plain.charCodeAt(i);
  return out;
}

/** sha256 of UTF-8 text, as lower-case hex. */
export async function sha256Hex(text: string): Promise<string> {
  const digest = new Uint8Array(await subtle().digest('SHA-256', encoder.encode(text)));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Signs an entry's canonical JSON with the device key; base64url. */
export async function signEntry(privateKey: CryptoKey, entry: OfflineEntry): Promise<string> {
  const signature = await subtle().sign(
    { name: 'Ed25519' },
    privateKey,
    encoder.encode(canonicalJson(entry)),
  );
  return toBase64url(signature);
}

/** The hash the next entry names as `prev`. */
export function entryHash(entry: OfflineEntry, signature: string): Promise<string> {
  return sha256Hex(`${canonicalJson(entry)}.${signature}`);
}

/** Makes, signs and chains the next entry after `head`; returns it and the new head. */
export async function nextEntry(
  deviceId: string,
  head: ChainHead,
  fields: EntryFields,
  privateKey: CryptoKey,
): Promise<{ signed: SignedEntry; head: ChainHead }> {
  const entry: OfflineEntry = {
    v: 1,
    deviceId,
    counter: head.counter + 1,
    prev: head.hash,
    entitlementId: fields.entitlementId,
    leaseId: fields.leaseId,
    quantity: fields.quantity,
    proof: fields.proof,
    coPayment: fields.coPayment,
    redeemedAt: fields.redeemedAt,
  };
  const signature = await signEntry(privateKey, entry);
  return {
    signed: { entry, signature },
    head: { counter: entry.counter, hash: await entryHash(entry, signature) },
  };
}

/** A new device key pair: Ed25519, the private half not extractable. */
export async function newDeviceKeyPair(): Promise<{ keyPair: CryptoKeyPair; publicKey: string }> {
  const keyPair = (await subtle().generateKey({ name: 'Ed25519' }, false, [
    'sign',
    'verify',
  ])) as CryptoKeyPair;
  const raw = await subtle().exportKey('raw', keyPair.publicKey);
  return { keyPair, publicKey: toBase64url(raw) };
}
