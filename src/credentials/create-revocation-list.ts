// A revocation status list in the style of the W3C Bitstring Status List: bit N set means
// card serial N is revoked. The bitstring is GZIP-compressed and multibase-base64url encoded
// ('u' prefix) exactly as the W3C format does, padded to at least 16 KiB so the list does not
// reveal how many cards exist, and every verifier downloads the same list (no call-home).
import { gzipSync } from 'fflate';
import { bytesToBase64Url } from './bytes';
import { CredentialError } from './errors';
import { revocationListBitsMax, revocationListBitsMin } from './limits';
import { signDocument } from './signed-document';
import type { SignedDocument } from './signed-document';
import type { SigningKey } from './types';

/** The document type of a Tessera revocation list (the JWS `typ`). */
export const revocationListType = 'tessera-revocation-list+json';

/** The payload of a revocation list. */
export interface RevocationListPayload {
  type: 'TesseraRevocationList';
  version: 1;
  issuer: string;
  issuedAt: string;
  statusPurpose: 'revocation';
  /** Number of bits in the list: serials from 0 to size - 1. */
  size: number;
  /** Multibase base64url ('u') of the GZIP-compressed bitstring; bit 0 is the first byte's high bit. */
  encodedList: string;
}

/** Options for publishing a revocation list. */
export interface CreateRevocationListOptions {
  issuer: string;
  issuedAt: Date;
  revokedSerials: Iterable<number>;
  /** Bits in the list; grows to fit the largest serial, never below the 16 KiB minimum. */
  sizeBits?: number;
  signingKey: SigningKey;
}

function roundUpToBytes(bits: number): number {
  return Math.ceil(bits / 8) * 8;
}

/** A signed, compressed revocation status list. */
export async function createRevocationList(
  options: CreateRevocationListOptions,
): Promise<SignedDocument> {
  const serials = [...options.revokedSerials];
  for (const serial of serials) {
    if (!Number.isSafeInteger(serial) || serial < 0 || serial >= revocationListBitsMax) {
      throw new CredentialError(
        'BAD_INPUT',
        `card serial ${serial} is outside 0..${revocationListBitsMax - 1}`,
      );
    }
  }
  const largest = serials.reduce((max, s) => Math.max(max, s + 1), 0);
  const size = roundUpToBytes(Math.max(options.sizeBits ?? 0, largest, revocationListBitsMin));
  if (size > revocationListBitsMax) throw new CredentialError('BAD_INPUT', 'list too large');
  const bits = new Uint8Array(size / 8);
  for (const serial of serials) bits[serial >> 3]! |= 0x80 >> (serial & 7);
  const payload: RevocationListPayload = {
    type: 'TesseraRevocationList',
    version: 1,
    issuer: options.issuer,
    issuedAt: options.issuedAt.toISOString(),
    statusPurpose: 'revocation',
    size,
    encodedList: 'u' + bytesToBase64Url(gzipSync(bits, { level: 9, mtime: 0 })),
  };
  return signDocument(payload, options.signingKey, revocationListType);
}
